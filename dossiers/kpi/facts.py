"""Maintaining the KPI facts: a full rebuild and an incremental refresh (docs/adr/0002-kpi-facts.md).

Both write the same rows: the incremental refresh recomputes every (lead unit, procedure)
pair touched since its watermark, whole, with the rebuild's own SQL. Running either twice,
or concurrently with itself, changes nothing (the watermark row is locked).
"""

from contextlib import contextmanager
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from ..calendar import FIRST_YEAR, LAST_YEAR
from ..calendar_store import calendar_for, versions_read
from ..models import Attachment, Dossier, KpiDay, KpiFact, KpiRollup, KpiWatermark
from . import rollup, sql

WATERMARK = "facts"
# A change is stamped when saved but seen only once committed: look back a little further.
OVERLAP = timedelta(minutes=5)
PAIRS_PER_STATEMENT = 400
REBUILD_WORK_MEM = "256MB"


def calendar_token() -> str:
    number, token = versions_read().calendar
    return f"{number}:{token}"


def kpi_days_refresh() -> int:
    """Positions of every day the calendar covers (a few thousand rows per decade)."""
    cal = calendar_for(None)
    first, last = date(FIRST_YEAR, 1, 1).toordinal(), date(LAST_YEAR, 12, 31).toordinal()
    rows = [
        KpiDay(day=d, position=cal.working_day_index(d) * cal.day_seconds, is_working=cal.is_working_day(d))
        for d in map(date.fromordinal, range(first, last + 1))
    ]
    KpiDay.objects.all().delete()
    KpiDay.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _lock_watermark() -> KpiWatermark:
    KpiWatermark.objects.get_or_create(name=WATERMARK)
    return KpiWatermark.objects.select_for_update().get(name=WATERMARK)


@contextmanager
def _indexes_rebuilt_after(dialect: sql.Dialect):
    """PostgreSQL: drop the facts' indexes (primary key included) for the bulk INSERT and build
    them once after — a sort per index instead of a B-tree insertion per row — as the model
    declares them, under their own names. Inside the rebuild's transaction: nobody sees the gap."""
    if not dialect.pg:
        yield
        return
    table = KpiFact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
        primary = [name for (name,) in cursor.fetchall()]
    with connection.schema_editor() as editor:
        for constraint in KpiFact._meta.constraints:
            editor.remove_constraint(KpiFact, constraint)
        for index in KpiFact._meta.indexes:
            editor.remove_index(KpiFact, index)
        for name in primary:
            editor.execute(f"ALTER TABLE {editor.quote_name(table)} DROP CONSTRAINT {editor.quote_name(name)}")
    yield
    with connection.schema_editor() as editor:
        pk = editor.quote_name(KpiFact._meta.pk.column)
        for name in primary:
            editor.execute(
                f"ALTER TABLE {editor.quote_name(table)} ADD CONSTRAINT {editor.quote_name(name)} PRIMARY KEY ({pk})"
            )
        for constraint in KpiFact._meta.constraints:
            editor.add_constraint(KpiFact, constraint)
        for index in KpiFact._meta.indexes:
            editor.add_index(KpiFact, index)


@transaction.atomic
def kpi_facts_rebuild(*, now=None) -> int:
    """Recompute every fact from the dossiers; returns the number of fact rows."""
    now = now or timezone.now()
    mark = _lock_watermark()
    token = calendar_token()
    if mark.calendar_token != token or not KpiDay.objects.exists():
        kpi_days_refresh()
    dialect = sql.Dialect.current()
    with connection.cursor() as cursor:
        if dialect.pg:
            # One big hash aggregate: give it memory rather than spill; index builds too (this transaction only).
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{REBUILD_WORK_MEM}'")
            cursor.execute(f"TRUNCATE {KpiFact._meta.db_table}")
        else:
            cursor.execute(f"DELETE FROM {KpiFact._meta.db_table}")
        with _indexes_rebuilt_after(dialect):
            cursor.execute(sql.insert_sql(sql.aggregate_sql(dialect)), [])
            rows = cursor.rowcount
        rollup.rollup_rebuild(cursor)
    mark.value, mark.calendar_token = now, token
    mark.save()
    return rows


def kpi_tables_vacuum() -> bool:
    """`VACUUM (ANALYZE)` the facts and the roll-ups, after a full rebuild rewrote them (PostgreSQL,
    outside any transaction; False, doing nothing, elsewhere).

    Until a vacuum marks the new rows all-visible, an index-only read such as the dashboard's trend
    fetches every row from the heap as well: at 10M dossiers the trend took 20.8 ms with 18,654 heap
    fetches, 8.5 ms with none. Autovacuum would get there in its own time (it is off on some
    servers); the planner wants the new statistics at once too. 2.1 s at 10M."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {KpiFact._meta.db_table}, {KpiRollup._meta.db_table}")
    return True


def touched_pairs(*, since) -> list[tuple[int, int]]:
    """(lead unit, procedure) of dossiers changed, or given a file, since `since`."""
    changed = Dossier.objects.filter(updated_at__gte=since).values_list("lead_unit_id", "procedure_id")
    filed = Attachment.objects.filter(uploaded_at__gte=since).values_list(
        "dossier__lead_unit_id", "dossier__procedure_id"
    )
    return sorted(set(changed.distinct()) | set(filed.distinct()))


def _execute_with_pairs(cursor, statement: str, values: str, params: list) -> None:
    """Run `statement`, giving the pairs' parameters once per place their `values` appear in it."""
    cursor.execute(statement, params * statement.count(values))


def facts_replace(*, pairs: list[tuple[int, int]]) -> int:
    """Recompute the facts of these pairs, whole: upsert on PostgreSQL, delete + insert elsewhere;
    then the roll-ups of the (unit, day) whose facts changed. Returns how many those were."""
    dialect = sql.Dialect.current()
    changed: set = set()
    with connection.cursor() as cursor:
        for i in range(0, len(pairs), PAIRS_PER_STATEMENT):
            values, params = sql.values_sql(pairs[i : i + PAIRS_PER_STATEMENT])
            select = sql.aggregate_sql(dialect, sql.pairs_where(values))
            if dialect.pg:
                _execute_with_pairs(cursor, sql.upsert_sql(select, values), values, params)
                changed |= set(cursor.fetchall())
                continue
            changed |= rollup.facts_keys(cursor, values, params)  # before: what may vanish
            delete = f"DELETE FROM {KpiFact._meta.db_table} WHERE (unit_id, procedure_id) IN ({values})"
            cursor.execute(delete, params)
            _execute_with_pairs(cursor, sql.insert_sql(select), values, params)
            changed |= rollup.facts_keys(cursor, values, params)  # after: what appeared
        return rollup.rollup_refresh(cursor, changed)


@transaction.atomic
def kpi_facts_refresh(*, now=None, overlap: timedelta = OVERLAP) -> dict[str, int]:
    """Bring the facts up to date with what changed since the last run.

    Without a watermark, or after a calendar change (working time moves), it rebuilds.
    """
    now = now or timezone.now()
    mark = _lock_watermark()
    if mark.value is None or mark.calendar_token != calendar_token():
        return {"rebuilt_rows": kpi_facts_rebuild(now=now)}
    pairs = touched_pairs(since=mark.value - overlap)
    days = facts_replace(pairs=pairs)
    mark.value = now
    mark.save(update_fields=["value"])
    return {"pairs": len(pairs), "days": days}
