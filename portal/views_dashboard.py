"""The supervisors' KPI dashboard and the public results page (công khai kết quả giải quyết)."""

from datetime import date, timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.calendar import FIRST_YEAR, LAST_YEAR, add_months
from dossiers.errors import DomainError
from dossiers.exports import MonthStart, xlsx_response
from dossiers.kpi import rules
from dossiers.kpi.rollup import TREND_COLUMNS, month_of, rollup_by_buckets, week_of
from dossiers.kpi.snapshots import AGE_BUCKETS, finished_late_by_responsible_unit, late_table
from dossiers.models import Unit

from . import charts
from .api_kpis import parse_period, parse_unit
from .kpis import (
    figures_by,
    figures_of,
    fragment_cached,
    is_kpi_reader,
    kpi_rows,
    kpi_scope,
    kpi_summary,
    open_figures,
    period_end,
    snapshot_cached,
    snapshot_now,
    unit_labels,
)

TABLES = ("units", "weeks", "months", "backlog", "late")
BAD_MONTH = gettext_lazy("Tháng không hợp lệ: dùng dạng mm/yyyy, từ năm %(first)s đến năm %(last)s.")


# -- trend -----------------------------------------------------------------------------------


def trend(*, unit_ids, end: date) -> dict[str, list[tuple[date, rules.Figures]]]:
    """Weekly (12 weeks, keyed by their Monday) and monthly (12 months, by MonthStart) figures up to
    `end`, from one roll-up query. Only what the trend shows is read (`TREND_COLUMNS`: received,
    finished early, on time and late, apologies); the other figures of these `Figures` are 0."""
    first_month = add_months(month_of(end), -11)
    week_keys = [week_of(end) - timedelta(weeks=k) for k in range(11, -1, -1)]
    spans = {"weeks": (week_keys[0], end, week_of), "months": (first_month, end, month_of)}
    sums = rollup_by_buckets(unit_ids=unit_ids, spans=spans, columns=TREND_COLUMNS)
    weeks = {k: figures_of(v) for k, v in sums["weeks"].items()}
    months = {k: figures_of(v) for k, v in sums["months"].items()}
    month_keys = sorted(months) or [end.replace(day=1)]
    return {
        "weeks": [(k, weeks.get(k, rules.Figures())) for k in week_keys],
        "months": [(MonthStart(k.year, k.month, 1), months.get(k, rules.Figures())) for k in month_keys],
    }


def trend_charts(series: dict) -> dict:
    out = {}
    for name, points in series.items():
        labels = [key.strftime("%m/%Y" if name == "months" else "%d/%m") for key, _f in points]
        out[name] = {
            "volume": charts.bar_chart(
                title=_("Hồ sơ tiếp nhận và đã giải quyết"),
                labels=labels,
                series=[
                    charts.Series(_("Tiếp nhận"), [f.received for _l, f in points]),
                    charts.Series(_("Đã giải quyết"), [f.finished for _l, f in points]),
                ],
            ),
            "rate": charts.line_chart(
                title=_("Tỷ lệ giải quyết đúng hạn trên hồ sơ đã giải quyết (%)"),
                labels=labels,
                series=[charts.Series(_("Đúng hạn"), [rules.on_time_rate(f, basis="finished") for _l, f in points])],
                ceiling=100,
            ),
        }
    return out


# -- tables ----------------------------------------------------------------------------------


def _with_labels_of(labels: dict, keys) -> dict:
    """`labels` ({unit: (code, name)}, the scope's) plus those of `keys` outside it (a late
    dossier's responsible unit may be)."""
    missing = {k for k in keys if k is not None and k not in labels}
    return {**labels, **unit_labels(missing)} if missing else labels


