"""What is open at a moment, read at query time (docs/adr/0002-kpi-facts.md).

An open dossier turns overdue with no write at all, so these figures are not kept as
facts: they are one indexed aggregate over the dossiers unfinished at the moment.
Decision 766 judges an open dossier at the period's end: it counts late when, at that
moment, more working time has run than its original appointment allowed, the time spent
waiting for the citizen not counted.
"""

from datetime import datetime

from django.db import connection

from ..models import Dossier, KpiDay, WatchLevel
from ..models.dossier import OPEN
from ..workdays import calendar_for
from .rules import DAY_SECONDS
from .sql import ON_TIME_766, Dialect

AGE_BUCKETS = ((0, 5), (6, 10), (11, 20), (21, None))  # working days since receipt


def _moments_cte(moments: list[tuple[str, datetime]]) -> tuple[str, list]:
    cal = calendar_for(None)
    rows = ", ".join("(%s, %s, %s)" for _ in moments)
    adapt = connection.ops.adapt_datetimefield_value
    params = [p for label, at in moments for p in (label, adapt(at), cal.position(at))]
    return f"WITH m(label, at, pos) AS (VALUES {rows})", params


def _units_clause(unit_ids) -> tuple[str, list[int]]:
    if unit_ids is None:
        return "", []
    ids = list(unit_ids) or [0]
    return f" AND d.lead_unit_id IN ({', '.join('%s' for _ in ids)})", ids


CANDIDATE_COLUMNS = (
    "id, lead_unit_id, procedure_id, received_at, finished_at, paused_at, due_at_original, waiting_seconds"
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


def open_at(*, moments: list[tuple[str, datetime]], unit_ids=None) -> list[tuple]:
    """(label, lead unit, procedure, open, open overdue, waiting) at each labelled moment."""
    sql = Dialect.current()
    cte, params = _moments_cte(moments)
    units, unit_params = _units_clause(unit_ids)
    now_pos = f"CASE WHEN d.paused_at IS NOT NULL AND d.paused_at <= m.at THEN {sql.position('d.paused_at', 'kp')} ELSE m.pos END"  # noqa: E501
    overdue = (
        f"d.due_at_original IS NOT NULL AND {now_pos} > {sql.position('d.due_at_original', 'ko')} + d.waiting_seconds"  # noqa: E501
    )
    days = KpiDay._meta.db_table
    query = (
        f"{cte}, d AS ({_candidates(units)}) SELECT m.label, d.lead_unit_id, d.procedure_id, COUNT(*),"
        f" SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN d.paused_at IS NOT NULL AND d.paused_at <= m.at THEN 1 ELSE 0 END)"
        " FROM m JOIN d ON d.received_at <= m.at AND (d.finished_at IS NULL OR d.finished_at > m.at)"
        f" LEFT JOIN {days} ko ON ko.day = {sql.day('d.due_at_original')}"
        f" LEFT JOIN {days} kp ON kp.day = {sql.day('d.paused_at')}"
        " GROUP BY m.label, d.lead_unit_id, d.procedure_id"
    )
    with connection.cursor() as cursor:
        earliest = connection.ops.adapt_datetimefield_value(min(at for _label, at in moments))
        cursor.execute(query, params + unit_params + [earliest] + unit_params)
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
    """Late dossiers per unit at fault (`late_unit`, else the lead unit): finished late in
    [start, end), and open now past the appointment as the watch job flagged them.

    Both read partial indexes that hold only those dossiers (migration 0010, PostgreSQL):
    the conditions below are written as the indexes' so the planner can use them."""
    units, params = _units_clause(unit_ids)
    table = Dossier._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    finished = (
        f"SELECT COALESCE(d.late_unit_id, d.lead_unit_id), COUNT(*) FROM {table} d"
        f" WHERE NOT {ON_TIME_766} AND d.finished_at >= %s AND d.finished_at < %s"
        f" AND d.received_at IS NOT NULL{units} GROUP BY 1"
    )
    open_ = ", ".join(str(int(s)) for s in sorted(OPEN))
    flagged = (
        f"SELECT COALESCE(d.late_unit_id, d.lead_unit_id), COUNT(*) FROM {table} d"
        f" WHERE d.status IN ({open_}) AND d.watch_level >= {int(WatchLevel.OVERDUE)}{units} GROUP BY 1"
    )
    out: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        for key, query, args in (
            ("finished_late", finished, [adapt(start), adapt(end), *params]),
            ("open_overdue", flagged, params),
        ):
            cursor.execute(query, args)
            for unit, n in cursor.fetchall():
                out.setdefault(unit, {"finished_late": 0, "open_overdue": 0})[key] = n
    return out
