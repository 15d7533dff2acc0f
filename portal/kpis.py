"""The KPI composition root: dossier facts + open snapshots + feedback figures (766).

`dossiers` keeps its own facts (`dossiers.kpi`), `feedback` its own; they meet here, so
neither app imports the other's figures. The feedback figures come from a pluggable
function (`satisfaction_source`, by default `feedback.kpi.satisfaction_by_unit`); a
deployment without that module gets "no ratings yet" (note: so does a mistyped
`PORTAL_KPI_SATISFACTION_SOURCE`).
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import fields
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from dossiers.access import grant_of
from dossiers.calendar import LOCAL_TZ
from dossiers.kpi import rules
from dossiers.kpi.facts import WATERMARK as FACTS_WATERMARK
from dossiers.kpi.rollup import rollup_by_buckets, rollup_by_unit
from dossiers.kpi.snapshots import open_at, open_dossier_figures, open_figures_of, open_snapshot_rows
from dossiers.kpi.sql import COLUMNS
from dossiers.models import Field, KpiFact, KpiWatermark, Procedure, Unit
from dossiers.roles import SUPERVISOR, user_roles

GROUPS = ("unit", "procedure", "field", "day")
GROUP_FIELD = {"unit": "unit_id", "procedure": "procedure_id", "field": "procedure__field_id", "day": "day"}
# Fact columns summed into `rules.Figures` attributes: the same name, but for these three.
RENAMED = {"finished_early": "early", "finished_on_time": "on_time", "finished_late": "late"}
SUMS = {RENAMED.get(c, c): c for c in COLUMNS}
SATISFACTION_SOURCE = "feedback.kpi.satisfaction_by_unit"
PAYMENT_SOURCE = "payments.kpi.paid_online"
PROCEDURE_PAYMENT_SOURCE = "payments.kpi.procedures_paid_online"
SYNC_SOURCE = "integrations.national.rates.sync_figures"


def no_ratings_yet(*, unit_ids: list[int] | None, start: date, end: date, group_by: str) -> dict:
    """The default feedback source: no ratings and no petitions, so nobody complained."""
    return {}


def satisfaction_source() -> Callable[..., dict]:
    """`feedback`'s figures (`PORTAL_KPI_SATISFACTION_SOURCE`, default `feedback.kpi`), or
    `no_ratings_yet` when that path does not import.

    Expected: f(*, unit_ids, start, end, group_by) -> {group key: {"complained": int, …}}
    (`FEEDBACK_FIGURES`; a missing one is 0), group keys as in `GROUP_FIELD` (unit id,
    procedure id, field id, local date).
    """
    path = getattr(settings, "PORTAL_KPI_SATISFACTION_SOURCE", SATISFACTION_SOURCE)
    try:
        return import_string(path)
    except ImportError:
        return no_ratings_yet


def on_time_basis() -> str:
    return getattr(settings, "PORTAL_KPI_ON_TIME_BASIS", rules.DEFAULT_BASIS)


# -- scope -----------------------------------------------------------------------------------


def is_kpi_reader(user) -> bool:
    return user.is_authenticated and (user.is_superuser or SUPERVISOR in user_roles(user))


def kpi_scope(user, unit: Unit | None = None) -> list[int] | None:
    """Unit ids a reader may see (None: all, for a superuser without a unit); 403 outside."""
    if not is_kpi_reader(user):
        raise PermissionDenied
    allowed = None
    if not user.is_superuser:
        allowed = set(grant_of(user).subtree)
    if unit is None:
        return None if allowed is None else sorted(allowed)
    wanted = set(Unit.objects.subtree_of([unit]).values_list("pk", flat=True))
    if allowed is not None and unit.pk not in allowed:
        raise PermissionDenied
    return sorted(wanted if allowed is None else wanted & allowed)


# -- figures ---------------------------------------------------------------------------------


# Open-dossier figures (open at the period's end, backlog by age) are computed at query time
# from every unfinished dossier. They are judged at the current minute, not the current
# microsecond, and each (figure, scope, moment, database) is kept in the cache for that long:
# every view within a minute shares one computation, and no figure is more than a minute old
# (the facts themselves are refreshed every minute too). 0 turns this off.
SNAPSHOT_SECONDS = 60


def snapshot_seconds() -> int:
    return int(getattr(settings, "PORTAL_KPI_SNAPSHOT_SECONDS", SNAPSHOT_SECONDS))


def snapshot_now() -> datetime:
    """Now, rounded down to the snapshot period (exact when snapshots are off)."""
    now, seconds = timezone.now(), snapshot_seconds()
    if seconds <= 0:
        return now
    return now - timedelta(seconds=now.timestamp() % seconds)


def snapshot_cached(name: str, key, compute: Callable[[], object]):
    """`compute()`, shared through the cache for `snapshot_seconds()` under (name, key, database)."""
    seconds = snapshot_seconds()
    if seconds <= 0:
        return compute()
    raw = repr((name, key, connection.settings_dict["NAME"])).encode()
    cache_key = f"kpi-snapshot:{name}:{hashlib.sha256(raw).hexdigest()}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value


def fragment_cached(name: str, key, render: Callable[[], str]) -> str:
    """A rendered page fragment, shared through the cache for `snapshot_seconds()` (off at 0).

    Its key: `key` (what the fragment shows: the caller passes the reader's scope and filters,
    so readers of different scopes never share one), the KPI facts' refresh stamp, the snapshot
    moment, the active language and the database."""
    seconds = snapshot_seconds()
    if seconds <= 0:
        return render()
    stamp = KpiWatermark.objects.filter(name=FACTS_WATERMARK).values_list("value", "calendar_token").first()
    raw = repr((name, key, stamp, snapshot_now(), get_language(), connection.settings_dict["NAME"])).encode()
    cache_key = f"kpi-fragment:{name}:{hashlib.sha256(raw).hexdigest()}"
    html = cache.get(cache_key)
    if html is None:
        html = str(render())
        cache.set(cache_key, html, seconds)
    return mark_safe(html)  # rendered by the caller from templates that escape


def period_end(end: date, *, now: datetime | None = None) -> datetime:
    """The moment open dossiers are judged: the end of `end`, or now if that is sooner."""
    moment = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ)
    return min(moment, now or timezone.now())


def _facts(unit_ids, start: date, end: date):
    qs = KpiFact.objects.filter(day__gte=start, day__lte=end)
    return qs if unit_ids is None else qs.filter(unit_id__in=unit_ids)


def facts_by(*, unit_ids, start: date, end: date, key: str) -> dict:
    """{group key: Figures} from the facts alone (no snapshot, no feedback).

    By unit or by day from the per-unit roll-ups (a few rows per unit and period); by
    procedure or field from the facts themselves."""
    if key == "unit_id":
        rows = rollup_by_unit(unit_ids=unit_ids, start=start, end=end)
        return {unit: figures_of(sums) for unit, sums in rows.items()}
    if key == "day":
        days = rollup_by_buckets(unit_ids=unit_ids, spans={"d": (start, end, lambda d: d)})["d"]
        return {day: figures_of(sums) for day, sums in days.items()}
    rows = _facts(unit_ids, start, end).values(key).annotate(**{a: Sum(c) for a, c in SUMS.items()}).order_by()
    return {row[key]: _figures(row) for row in rows}


# (Figures attribute, summed fact column) of the columns `Figures` keeps as they are, and the
# columns that add up to `received`: worked out once, not per group (~700 units a dashboard).
_KEPT = tuple((a, c) for a, c in SUMS.items() if hasattr(rules.Figures, a))
_RECEIVED = ("received_counter", "received_online", "received_postal")


def figures_of(sums: dict) -> rules.Figures:
    """`rules.Figures` from summed fact columns (`dossiers.kpi.sql.COLUMNS` names)."""
    f = rules.Figures(**{a: sums[c] or 0 for a, c in _KEPT})
    f.received = sum(sums[c] or 0 for c in _RECEIVED)
    return f


def _figures(row: dict) -> rules.Figures:
    """`rules.Figures` from a row keyed by `Figures` names (`SUMS`' keys)."""
    return figures_of({c: row[a] for a, c in SUMS.items()})


def _moments(group_by: str, start: date, end: date) -> list[tuple[str, datetime]]:
    now = snapshot_now()
    if group_by != "day":
        return [("period", period_end(end, now=now))]
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [(d.isoformat(), period_end(d, now=now)) for d in days]


def _snapshot_key(group_by: str, fields_of: dict[int, int]) -> Callable[[tuple], object]:
    if group_by == "unit":
        return lambda r: r[1]
    if group_by == "procedure":
        return lambda r: r[2]
    if group_by == "field":
        return lambda r: fields_of.get(r[2])
    return lambda r: date.fromisoformat(r[0])


def _snapshot_by(group_by: str, moments: list, unit_ids) -> dict:
    """{group key: [open, open overdue, waiting]} at the moments."""
    rows = open_at(moments=moments, unit_ids=unit_ids)
    fields_of = dict(Procedure.objects.filter(pk__in={r[2] for r in rows}).values_list("pk", "field_id"))
    key_of = _snapshot_key(group_by, fields_of)
    out: dict = {}
    for row in rows:
        sums = out.setdefault(key_of(row), [0, 0, 0])
        sums[0], sums[1], sums[2] = sums[0] + row[3], sums[1] + row[4], sums[2] + row[5]
    return out


def _add_snapshot(out: dict, group_by: str, unit_ids, start: date, end: date) -> None:
    moments = _moments(group_by, start, end)
    scope = None if unit_ids is None else tuple(unit_ids)
    by_key = snapshot_cached("open_at", (group_by, moments, scope), lambda: _snapshot_by(group_by, moments, unit_ids))
    _add_open(out, by_key)


def _add_open(out: dict, by_key: dict) -> None:
    for key, (n, overdue, waiting) in by_key.items():
        f = out.setdefault(key, rules.Figures())
        f.open, f.open_overdue, f.waiting = f.open + n, f.open_overdue + overdue, f.waiting + waiting


def open_figures(*, unit_ids, end: date) -> dict[str, dict]:
    """What the dashboard shows of the open dossiers, from one read of them
    (`snapshots.open_dossier_figures`): by lead unit at the period's end ("by_unit", for
    `figures_by`), open and late by responsible unit then ("late"), the backlog by age now.

    For the current period (its end is now) the figures come from the per-minute snapshot
    (`snapshots.open_snapshot_take`, beat) while it is at most `open_snapshot_max_age()` old;
    a past period, or no fresh snapshot (beat not running), reads the open dossiers."""
    now = snapshot_now()
    moment, backlog_at = period_end(end, now=now), period_end(timezone.localdate(), now=now)
    scope = None if unit_ids is None else tuple(unit_ids)

    def compute() -> dict[str, dict]:
        if moment == backlog_at:
            kept = open_snapshot_rows(now=timezone.now(), max_age=open_snapshot_max_age(), unit_ids=unit_ids)
            if kept is not None:
                return open_figures_of(kept[1])
        return open_dossier_figures(moment=moment, backlog_at=backlog_at, unit_ids=unit_ids)

    return snapshot_cached("open_figures", (moment, backlog_at, scope), compute)


# Beat takes the open snapshot every minute (CELERY_BEAT_SCHEDULE "kpi-open-snapshot"); one
# older than this is not used (beat stopped, or behind): the page reads the open dossiers.
OPEN_SNAPSHOT_MAX_AGE = 90


def open_snapshot_max_age() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "PORTAL_KPI_OPEN_SNAPSHOT_MAX_AGE", OPEN_SNAPSHOT_MAX_AGE)))


