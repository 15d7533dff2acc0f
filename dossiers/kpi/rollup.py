"""Roll-ups of the KPI facts per lead unit: day, ISO week and month (`KpiRollup`).

The facts are per lead unit × procedure × day — about one dossier per row, so a dashboard
over 700 units and a year would sum millions of them. The roll-ups drop the procedure and
add week and month totals; a period is read as whole months, whole weeks and single days
(`pieces`), so the rows read grow with the units in scope, not with history.

Written only here, always from the facts and in the facts' transaction: the full rebuild
sums all facts (days) and then the days (weeks, months); the incremental refresh recomputes
the days whose facts changed, then their weeks and months. Both give the same rows.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta

from django.db import connection
from django.db.models import Q, Sum

from ..calendar import add_months
from ..models import KpiFact, KpiRollup
from .sql import COLUMNS, Dialect, _t, values_sql

DAY, WEEK, MONTH = KpiRollup.Grain.DAY, KpiRollup.Grain.WEEK, KpiRollup.Grain.MONTH
BATCH = 500  # keys per statement
# What the dashboard's trend shows (received, finished early / on time / late, apologies): the
# columns `kpirollup_trend_idx` carries, so 12 weeks and 12 months of every unit read the index alone.
TREND_COLUMNS = (
    "received_counter",
    "received_online",
    "received_postal",
    "finished",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "apologies",
)


def week_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def month_of(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return add_months(month_of(d), 1)


def _sql_bucket(sql: Dialect, grain: str, col: str) -> str:
    if grain == WEEK:
        if sql.pg:
            return f"({col} - (EXTRACT(ISODOW FROM {col})::int - 1))"
        return f"date({col}, '-' || ((CAST(strftime('%%w', {col}) AS INTEGER) + 6) %% 7) || ' days')"
    if sql.pg:
        return f"(date_trunc('month', {col})::date)"
    return f"date({col}, 'start of month')"


def _cols() -> str:
    return ", ".join(COLUMNS)


def _sums(alias: str) -> str:
    return ", ".join(f"SUM({alias}.{c})" for c in COLUMNS)


def rollup_rebuild(cursor) -> None:
    """Every roll-up row from the facts (inside the rebuild's transaction)."""
    sql, table, cols = Dialect.current(), _t(KpiRollup), _cols()
    cursor.execute(f"TRUNCATE {table}" if sql.pg else f"DELETE FROM {table}")
    insert = f"INSERT INTO {table} (grain, unit_id, start, {cols})"
    days = f"SELECT '{DAY}', f.unit_id, f.day, {_sums('f')} FROM {_t(KpiFact)} f GROUP BY f.unit_id, f.day"
    cursor.execute(f"{insert} {days}", [])
    for grain in (WEEK, MONTH):
        bucket = _sql_bucket(sql, grain, "r.start")
        select = (
            f"SELECT '{grain}', r.unit_id, {bucket}, {_sums('r')} FROM {table} r"
            f" WHERE r.grain = '{DAY}' GROUP BY r.unit_id, {bucket}"
        )
        cursor.execute(f"{insert} {select}", [])


def rollup_refresh(cursor, keys: Iterable[tuple[int, date]]) -> int:
    """Recompute the roll-ups of these (lead unit, day) keys whose facts changed: the days
    from the facts, then their weeks and months from the days. Returns the keys seen."""
    keys = sorted(set(keys))
    if not keys:
        return 0
    table, cols = _t(KpiRollup), _cols()
    insert = f"INSERT INTO {table} (grain, unit_id, start, {cols})"
    for i in range(0, len(keys), BATCH):
        values, params = values_sql(keys[i : i + BATCH])
        cursor.execute(f"DELETE FROM {table} WHERE grain = '{DAY}' AND (unit_id, start) IN ({values})", params)
        cursor.execute(
            f"WITH v(u, d) AS ({values}) {insert} SELECT '{DAY}', f.unit_id, f.day, {_sums('f')}"
            f" FROM {_t(KpiFact)} f JOIN v ON f.unit_id = v.u AND f.day = v.d GROUP BY f.unit_id, f.day",
            params,
        )
    spans = {(WEEK, u, week_of(d), week_of(d) + timedelta(days=7)) for u, d in keys}
    spans |= {(MONTH, u, month_of(d), _next_month(d)) for u, d in keys}
    ordered = sorted(spans)
    for i in range(0, len(ordered), BATCH):
        batch = ordered[i : i + BATCH]
        values, params = values_sql([(g, u, s) for g, u, s, _e in batch])
        cursor.execute(f"DELETE FROM {table} WHERE (grain, unit_id, start) IN ({values})", params)
        values, params = values_sql(batch)
        cursor.execute(
            f"WITH v(g, u, s, e) AS ({values}) {insert} SELECT v.g, v.u, v.s, {_sums('r')}"
            f" FROM v JOIN {table} r ON r.grain = '{DAY}' AND r.unit_id = v.u AND r.start >= v.s AND r.start < v.e"
            " GROUP BY v.g, v.u, v.s",
            params,
        )
    return len(keys)


def facts_keys(cursor, pairs_sql: str, params: list) -> set[tuple[int, date]]:
    """(unit, day) of the facts of some (lead unit, procedure) pairs (`pairs_sql`: VALUES …)."""
    cursor.execute(
        f"SELECT DISTINCT unit_id, day FROM {_t(KpiFact)} WHERE (unit_id, procedure_id) IN ({pairs_sql})", params
    )
    return {(u, d if isinstance(d, date) else date.fromisoformat(d)) for u, d in cursor.fetchall()}


# -- reading -----------------------------------------------------------------------------------


def pieces(start: date, end: date, bucket: Callable[[date], object]) -> list[tuple[str, date, object]]:
    """[start, end] as roll-up rows (grain, first day, bucket): whole months, else whole weeks,
    else days, none of them crossing a bucket of `bucket` (e.g. a week, a month, the period)."""
    out: list[tuple[str, date, object]] = []
    d = start
    while d <= end:
        month_last = _next_month(d) - timedelta(days=1)
        week_last = d + timedelta(days=6)
        if d.day == 1 and month_last <= end and bucket(d) == bucket(month_last):
            out.append((MONTH, d, bucket(d)))
            d = month_last + timedelta(days=1)
        elif d.weekday() == 0 and week_last <= end and bucket(d) == bucket(week_last):
            out.append((WEEK, d, bucket(d)))
            d = week_last + timedelta(days=1)
        else:
            out.append((DAY, d, bucket(d)))
            d += timedelta(days=1)
    return out


def _where(parts: list[tuple[str, date, object]]) -> Q:
    by_grain: dict[str, list[date]] = {}
    for grain, first, _b in parts:
        by_grain.setdefault(grain, []).append(first)
    q = Q(pk__in=[])
    for grain, starts in by_grain.items():
        if grain == DAY and len(starts) > 31:
            q |= Q(grain=grain, start__gte=min(starts), start__lte=max(starts))
        else:
            q |= Q(grain=grain, start__in=starts)
    return q


def _sum_columns() -> dict:
    return {c: Sum(c) for c in COLUMNS}


def rollup_by_unit(*, unit_ids, start: date, end: date) -> dict[int, dict]:
    """{lead unit: {column: sum}} over [start, end]."""
    qs = KpiRollup.objects.filter(_where(pieces(start, end, lambda d: None)))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    # Read through a plain cursor: the same ints, without the ORM's per-row conversion of ~700
    # rows × 21 sums (about half of this call's time at 300k dossiers).
    sql, params = qs.values("unit_id").annotate(**_sum_columns()).order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description][1:]
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in cursor.fetchall()}