def tables(*, unit_ids, start: date, end: date, by_unit: dict, open_now: dict, labels: dict) -> dict[str, dict]:
    """Every table of the page as headers + rows (what the XLSX export writes too). `open_now`:
    `open_figures`; `labels`: {unit: (code, name)} of the scope."""
    rows = kpi_rows(
        unit_ids=unit_ids,
        start=start,
        end=end,
        group_by="unit",
        figures=by_unit,
        labels=_with_labels_of(labels, by_unit),
    )
    now = snapshot_now()
    scope = None if unit_ids is None else tuple(unit_ids)
    # Late in the period: finished late in it, and open and late at its end (766 §2.1), not today.
    t_start, t_end = period_end(start - timedelta(days=1), now=now), period_end(end, now=now)
    finished_late = snapshot_cached(
        "finished_late",
        (t_start, t_end, scope),
        lambda: finished_late_by_responsible_unit(start=t_start, end=t_end, unit_ids=unit_ids),
    )
    late = late_table(finished_late, open_now["late"])
    backlog = open_now["backlog"]
    names = {pk: f"{name} ({code})" for pk, (code, name) in _with_labels_of(labels, set(backlog) | set(late)).items()}
    series = trend(unit_ids=unit_ids, end=end)
    return {
        "units": _units_table(rows),
        "weeks": _trend_table(series["weeks"], _("Tuần từ")),
        "months": _trend_table(series["months"], _("Tháng")),
        "backlog": _backlog_table(backlog, names),
        "late": _late_table(late, names),
        "_series": series,
    }


def _units_table(rows: list[dict]) -> dict:
    headers = [_("Mã đơn vị"), _("Đơn vị"), _("Tiếp nhận"), _("Đã giải quyết"), _("Trước hạn"), _("Đúng hạn")]
    headers += [_("Quá hạn"), _("Đang giải quyết cuối kỳ"), _("Đang quá hạn cuối kỳ"), _("Tỷ lệ đúng hạn (%)")]
    headers += [_("Tỷ lệ trực tuyến (%)"), _("Xin lỗi"), _("Trễ hạn không xin lỗi"), _("Mức độ hài lòng (%)")]
    keys = ["code", "name", "received", "finished", "early", "on_time", "late", "open", "open_overdue"]
    keys += ["on_time_rate", "online_rate", "apologies", "late_without_apology", "satisfaction_rate"]
    return {"headers": headers, "rows": [[r[k] for k in keys] for r in rows]}


def _trend_table(points, first: str) -> dict:
    headers = [first, _("Tiếp nhận"), _("Đã giải quyết"), _("Đúng hạn và trước hạn"), _("Quá hạn"), _("Xin lỗi")]
    rows = [[label, f.received, f.finished, f.early + f.on_time, f.late, f.apologies] for label, f in points]
    return {"headers": headers, "rows": rows}


def _backlog_table(backlog: dict, names: dict) -> dict:
    labels = [f"{lo}–{hi}" if hi is not None else f"> {lo - 1}" for lo, hi in AGE_BUCKETS]
    headers = [_("Đơn vị"), *[_("%(days)s ngày làm việc") % {"days": label} for label in labels], _("Tổng")]
    rows = [[names.get(u, "—"), *counts, sum(counts)] for u, counts in backlog.items()]
    return {"headers": headers, "rows": sorted(rows)}


def _late_table(late: dict, names: dict) -> dict:
    headers = [_("Đơn vị làm trễ hạn"), _("Đã giải quyết quá hạn trong kỳ"), _("Đang quá hạn cuối kỳ")]
    rows = [[names.get(u, "—"), v["finished_late"], v["open_overdue"]] for u, v in late.items()]
    return {"headers": headers, "rows": sorted(rows)}


# -- views -----------------------------------------------------------------------------------


class BadRequest(Exception):
    """A filter of a KPI page the page cannot show: answered 400 with the message."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def bad_request_page(view):
    """`view`, whose BadRequest becomes the 400 page naming what was wrong."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as exc:
            context = {"message": exc.message, "back_url": request.path}
            return render(request, "bad_request.html", context, status=400)

    return wrapper