# What a feedback source may return per group key (`satisfaction_source`), all counts.
FEEDBACK_FIGURES = ("complained", "petitions", "petitions_on_time", "petitions_answered", "petitions_satisfied")


def _add_feedback(out: dict, group_by: str, unit_ids, start: date, end: date) -> None:
    feedback = satisfaction_source()(unit_ids=unit_ids, start=start, end=end, group_by=group_by)
    for key, values in feedback.items():
        f = out.setdefault(key, rules.Figures())
        for name in FEEDBACK_FIGURES:
            setattr(f, name, getattr(f, name) + int(values.get(name, 0)))


def _add_payments(out: dict, group_by: str, unit_ids, start: date, end: date) -> None:
    """766 §4.2's numerator from the payments app while a gateway is configured; without one
    there is no online payment data, and `paid_online` stays None ("no data")."""
    from payments.services import payments_enabled

    if not payments_enabled():
        return
    paid = import_string(PAYMENT_SOURCE)(unit_ids=unit_ids, start=start, end=end, group_by=group_by)
    for f in out.values():
        f.paid_online = 0
    for key, values in paid.items():
        out.setdefault(key, rules.Figures(paid_online=0)).paid_online = values["paid_online"]


def _add_sync(out: dict, group_by: str, unit_ids, start: date, end: date) -> None:
    """766 §1.4's counts from the national portal's outbox while sync is configured
    (`PORTAL_NATIONAL_SYNC_URL`); without it no change is sent, and the counts stay None
    ("no data"). Every grouping carries them (by the dossier's lead unit, procedure, field, or
    the day of the change)."""
    from integrations.national.outbox import sync_enabled

    if not sync_enabled():
        return
    synced = import_string(SYNC_SOURCE)(unit_ids=unit_ids, start=start, end=end, group_by=group_by)
    for f in out.values():
        f.sync_changes, f.sync_acknowledged = 0, 0
    for key, values in synced.items():
        f = out.setdefault(key, rules.Figures(sync_changes=0, sync_acknowledged=0))
        f.sync_changes, f.sync_acknowledged = values["changes"], values["acknowledged"]