def rollup_by_buckets(
    *, unit_ids, spans: Mapping[str, tuple[date, date, Callable[[date], object]]], columns: Sequence[str] = COLUMNS
) -> dict:
    """{name: {bucket: {column: sum}}} for several (start, end, bucket function) at once: one query.

    `columns`: the fact columns summed; the others are 0 in the result. With `TREND_COLUMNS` the
    query reads `kpirollup_trend_idx` alone (index-only, one probe per (grain, start) piece)."""
    parts = {name: pieces(a, b, fn) for name, (a, b, fn) in spans.items()}
    keys = sorted({(grain, first) for p in parts.values() for grain, first, _b in p})
    ids = None if unit_ids is None else sorted(unit_ids)
    rows: dict = {}
    if keys and ids != []:
        values, params = values_sql(keys)
        where = ""
        if ids is not None:
            where = f" WHERE r.unit_id IN ({', '.join(['%s'] * len(ids))})"
            params += ids
        sums = ", ".join(f"SUM(r.{c})" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(g, s) AS ({values}) SELECT r.grain, r.start, {sums} FROM v JOIN {_t(KpiRollup)} r"
                f" ON r.grain = v.g AND r.start = v.s{where} GROUP BY r.grain, r.start",
                params,
            )
            for grain, first, *total in cursor.fetchall():
                first = first if isinstance(first, date) else date.fromisoformat(first)
                rows[(grain, first)] = dict(zip(columns, total, strict=True))
    out: dict = {}
    for name, p in parts.items():
        buckets = out.setdefault(name, {})
        for grain, first, b in p:
            row = rows.get((grain, first))
            if row is None:
                continue
            into = buckets.setdefault(b, dict.fromkeys(COLUMNS, 0))
            for c, value in row.items():
                into[c] += value or 0
    return out
