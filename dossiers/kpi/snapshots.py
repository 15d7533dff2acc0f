"""What is open at a moment, read at query time (docs/adr/0002-kpi-facts.md, docs/rules-766.md).

An open dossier turns overdue with no write at all, so these figures are not kept as
facts: they are one indexed aggregate over the dossiers unfinished at the moment. For the
moment "now", beat keeps that aggregate every minute (`open_snapshot_take`, `KpiOpenSnapshot`),
and the current period's dashboard reads the kept rows while they are fresh.
Decision 766 §2.1 judges an open dossier at the period's end as if it ended then: on time
while that moment minus the clock time it waited for the citizen is by its appointment and
it had at most one supplement request (`dossiers.kpi.timeliness.classify`, the same rule).
For a past moment, what the dossier looked like then comes from its clock ledger and events.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from ..calendar_store import calendar_for
from ..models import ClockEntry, Dossier, DossierEvent, KpiDay, KpiOpenSnapshot
from .rules import DAY_SECONDS
from .sql import ON_TIME_766, UTC_OFFSET, Dialect
from .timeliness import MAX_SUPPLEMENTS, epoch

AGE_BUCKETS = ((0, 5), (6, 10), (11, 20), (21, None))  # working days since receipt


def _moments_cte(moments: list[tuple[str, datetime]]) -> tuple[str, list]:
    """m(label, at, ep): each moment and its local epoch second (as `Dialect.local_epoch`)."""
    # The epoch typed as bigint: a Python int is sent as numeric, which made every
    # comparison with it numeric arithmetic.
    ep = "CAST(%s AS BIGINT)" if connection.vendor == "postgresql" else "%s"
    rows = ", ".join(f"(%s, %s, {ep})" for _ in moments)
    adapt = connection.ops.adapt_datetimefield_value
    params = [p for label, at in moments for p in (label, adapt(at), epoch(at) + UTC_OFFSET)]
    return f"WITH m(label, at, ep) AS (VALUES {rows})", params


def _units_clause(unit_ids, column: str = "d.lead_unit_id") -> tuple[str, list[int]]:
    if unit_ids is None:
        return "", []
    ids = list(unit_ids) or [0]
    return f" AND {column} IN ({', '.join('%s' for _ in ids)})", ids


CANDIDATE_COLUMNS = (
    "id, lead_unit_id, late_unit_id, procedure_id, received_at, finished_at, paused_at, due_at_original,"
    " waiting_clock_seconds, supplement_count, updated_at"
)


def _candidates(units: str) -> str:
    """Dossiers that may be open at one of the moments: unfinished ones (a partial index),
    and those finished after the earliest moment (the finished_at index) — no full scan."""
    table = Dossier._meta.db_table
    unfinished = f"SELECT {CANDIDATE_COLUMNS} FROM {table} d WHERE d.finished_at IS NULL AND d.received_at IS NOT NULL"
    # The earliest moment as a parameter, not `(SELECT MIN(at) FROM m)`: unknown at plan time, that
    # made PostgreSQL expect a third of the table here (3.3M rows at 10M dossiers) and spend ~0.4 s
    # compiling the query with JIT for the ~60,000 rows it then read.
    later = f"SELECT {CANDIDATE_COLUMNS} FROM {table} d WHERE d.finished_at > %s"
    return f"{unfinished}{units} UNION ALL {later} AND d.received_at IS NOT NULL{units}"


def _waited(sql: Dialect) -> str:
    """Clock seconds the dossier had waited for the citizen by the moment `m` (766 §2.1).

    Never waited: 0. Unchanged since the moment: its stored closed waits plus the open one.
    Changed since (a past period): its clock ledger up to the moment, read only for those —
    each wait counts `m − pause` and each closing entry `close − m`, which sums to the
    closed waits plus the open one (`timeliness.ledger_wait_seconds`)."""
    paused = sql.local_epoch("d.paused_at")
    at = sql.local_epoch("c.at")
    ledger = (
        f"(SELECT COALESCE(SUM(CASE WHEN c.kind = 'pause' THEN m.ep - {at} ELSE {at} - m.ep END), 0)"
        f" FROM {ClockEntry._meta.db_table} c WHERE c.dossier_id = d.id"
        " AND c.kind IN ('pause', 'resume', 'reset') AND c.at <= m.at)"
    )
    return (
        "(CASE WHEN d.waiting_clock_seconds = 0 AND d.paused_at IS NULL THEN 0"
        " WHEN d.updated_at <= m.at THEN d.waiting_clock_seconds"
        f" + CASE WHEN d.paused_at < m.at THEN m.ep - {paused} ELSE 0 END"
        f" ELSE {ledger} END)"
    )


def _supplements() -> str:
    """Supplement requests made by the moment: the stored count, or the events if it changed since."""
    counted = (
        f"(SELECT COUNT(*) FROM {DossierEvent._meta.db_table} e WHERE e.dossier_id = d.id"
        " AND e.action = 'request_supplement' AND e.effective_at <= m.at)"
    )
    return f"(CASE WHEN d.supplement_count <= {MAX_SUPPLEMENTS} OR d.updated_at <= m.at THEN d.supplement_count ELSE {counted} END)"  # noqa: E501


def late_at_moment(sql: Dialect) -> str:
    """766 §2.1 for a dossier open at the moment `m`, as if it ended then (`timeliness.classify`)."""
    due = sql.local_epoch("d.due_at_original")
    return f"(d.due_at_original IS NULL OR {_supplements()} > {MAX_SUPPLEMENTS} OR m.ep - {_waited(sql)} > {due})"


OPEN_AT_MOMENT = "d.received_at <= m.at AND (d.finished_at IS NULL OR d.finished_at > m.at)"


def _open_query(moments, unit_ids, *, keys: str) -> tuple[str, list]:
    """SELECT `keys`, open, open and late at the moment, waiting at the moment, grouped by `keys`."""
    sql = Dialect.current()
    cte, params = _moments_cte(moments)
    units, unit_params = _units_clause(unit_ids)
    query = (
        f"{cte}, d AS ({_candidates(units)}) SELECT {keys}, COUNT(*),"
        f" SUM(CASE WHEN {late_at_moment(sql)} THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN d.paused_at IS NOT NULL AND d.paused_at <= m.at THEN 1 ELSE 0 END)"
        f" FROM m JOIN d ON {OPEN_AT_MOMENT} GROUP BY {keys}"
    )
    earliest = connection.ops.adapt_datetimefield_value(min(at for _label, at in moments))
    return query, params + unit_params + [earliest] + unit_params


def open_at(*, moments: list[tuple[str, datetime]], unit_ids=None) -> list[tuple]:
    """(label, lead unit, procedure, open, open and late under 766, waiting) at each labelled moment."""
    query, params = _open_query(moments, unit_ids, keys="m.label, d.lead_unit_id, d.procedure_id")
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [(str(r[0]), r[1], r[2], r[3], int(r[4] or 0), int(r[5] or 0)) for r in cursor.fetchall()]


def _bucket_case(age: str) -> str:
    whens = [f"WHEN {age} <= {hi} THEN {i}" for i, (_lo, hi) in enumerate(AGE_BUCKETS) if hi is not None]
    return f"CASE {' '.join(whens)} ELSE {len(AGE_BUCKETS) - 1} END"


def backlog_by_age(*, at: datetime, unit_ids=None) -> dict[int, list[int]]:
    """Open dossiers per lead unit by working days since receipt: {unit: [count per bucket]}."""
    sql = Dialect.current()
    units, params = _units_clause(unit_ids)
    age = f"(({calendar_for(None).position(at)} - {sql.position('d.received_at', 'kr')}) / {DAY_SECONDS})"
    query = (
        f"SELECT d.lead_unit_id, {_bucket_case(age)} AS bucket, COUNT(*) FROM {Dossier._meta.db_table} d"
        f" LEFT JOIN {KpiDay._meta.db_table} kr ON kr.day = {sql.day('d.received_at')}"
        f" WHERE d.finished_at IS NULL AND d.received_at IS NOT NULL{units} GROUP BY 1, 2"
    )
    out: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for unit_id, bucket, n in cursor.fetchall():
            out.setdefault(unit_id, [0] * len(AGE_BUCKETS))[int(bucket)] += n
    return out


def finished_late_by_responsible_unit(*, start: datetime, end: datetime, unit_ids=None) -> dict[int, int]:
    """Dossiers finished late in [start, end) per unit at fault (`late_unit`, else the lead unit).

    They are read from a partial index holding only the dossiers finished late (PostgreSQL);
    the condition below is written as the index's so the planner can use it."""
    units, params = _units_clause(unit_ids)
    adapt = connection.ops.adapt_datetimefield_value
    finished = (
        f"SELECT COALESCE(d.late_unit_id, d.lead_unit_id), COUNT(*) FROM {Dossier._meta.db_table} d"
        f" WHERE NOT {ON_TIME_766} AND d.finished_at >= %s AND d.finished_at < %s"
        f" AND d.received_at IS NOT NULL{units} GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(finished, [adapt(start), adapt(end), *params])
        return dict(cursor.fetchall())


def late_table(finished_late: dict[int, int], open_overdue: dict[int, int]) -> dict[int, dict[str, int]]:
    """{unit: {"finished_late", "open_overdue"}} of the units with either."""
    out: dict[int, dict[str, int]] = {}
    for unit, n in finished_late.items():
        out.setdefault(unit, {"finished_late": 0, "open_overdue": 0})["finished_late"] = n
    for unit, n in open_overdue.items():
        if n:
            out.setdefault(unit, {"finished_late": 0, "open_overdue": 0})["open_overdue"] = int(n)
    return out


def late_by_responsible_unit(*, start: datetime, end: datetime, unit_ids=None) -> dict[int, dict[str, int]]:
    """Late dossiers per unit at fault (`late_unit`, else the lead unit) under 766 §2.1:
    finished late in [start, end), and open and late at `end` (the period's end, not today)."""
    finished = finished_late_by_responsible_unit(start=start, end=end, unit_ids=unit_ids)
    query, args = _open_query([("end", end)], unit_ids, keys="COALESCE(d.late_unit_id, d.lead_unit_id)")
    with connection.cursor() as cursor:
        cursor.execute(query, args)
        open_late = {unit: late for unit, _open, late, _waiting in cursor.fetchall()}
    return late_table(finished, open_late)


def backlog_edges(at: datetime) -> list[datetime | None]:
    """The received instants that split `AGE_BUCKETS` at `at`: a dossier received at or after
    edge k is at most `hi` working days old (as `backlog_by_age` counts: whole working days,
    the received instant floored to the second). None: every dossier is that young."""
    cal = calendar_for(None)
    now = cal.position(at)
    edges = []
    for _lo, hi in AGE_BUCKETS[:-1]:
        # age <= hi  ⟺  now − position(received) < (hi + 1) days  ⟺  position(received) ≥ first
        first = now - (hi + 1) * DAY_SECONDS + 1
        edges.append(cal.instant(first) if first > 0 else None)
    return edges


def _edges_case(edges: list[datetime | None]) -> tuple[str, list]:
    adapt = connection.ops.adapt_datetimefield_value
    whens, params = [], []
    for i, edge in enumerate(edges):
        if edge is None:
            whens.append(f"WHEN TRUE THEN {i}")
        else:
            whens.append(f"WHEN d.received_at >= %s THEN {i}")
            params.append(adapt(edge))
    return f"CASE {' '.join(whens)} ELSE {len(edges)} END", params


def open_dossiers(*, moment: datetime, backlog_at: datetime, unit_ids=None) -> list[tuple]:
    """The dashboard's open-dossier figures from one read of the open dossiers: per (lead unit,
    responsible unit), how many are open at `moment`, open and late then, waiting then, and how
    many unfinished ones fall in each of `AGE_BUCKETS` at `backlog_at`.

    Open, late and waiting are as `open_at`; the responsible unit (`late_unit`, else the lead
    unit) as `late_by_responsible_unit`; the buckets as `backlog_by_age` — their working-day
    edges turned into received instants here, so no row is looked up in the calendar."""
    sql = Dialect.current()
    cte, params = _moments_cte([("m", moment)])
    units, unit_params = _units_clause(unit_ids)
    bucket, bucket_params = _edges_case(backlog_edges(backlog_at))
    is_open = f"({OPEN_AT_MOMENT})"
    # Each dossier's flags computed once in a subquery (OFFSET 0: not folded into the sums),
    # then summed per (lead, responsible): a few hundred groups, a hash aggregate.
    fence = " OFFSET 0" if sql.pg else ""
    flags = (
        f"SELECT d.lead_unit_id AS lead, COALESCE(d.late_unit_id, d.lead_unit_id) AS responsible,"
        f" {_b(is_open)} AS is_open, {_b(f'{is_open} AND {late_at_moment(sql)}')} AS is_late,"
        f" {_b(f'{is_open} AND d.paused_at IS NOT NULL AND d.paused_at <= m.at')} AS waiting,"
        f" CASE WHEN d.finished_at IS NULL THEN {bucket} ELSE -1 END AS bucket FROM m CROSS JOIN d{fence}"
    )
    buckets = ", ".join(f"SUM(CASE WHEN bucket = {i} THEN 1 ELSE 0 END)" for i in range(len(AGE_BUCKETS)))
    query = (
        f"{cte}, d AS ({_candidates(units)}) SELECT lead, responsible, SUM(is_open), SUM(is_late), SUM(waiting),"
        f" {buckets} FROM ({flags}) f GROUP BY lead, responsible"
    )
    earliest = connection.ops.adapt_datetimefield_value(moment)
    args = params + unit_params + [earliest] + unit_params + bucket_params
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if sql.pg:
            # The correlated subqueries (read only for dossiers changed since the moment) make the
            # estimate ~17× the real cost: with JIT this statement took 1.5 s instead of 60 ms at
            # 300k dossiers, and parallel workers doubled it on a busy machine.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)"
            )
        cursor.execute(query, args)
        return [(r[0], r[1], *(int(n or 0) for n in r[2:])) for r in cursor.fetchall()]