def procedures_paid_online(unit_ids, start: date, end: date) -> float | None:
    """766 §4.1 over the scope from the payments app while a gateway is configured, else None."""
    from payments.services import payments_enabled

    if not payments_enabled():
        return None
    counts = import_string(PROCEDURE_PAYMENT_SOURCE)(unit_ids=unit_ids, start=start, end=end)
    return rules.procedures_payment_rate(paid=counts["paid_online"], with_fee=counts["with_fee"])


def figures_by(*, unit_ids, start: date, end: date, group_by: str, open_by_key: dict | None = None) -> dict:
    """{group key: Figures}: facts, open at the period's end, complaints, online payments, sync.

    `open_by_key`: the open figures ({key: [open, open and late, waiting]} at the period's
    end) when the caller has them already (the dashboard's `open_figures`)."""
    out = facts_by(unit_ids=unit_ids, start=start, end=end, key=GROUP_FIELD[group_by])
    if open_by_key is None:
        _add_snapshot(out, group_by, unit_ids, start, end)
    else:
        _add_open(out, open_by_key)
    _add_feedback(out, group_by, unit_ids, start, end)
    _add_payments(out, group_by, unit_ids, start, end)
    _add_sync(out, group_by, unit_ids, start, end)
    return out


FIGURE_NAMES = tuple(f.name for f in fields(rules.Figures))


