"""The overdue watch: flag due-soon, overdue and 2×/3×-overdue dossiers and late steps.

Level-triggered and set-based: each level is one statement over the open dossiers
whose threshold has passed and that are not yet flagged at that level (a partial
index per level holds exactly those: dossier_watch<level>_idx), so a run after an outage catches everything up, a run
with nothing new reads next to nothing, and running twice changes nothing more.
Each flag is an event on the dossier's timeline, dated when the threshold passed,
and lateness is attributed to the unit and officer of the first routing step that overran its
budget (services.fault), else to those holding the dossier at its due time.
"""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import OPEN, Dossier, DossierEvent, DossierStep, WatchLevel
from ..models.dossier import OPEN_RANGE_SQL

# level: (threshold column, action recorded on the timeline)
LEVELS: dict[int, tuple[str, str]] = {
    WatchLevel.DUE_SOON: ("soon_at", "flag_due_soon"),
    WatchLevel.OVERDUE: ("due_at", "flag_overdue"),
    WatchLevel.OVERDUE_2X: ("late2_at", "flag_overdue_2x"),
    WatchLevel.OVERDUE_3X: ("late3_at", "flag_overdue_3x"),
}
WATCHED_SQL = OPEN_RANGE_SQL.format(t="d.")


def watch_flag(*, at: datetime | None = None) -> dict[str, int]:
    """Run every level, then the steps; returns how many were flagged at each."""
    at = at or timezone.now()
    counts = {}
    for level in LEVELS:
        with transaction.atomic():
            counts[LEVELS[level][1]] = _flag_level(level, at)
    with transaction.atomic():
        counts["flag_step_overdue"] = _flag_steps(at)
    return counts


def _flag_level(level: int, at: datetime) -> int:
    if connection.vendor == "postgresql":
        return _flag_level_sql(level, at)
    return _flag_level_orm(level, at)


# The step at fault (services.fault): the first that overran its budget by the run's moment, else the
# one holding the dossier at its due time.
_OVERRAN = "COALESCE(s.due_at < COALESCE(s.finished_at, %(at)s), false)"
_AT_FAULT = f"""(SELECT s.{{col}} FROM dossiers_dossierstep s
               WHERE s.dossier_id = d.id AND s.started_at IS NOT NULL AND ({_OVERRAN} OR s.started_at <= d.due_at)
               ORDER BY {_OVERRAN} DESC, CASE WHEN {_OVERRAN} THEN s.position END,
                        s.started_at DESC, s.position DESC LIMIT 1)"""


def _flag_level_sql(level: int, at: datetime) -> int:
    column, action = LEVELS[level]
    attribution = ""
    if level == WatchLevel.OVERDUE:
        attribution = (
            f", late_unit_id = COALESCE({_AT_FAULT.format(col='unit_id')}, d.current_unit_id)"
            f", late_assignee_id = {_AT_FAULT.format(col='receiver_id')}"
        )
    # Due soon from its threshold on; overdue strictly after the appointment (as Dossier.objects.overdue()).
    passed = "<=" if level == WatchLevel.DUE_SOON else "<"
    # 2×/3× only once flagged overdue (the overdue statement of this run comes first, and a new
    # appointment lowers the level): the same as `due_at < now`, and it keeps to its own index.
    past_due = f"AND d.watch_level >= {int(WatchLevel.OVERDUE)}" if level > WatchLevel.OVERDUE else ""
    sql = f"""
        WITH flagged AS (
            UPDATE dossiers_dossier d SET watch_level = %(level)s {attribution}
            WHERE {WATCHED_SQL} AND d.watch_level < %(level)s AND d.{column} {passed} %(at)s {past_due}
            RETURNING d.id, d.status, d.current_unit_id, d.{column} AS passed_at
        )
        INSERT INTO dossiers_dossierevent
            (dossier_id, action, from_status, to_status, unit_id, effective_at, recorded_at, reason, data, is_public)
        SELECT id, %(action)s, status, status, current_unit_id, passed_at, %(at)s, '',
               jsonb_build_object('level', %(level)s), false
        FROM flagged
    """  # noqa: S608 — only our own column names are interpolated
    with connection.cursor() as cursor:
        # Planned for the whole table, each statement looks costly enough for JIT compilation,
        # which would cost more than the few rows a run finds.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, {"level": int(level), "at": at, "action": action})
        return cursor.rowcount