def _b(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def open_dossier_figures(*, moment: datetime, backlog_at: datetime, unit_ids=None) -> dict[str, dict]:
    """`open_dossiers` summed for the dashboard: "by_unit" {lead unit: [open, open and late,
    waiting]} at `moment`, "late" {responsible unit: open and late at `moment`}, "backlog"
    {lead unit: [count per age bucket]} at `backlog_at` (units with unfinished dossiers)."""
    return open_figures_of(open_dossiers(moment=moment, backlog_at=backlog_at, unit_ids=unit_ids))


def open_figures_of(rows: Iterable[Sequence[int]]) -> dict[str, dict]:
    """`open_dossier_figures` from rows of `open_dossiers` (read now, or kept in a snapshot)."""
    by_unit: dict[int, list[int]] = {}
    late: dict[int, int] = {}
    backlog: dict[int, list[int]] = {}
    for lead, responsible, n, n_late, waiting, *ages in rows:
        if n:
            sums = by_unit.setdefault(lead, [0, 0, 0])
            sums[0], sums[1], sums[2] = sums[0] + n, sums[1] + n_late, sums[2] + waiting
            late[responsible] = late.get(responsible, 0) + n_late
        if any(ages):
            counts = backlog.setdefault(lead, [0] * len(AGE_BUCKETS))
            backlog[lead] = [a + b for a, b in zip(counts, ages, strict=True)]
    return {"by_unit": by_unit, "late": late, "backlog": backlog}


# -- the per-minute snapshot -------------------------------------------------------------------

OPEN_SNAPSHOT = "open"


def open_snapshot_take(*, at: datetime | None = None) -> int:
    """Read every unit's open dossiers at `at` (now) once and keep the rows (`KpiOpenSnapshot`):
    beat runs this every minute, so the current period's dashboard reads a few hundred rows, not
    every open dossier. Returns the number of (lead, responsible) rows kept."""
    at = at or timezone.now()
    rows = [list(row) for row in open_dossiers(moment=at, backlog_at=at)]
    KpiOpenSnapshot.objects.update_or_create(name=OPEN_SNAPSHOT, defaults={"taken_at": at, "rows": rows})
    return len(rows)


def open_snapshot_rows(*, now: datetime, max_age: timedelta, unit_ids=None) -> tuple[datetime, list] | None:
    """The kept snapshot's moment and its rows of lead units in `unit_ids` (None: all), when it was
    taken at most `max_age` before `now` and not after it; None otherwise (the caller reads live)."""
    kept = (
        KpiOpenSnapshot.objects.filter(name=OPEN_SNAPSHOT, taken_at__gt=now - max_age, taken_at__lte=now)
        .values_list("taken_at", "rows")
        .first()
    )
    if kept is None:
        return None
    taken_at, rows = kept
    if unit_ids is not None:
        scope = set(unit_ids)
        rows = [row for row in rows if row[0] in scope]
    return taken_at, rows