def total(figures: Iterable[rules.Figures]) -> rules.Figures:
    """The sum of `figures`, as `Figures.__add__` (None only where every one is None), in one pass."""
    sums = vars(rules.Figures())  # the defaults: 0, and None where there may be no data
    for f in figures:
        values = vars(f)
        for name in FIGURE_NAMES:
            value = values[name]
            if value is not None:
                sums[name] = (sums[name] or 0) + value
    return rules.Figures(**sums)


# -- presentation ----------------------------------------------------------------------------


def metrics(f: rules.Figures, *, basis: str | None = None) -> dict:
    """The API's figures for one group (shared/docs/api.md, GET /kpis)."""
    basis = basis or on_time_basis()
    return {
        "received": f.received,
        "finished": f.finished,
        "early": f.early,
        "on_time": f.on_time,
        "late": f.late,
        "open": f.open,
        "open_overdue": f.open_overdue,
        "open_on_time": f.open_on_time,
        "on_time_rate": rules.on_time_rate(f, basis=basis),
        "online_rate": rules.online_rate(f),
        "apologies": f.apologies,
        "late_without_apology": f.late_without_apology,
        "satisfaction_rate": rules.satisfaction_rate(f, basis=basis),
        "received_with_fee": f.received_with_fee,
    }


def unit_labels(ids: Iterable | None) -> dict[int, tuple[str, str]]:
    """{unit: (code, short name or name)} in the model's order; every unit's when `ids` is None."""
    units = Unit.objects.all() if ids is None else Unit.objects.filter(pk__in=[i for i in ids if i is not None])
    rows = units.values_list("pk", "code", "short_name", "name")
    return {pk: (code, short or name) for pk, code, short, name in rows}


