"""What is open at a moment, read at query time (docs/adr/0002-kpi-facts.md, docs/rules-766.md).

An open dossier turns overdue with no write at all, so these figures are not kept as
facts: they are one indexed aggregate over the dossiers unfinished at the moment.
Decision 766 §2.1 judges an open dossier at the period's end as if it ended then: on time
while that moment minus the clock time it waited for the citizen is by its appointment and
it had at most one supplement request (`dossiers.kpi.timeliness.classify`, the same rule).
For a past moment, what the dossier looked like then comes from its clock ledger and events.
"""

from datetime import datetime

from django.db import connection

from ..calendar_store import calendar_for
from ..models import ClockEntry, Dossier, DossierEvent, KpiDay
from .rules import DAY_SECONDS
from .sql import ON_TIME_766, UTC_OFFSET, Dialect
from .timeliness import MAX_SUPPLEMENTS, epoch

AGE_BUCKETS = ((0, 5), (6, 10), (11, 20), (21, None))  # working days since receipt


def _moments_cte(moments: list[tuple[str, datetime]]) -> tuple[str, list]:
    """m(label, at, ep): each moment and its local epoch second (as `Dialect.local_epoch`)."""
    rows = ", ".join("(%s, %s, %s)" for _ in moments)
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


def late_by_responsible_unit(*, start: datetime, end: datetime, unit_ids=None) -> dict[int, dict[str, int]]:
    """Late dossiers per unit at fault (`late_unit`, else the lead unit) under 766 §2.1:
    finished late in [start, end), and open and late at `end` (the period's end, not today).

    The finished ones read a partial index holding only the dossiers finished late (PostgreSQL);
    the condition below is written as the index's so the planner can use it."""
    units, params = _units_clause(unit_ids)
    adapt = connection.ops.adapt_datetimefield_value
    finished = (
        f"SELECT COALESCE(d.late_unit_id, d.lead_unit_id), COUNT(*) FROM {Dossier._meta.db_table} d"
        f" WHERE NOT {ON_TIME_766} AND d.finished_at >= %s AND d.finished_at < %s"
        f" AND d.received_at IS NOT NULL{units} GROUP BY 1"
    )
    out: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(finished, [adapt(start), adapt(end), *params])
        for unit, n in cursor.fetchall():
            out.setdefault(unit, {"finished_late": 0, "open_overdue": 0})["finished_late"] = n
        query, args = _open_query([("end", end)], unit_ids, keys="COALESCE(d.late_unit_id, d.lead_unit_id)")
        cursor.execute(query, args)
        for unit, _open, late, _waiting in cursor.fetchall():
            if late:
                out.setdefault(unit, {"finished_late": 0, "open_overdue": 0})["open_overdue"] = int(late)
    return out
