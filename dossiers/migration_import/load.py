"""Writing validated history: all or nothing, COPY on PostgreSQL, bulk_create elsewhere.

Rows are validated as they stream in (`validate.py`) and, on PostgreSQL, copied in batches
into temporary staging tables. Only when the whole of both files is valid does one
transaction move them into the real tables with `INSERT … SELECT` (dossiers, then events and
clock entries joined on the new ids) and advance the daily sequences; with any error, or a
dry run, the transaction is rolled back and the real tables are never touched. Other
databases spool the validated rows to a temporary file and `bulk_create` them.

Imported rows are marked: events and clock entries carry `data = {"imported": true}`, dossiers
a note ending in `[Nhập lịch sử]`, and `updated_at` is the import time (the KPI refresh picks
them up). Each received dossier gets a clock ledger (start with the procedure's time, pauses
and resumes from the events, stop when finished) so later live actions recompute from it.
"""

import json
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from ..kpi.backfill import timeliness_766_backfill
from ..models import ClockEntry, DailySequence, Dossier, DossierEvent
from ..models.dossier import FINISHED
from ..workflow import ACTIONS, PAUSE, RESUME
from .format import DOSSIER_COLUMNS, DOSSIERS, EVENT_COLUMNS, EVENTS, FormatError, read_table
from .validate import MAX_ERRORS, HistoryValidator, References, RowError

BATCH = 5000
IMPORTED = json.dumps({"imported": True})
STOP_ORDER = 2**40  # a stop sorts after the events of the same instant


@dataclass
class ImportResult:
    dossiers: int = 0
    events: int = 0
    clock_entries: int = 0
    sequences: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def history_import(
    *,
    dossiers: str | Path,
    events: str | Path | None = None,
    dry_run: bool = False,
    max_errors: int = MAX_ERRORS,
    now: datetime | None = None,
) -> ImportResult:
    """Validate both files completely, then import everything or nothing."""
    validator = HistoryValidator(References(), now=now or timezone.now(), max_errors=max_errors)
    result = ImportResult(dry_run=dry_run)
    with transaction.atomic():
        sink = None if dry_run else (CopySink() if connection.vendor == "postgresql" else BulkSink())
        if sink:
            sink.open()
        for batch in _batches(validator.clean_dossiers(_rows(validator, dossiers, DOSSIERS))):
            validator.check_existing(batch)
            result.dossiers += len(batch)
            if sink and not validator.errors:
                sink.add_dossiers(batch)
        if events is not None and not validator.unreadable:
            for batch in _batches(validator.clean_events(_rows(validator, events, EVENTS))):
                result.events += len(batch)
                if sink and not validator.errors:
                    sink.add_events(batch)
        validator.finish()
        result.errors = validator.errors
        if result.errors or sink is None:
            transaction.set_rollback(True)
            return result
        result.dossiers, result.events, result.clock_entries = sink.write(validator)
        # Their clock-time waits and 766 judgement, from the ledger just written (docs/rules-766.md).
        timeliness_766_backfill(Dossier.objects.filter(created_at=validator.now))
        result.sequences = sequences_advance(validator.sequences)
    return result


def _rows(validator: HistoryValidator, path, kind: str) -> Iterator[tuple[int, dict]]:
    columns = DOSSIER_COLUMNS if kind == DOSSIERS else EVENT_COLUMNS
    try:
        yield from read_table(path, columns)
    except FormatError as e:
        validator.unreadable = True
        for line, column, message in e.problems:
            validator.add(kind, line, column, message)
    except (OSError, UnicodeDecodeError) as e:
        validator.unreadable = True
        validator.add(kind, 0, "", str(e))


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def dossier_clock(d: dict) -> list[dict]:
    """Start at reception with the procedure's time; stop when the dossier finished."""
    if d["received_at"] is None:
        return []
    rows = [{"code": d["code"], "kind": "start", "at": d["received_at"], "data": d["_start"], "seq": 0}]
    end = d["finished_at"] or d["returned_at"]
    if d["status"] in FINISHED and end is not None:
        rows.append({"code": d["code"], "kind": "stop", "at": end, "data": IMPORTED, "seq": STOP_ORDER})
    return rows