def _at_fault(column: str, at: datetime):
    """_AT_FAULT through the ORM."""
    overran = Q(due_at__lt=Coalesce(F("finished_at"), Value(at)))
    steps = DossierStep.objects.filter(dossier=OuterRef("pk"), started_at__isnull=False).filter(
        overran | Q(started_at__lte=OuterRef("due_at"))
    )
    steps = steps.annotate(
        overran=Case(When(overran, then=Value(1)), default=Value(0), output_field=IntegerField()),
        overran_position=Case(When(overran, then=F("position")), default=Value(None), output_field=IntegerField()),
    )
    ordered = steps.order_by("-overran", F("overran_position").asc(nulls_last=True), "-started_at", "-position")
    return Subquery(ordered.values(column)[:1])


def _flag_level_orm(level: int, at: datetime) -> int:
    """The same on databases without UPDATE … RETURNING in a CTE (SQLite)."""
    column, action = LEVELS[level]
    lookup = "lte" if level == WatchLevel.DUE_SOON else "lt"
    due = Dossier.objects.filter(status__in=OPEN, watch_level__lt=level, **{f"{column}__{lookup}": at})
    if level > WatchLevel.OVERDUE:
        due = due.filter(watch_level__gte=WatchLevel.OVERDUE)
    rows = list(due.select_for_update().values("id", "status", "current_unit_id", column))
    changes: dict[str, object] = {"watch_level": level}
    if level == WatchLevel.OVERDUE:
        unit = Coalesce(_at_fault("unit_id", at), F("current_unit_id"))
        changes |= {"late_unit_id": unit, "late_assignee_id": _at_fault("receiver_id", at)}
    Dossier.objects.filter(pk__in=[r["id"] for r in rows]).update(**changes)
    DossierEvent.objects.bulk_create(
        DossierEvent(
            dossier_id=r["id"],
            action=action,
            from_status=r["status"],
            to_status=r["status"],
            unit_id=r["current_unit_id"],
            effective_at=r[column],
            recorded_at=at,
            data={"level": int(level)},
            is_public=False,
        )
        for r in rows
    )
    return len(rows)


def _flag_steps(at: datetime) -> int:
    late = DossierStep.objects.filter(
        finished_at=None,
        started_at__isnull=False,
        flagged_late_at=None,
        due_at__lt=at,
        dossier__paused_at=None,
        dossier__status__in=OPEN,
    )
    rows = list(
        late.select_for_update(of=("self",)).values("id", "dossier_id", "unit_id", "name", "due_at", "dossier__status")
    )
    DossierStep.objects.filter(pk__in=[r["id"] for r in rows]).update(flagged_late_at=at)
    DossierEvent.objects.bulk_create(
        DossierEvent(
            dossier_id=r["dossier_id"],
            action="flag_step_overdue",
            from_status=r["dossier__status"],
            to_status=r["dossier__status"],
            unit_id=r["unit_id"],
            effective_at=r["due_at"],
            recorded_at=at,
            data={"step": r["name"]},
            is_public=False,
        )
        for r in rows
    )
    return len(rows)


def level_at(dossier: Dossier, at: datetime) -> int:
    """The watch level the dossier's thresholds give at `at` (for lowering after a new date)."""
    if dossier.due_at is None:
        return WatchLevel.NONE
    level = WatchLevel.NONE
    if dossier.soon_at and dossier.soon_at <= at:
        level = WatchLevel.DUE_SOON
    if dossier.due_at < at:
        level = WatchLevel.OVERDUE
        for threshold, reached in (
            (dossier.late2_at, WatchLevel.OVERDUE_2X),
            (dossier.late3_at, WatchLevel.OVERDUE_3X),
        ):
            if threshold and threshold < at:
                level = reached
    return level
