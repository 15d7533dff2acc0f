"""The 766 fields of dossiers written outside the transition service, set-based: migration 0012
(dossiers from before them) and the historical import (dossiers loaded with their ledger).

`waiting_clock_seconds` from the clock ledger — each closing entry (resume, reset, stop) right
after a pause closes a wait, as `timeliness.ledger_wait_seconds` pairs them — then
`timeliness_766` of the finished dossiers, the SQL twin of `timeliness.classify`.
"""

from django.db import connection

from ..models import ClockEntry, Dossier
from .sql import Dialect, _t
from .timeliness import DAY, MAX_SUPPLEMENTS


def _ids_clause(dossiers) -> tuple[str, list]:
    """`AND … IN (…)` for a queryset of dossier ids (all dossiers if None)."""
    if dossiers is None:
        return "", []
    query, params = dossiers.values("id").query.sql_with_params()
    return f" AND {{col}} IN ({query})", list(params)


def classify_sql(sql: Dialect) -> str:
    """`timeliness.classify` of a finished dossier `d`, as a CASE over its stored fields."""
    end, due = sql.local_epoch("d.finished_at"), sql.local_epoch("d.due_at_original")
    counted = f"({end} - d.waiting_clock_seconds)"
    return (
        f"CASE WHEN d.due_at_original IS NULL OR d.supplement_count > {MAX_SUPPLEMENTS} THEN 'late'"
        f" WHEN {counted} > {due} THEN 'late'"
        f" WHEN {counted} / {DAY} < {due} / {DAY} THEN 'early' ELSE 'on_time' END"
    )


def timeliness_766_backfill(dossiers=None) -> None:
    """Set `waiting_clock_seconds` and `timeliness_766` of `dossiers` (a queryset; None: all)."""
    sql, table = Dialect.current(), _t(Dossier)
    ids, params = _ids_clause(dossiers)
    at = sql.local_epoch("at")
    waits = (
        f"WITH seq AS (SELECT dossier_id, kind, {at} AS e,"
        " LAG(kind) OVER (PARTITION BY dossier_id ORDER BY at, id) AS pk,"
        f" LAG({at}) OVER (PARTITION BY dossier_id ORDER BY at, id) AS pe"
        f" FROM {_t(ClockEntry)} WHERE kind IN ('pause', 'resume', 'reset', 'stop'){ids.format(col='dossier_id')}),"
        " w AS (SELECT dossier_id, SUM(e - pe) AS s FROM seq WHERE pk = 'pause' AND kind <> 'pause'"
        " GROUP BY dossier_id)"
        f" UPDATE {table} SET waiting_clock_seconds = (SELECT s FROM w WHERE w.dossier_id = {table}.id)"
        " WHERE id IN (SELECT dossier_id FROM w)"
    )
    classified = (
        f"UPDATE {table} SET timeliness_766 = (SELECT {classify_sql(sql)} FROM {table} d WHERE d.id = {table}.id)"
        f" WHERE finished_at IS NOT NULL AND received_at IS NOT NULL{ids.format(col='id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(waits, params)
        cursor.execute(classified, params)