def _labels(group_by: str, keys: Iterable) -> dict:
    keys = [k for k in keys if k is not None]
    if group_by == "unit":
        return unit_labels(keys)
    if group_by == "procedure":
        return {p.pk: (p.national_code, p.name) for p in Procedure.objects.filter(pk__in=keys)}
    if group_by == "field":
        return {f.pk: (f.code, f.name) for f in Field.objects.filter(pk__in=keys)}
    return {k: (k.isoformat(), k.strftime("%d/%m/%Y")) for k in keys}


def kpi_rows(
    *, unit_ids, start: date, end: date, group_by: str, figures: dict | None = None, labels: dict | None = None
) -> list[dict]:
    """One row per group: its code and name, then `metrics`; ordered by code. `labels`: the
    groups' (code, name) when the caller has read them."""
    if figures is None:
        figures = figures_by(unit_ids=unit_ids, start=start, end=end, group_by=group_by)
    if labels is None:
        labels = _labels(group_by, figures)
    basis = on_time_basis()
    rows = [
        {"code": labels.get(k, ("", ""))[0], "name": labels.get(k, ("", ""))[1], **metrics(f, basis=basis)}
        for k, f in figures.items()
        if k is not None
    ]
    return sorted(rows, key=lambda r: r["code"])


def procedures_online(unit_ids) -> float | None:
    """Share of the active procedures the scope decides that are offered online (766 group 3)."""
    qs = Procedure.objects.active()
    if unit_ids is not None:
        qs = qs.filter(pk__in=KpiFact.objects.filter(unit_id__in=unit_ids).values("procedure_id"))
    offered = Count("pk", filter=~Q(online_level=Procedure.OnlineLevel.NONE))
    return rules.procedures_online_rate(**qs.aggregate(offered=offered, total=Count("pk")))


def kpi_summary(*, unit_ids, start: date, end: date, by_unit: dict | None = None) -> dict:
    """The scope's totals for the period with every rule's value and the 766 group scores."""
    if by_unit is None:
        by_unit = figures_by(unit_ids=unit_ids, start=start, end=end, group_by="unit")
    f = total(by_unit.values())
    basis = on_time_basis()
    share = procedures_online(unit_ids)
    paid_share = procedures_paid_online(unit_ids, start, end)
    scores = rules.group_scores(f, procedures_online=share, basis=basis, procedures_paid_online=paid_share)
    return {
        "figures": f,
        **metrics(f, basis=basis),
        "on_time_count": rules.on_time_count(f, basis=basis),
        "on_time_denominator": rules.on_time_denominator(f, basis=basis),
        "late_rate": rules.late_rate(f, basis=basis),
        "procedures_online_rate": share,
        "online_payment_rate": rules.online_payment_rate(f),
        "procedures_paid_online_rate": paid_share,
        "sync_rate": rules.sync_rate(f),
        "digitisation_rate": rules.digitisation_rate(f),
        "electronic_result_rate": rules.electronic_result_rate(f),
        "petition_on_time_rate": rules.petition_on_time_rate(f),
        "petition_satisfaction_rate": rules.petition_satisfaction_rate(f),
        "average_processing_days": rules.average_processing_days(f),
        "saved_days": rules.saved_days(f),
        "scores": scores,
        "total_score": rules.total_score(scores),
    }