def event_clock(e: dict) -> list[dict]:
    """Waiting for the citizen pauses the clock (the action's clock in workflow.ACTIONS)."""
    action = ACTIONS.get(e["action"])
    kind = action.clock if action is not None and action.clock in (PAUSE, RESUME) else None
    if kind is None:
        return []
    return [{"code": e["code"], "kind": kind, "at": e["effective_at"], "data": IMPORTED, "seq": e["_line"]}]


def sequences_advance(sequences: dict) -> int:
    """Raise each unit's daily counter to the highest imported number (never lower it)."""
    table = DailySequence._meta.db_table
    sql = (
        f"INSERT INTO {table} (unit_id, day, last) VALUES (%s, %s, %s) "  # noqa: S608 (our table)
        f"ON CONFLICT (unit_id, day) DO UPDATE SET last = "
        f"CASE WHEN excluded.last > {table}.last THEN excluded.last ELSE {table}.last END"
    )
    rows = [(unit_id, day, last) for (unit_id, day), last in sequences.items()]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[i : i + BATCH])
    return len(rows)


# -- PostgreSQL: COPY into staging, then INSERT … SELECT ------------------------------------


def _columns(model: type[models.Model], skip: tuple[str, ...]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.attname not in skip]


def _default(f: models.Field):
    value = f.get_default()
    if isinstance(f, models.JSONField):
        return IMPORTED
    return None if value is None else f.get_db_prep_save(value, connection)