def _period(request) -> tuple[Unit | None, date, date]:
    try:
        start, end = parse_period(request.GET.get("from"), request.GET.get("to"))
        return parse_unit(request.GET.get("unit")), start, end
    except DomainError as exc:
        raise BadRequest(next(iter(exc.fields.values()), exc.message)) from None


def _scope_options(labels: dict) -> list[tuple[int, str, str]]:
    """(pk, code, label) of the units in scope, in the model's order: the unit picker."""
    return [(pk, code, label) for pk, (code, label) in labels.items()]


def _figures(unit_ids, start: date, end: date) -> tuple[dict, dict, dict]:
    """(labels of the scope's units, figures by unit, every table) of the period."""
    labels = unit_labels(unit_ids)
    open_now = open_figures(unit_ids=unit_ids, end=end)
    by_unit = figures_by(unit_ids=unit_ids, start=start, end=end, group_by="unit", open_by_key=open_now["by_unit"])
    data = tables(unit_ids=unit_ids, start=start, end=end, by_unit=by_unit, open_now=open_now, labels=labels)
    return labels, by_unit, data


def _export(request, unit_ids, start: date, end: date):
    name = request.GET.get("table", "units")
    if name not in TABLES:
        raise Http404
    table = _figures(unit_ids, start, end)[2][name]
    return xlsx_response(table["headers"], table["rows"], filename=f"chi-so-{name}.xlsx", title=name)


def _content(request, unit, unit_ids, start: date, end: date) -> str:
    """The page's body: heading, filters, cards, scores, charts and tables (`_content.html`)."""
    labels, by_unit, data = _figures(unit_ids, start, end)
    context = {
        "unit": unit,
        "start": start,
        "end": end,
        "summary": kpi_summary(unit_ids=unit_ids, start=start, end=end, by_unit=by_unit),
        "tables": data,
        "charts": trend_charts(data["_series"]),
        "scope_units": _scope_options(labels),
        "query": request.GET.urlencode(),
    }
    return render_to_string("dashboard/_content.html", context, request)


@login_required
@bad_request_page
def dashboard(request):
    """Province (or a unit's subtree) KPIs: 766 scores, trends, backlog, late units; ?format=xlsx.

    The body is rendered once per snapshot period for each scope, period, query and language,
    and shared through the cache (`fragment_cached`): what a reader sees depends on nothing else."""
    if not is_kpi_reader(request.user):
        raise PermissionDenied
    unit, start, end = _period(request)
    unit_ids = kpi_scope(request.user, unit)
    if request.GET.get("format") == "xlsx":
        return _export(request, unit_ids, start, end)
    scope = None if unit_ids is None else tuple(unit_ids)
    key = (scope, unit and unit.pk, start, end, request.GET.urlencode())
    content = fragment_cached("dashboard", key, lambda: _content(request, unit, unit_ids, start, end))
    return render(request, "dashboard/dashboard.html", {"content": content})


def _month(value: str | None) -> date:
    """mm/yyyy within the working calendar's years (the page has nothing to show outside them)."""
    today = timezone.localdate()
    if not value:
        return add_months(month_of(today), -1)
    try:
        month, year = (int(x) for x in value.split("/"))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(year)
        return date(year, month, 1)
    except ValueError:
        raise BadRequest(BAD_MONTH % {"first": FIRST_YEAR, "last": LAST_YEAR}) from None


@bad_request_page
def public_results(request):
    """Công khai kết quả giải quyết: per unit and month, no personal data."""
    start = _month(request.GET.get("month"))
    end = add_months(start, 1) - timedelta(days=1)
    try:
        unit = parse_unit(request.GET.get("unit"))
    except DomainError as exc:
        raise BadRequest(exc.message) from None
    unit_ids = list(Unit.objects.subtree_of([unit]).values_list("pk", flat=True)) if unit else None
    rows = kpi_rows(unit_ids=unit_ids, start=start, end=end, group_by="unit")
    context = {"unit": unit, "month": start, "rows": rows}
    return render(request, "dashboard/public_results.html", context)