class Stage:
    """A temporary table shaped like a real one, plus the dossier code and an order."""

    def __init__(self, name: str, model, skip: tuple[str, ...], extra: tuple[str, ...] = ()):
        self.name, self.model, self.extra = name, model, extra
        self.fields = _columns(model, skip)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.defaults = [(f.attname, _default(f)) for f in self.fields] + [(x, None) for x in extra]

    def create_sql(self) -> str:
        extra = "".join(f", NULL::{'bigint' if x == 'seq' else 'text'} AS {x}" for x in self.extra)
        source = self.model._meta.db_table
        select = f"SELECT {self.columns}{extra} FROM {source} WITH NO DATA"
        return f"CREATE TEMP TABLE {self.name} ON COMMIT DROP AS {select}"

    def copy(self, cursor, rows: Iterable[dict]) -> None:
        extra = "".join(f', "{x}"' for x in self.extra)
        with cursor.copy(f"COPY {self.name} ({self.columns}{extra}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row.get(attname, default) for attname, default in self.defaults))


class CopySink:
    def __init__(self):
        self.dossiers = Stage("mi_dossier", Dossier, ("id",))
        self.events = Stage("mi_event", DossierEvent, ("id", "dossier_id"), ("code", "seq"))
        self.clock = Stage("mi_clock", ClockEntry, ("id", "dossier_id"), ("code", "seq"))

    def open(self) -> None:
        with connection.cursor() as cursor:
            for stage in (self.dossiers, self.events, self.clock):
                cursor.execute(f"DROP TABLE IF EXISTS {stage.name}")
                cursor.execute(stage.create_sql())
            cursor.execute("DROP TABLE IF EXISTS mi_ids")
            cursor.execute("CREATE TEMP TABLE mi_ids (id bigint PRIMARY KEY, code text) ON COMMIT DROP")

    def add_dossiers(self, rows: list[dict]) -> None:
        with connection.cursor() as cursor:
            self.dossiers.copy(cursor.cursor, rows)
            self.clock.copy(cursor.cursor, (c for d in rows for c in dossier_clock(d)))

    def add_events(self, rows: list[dict]) -> None:
        for row in rows:
            row["seq"] = row["_line"]
        with connection.cursor() as cursor:
            self.events.copy(cursor.cursor, rows)
            self.clock.copy(cursor.cursor, (c for e in rows for c in event_clock(e)))

    def write(self, validator: HistoryValidator) -> tuple[int, int, int]:
        d, e, c = self.dossiers, self.events, self.clock
        dossier_table = Dossier._meta.db_table
        select = d.columns.replace('"supplement_count"', "COALESCE(x.n, 0)")
        counted = "SELECT code, count(*) AS n FROM mi_event WHERE action = 'request_supplement' GROUP BY code"
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH new AS (INSERT INTO {dossier_table} ({d.columns}) SELECT {select} "
                f"FROM mi_dossier LEFT JOIN ({counted}) x USING (code) RETURNING id, code) "
                "INSERT INTO mi_ids SELECT id, code FROM new"
            )
            dossiers = cursor.rowcount
            cursor.execute("ANALYZE mi_ids")
            events = self._children(cursor, e, 'ORDER BY s."seq"')
            clock = self._children(cursor, c, 'ORDER BY s."at", s."seq"')
            for stage in ("mi_dossier", "mi_event", "mi_clock", "mi_ids"):
                cursor.execute(f"DROP TABLE {stage}")
        return dossiers, events, clock

    @staticmethod
    def _children(cursor, stage: Stage, order: str) -> int:
        columns = ", ".join(f"s.{c.strip()}" for c in stage.columns.split(","))
        cursor.execute(
            f"INSERT INTO {stage.model._meta.db_table} (dossier_id, {stage.columns}) "
            f"SELECT i.id, {columns} FROM {stage.name} s JOIN mi_ids i USING (code) {order}"
        )
        return cursor.rowcount


# -- other databases: spool, then bulk_create -------------------------------------------------


@cache
def _attnames(model) -> frozenset[str]:
    return frozenset(f.attname for f in _columns(model, ("id",)))


def _model_values(row: dict, model) -> dict:
    names = _attnames(model)
    values = {k: v for k, v in row.items() if k in names}
    if "data" in values:
        values["data"] = json.loads(values["data"])
    return values


class BulkSink:
    """Validated batches pickled to a temporary file, written once the files proved valid."""

    def open(self) -> None:
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by write(), or with the process)

    def add_dossiers(self, rows: list[dict]) -> None:
        pickle.dump(("dossiers", rows), self.spool)

    def add_events(self, rows: list[dict]) -> None:
        pickle.dump(("events", rows), self.spool)

    def _batches(self) -> Iterator[tuple[str, list[dict]]]:
        self.spool.seek(0)
        while True:
            try:
                yield pickle.load(self.spool)  # noqa: S301 (our own spool file)
            except EOFError:
                return

    def write(self, validator: HistoryValidator) -> tuple[int, int, int]:
        ids: dict[str, int] = {}
        counts = [0, 0, 0]
        with self.spool:
            for kind, rows in self._batches():
                if kind == "dossiers":
                    objects = [Dossier(**_model_values(r, Dossier)) for r in rows]
                    for obj in objects:
                        obj.supplement_count = validator.dossiers[obj.code].supplements
                    ids |= {obj.code: obj.pk for obj in Dossier.objects.bulk_create(objects)}
                    clock = [c for r in rows for c in dossier_clock(r)]
                    counts[0] += len(objects)
                else:
                    DossierEvent.objects.bulk_create(
                        DossierEvent(
                            dossier_id=ids[r["code"]], data=json.loads(IMPORTED), **_model_values(r, DossierEvent)
                        )
                        for r in rows
                    )
                    clock = [c for r in rows for c in event_clock(r)]
                    counts[1] += len(rows)
                ClockEntry.objects.bulk_create(
                    ClockEntry(dossier_id=ids[c["code"]], recorded_at=validator.now, **_model_values(c, ClockEntry))
                    for c in clock
                )
                counts[2] += len(clock)
        dossiers, events, clock_entries = counts
        return dossiers, events, clock_entries
