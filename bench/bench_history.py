"""The history import against raw COPY (the ceiling) and the library's default import (PostgreSQL).

Generates N historical dossiers (default 200,000) with about four events each, as the import
files (dossiers.csv + events.csv, half the rows without a due time so the engine computes it)
and, for the ceiling, the same rows already resolved to database values (COPY text). Then,
on one throwaway database:

(a) raw COPY: the resolved rows streamed into the dossier and event tables, no validation;
(b) ours: `history_import` — validation of every row, COPY into staging, INSERT … SELECT;
(c) the library default: django-import-export plain ModelResources (ForeignKeyWidget lookups,
    one row at a time) importing the first `--sample` dossiers and their events.

Rows are dossiers + events (our clock entries come on top, not counted). Goals, same run:
(b) ≥ 0.05× (a) and ≥ 20× (c) in rows/s; exit status 1 if missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/bench_history.py \
        [--dossiers 200000] [--sample 2000]
"""

import argparse
import csv
import random
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402
from tablib import Dataset  # noqa: E402

from bench import common  # noqa: E402  (sets Django up)
from bench.datagen import catalogue_synthesise  # noqa: E402
from dossiers.calendar import LOCAL_TZ, compute_due  # noqa: E402
from dossiers.calendar_store import calendar_for  # noqa: E402
from dossiers.demo.dossiers import FAMILY, GIVEN, MIDDLE, MOBILE_PREFIXES, STREETS  # noqa: E402
from dossiers.migration_import import history_import  # noqa: E402
from dossiers.migration_import.format import DOSSIER_COLUMNS, EVENT_COLUMNS  # noqa: E402
from dossiers.models import Dossier, DossierEvent, Procedure, Unit  # noqa: E402

GOAL_VS_COPY, GOAL_VS_DEFAULT = 0.05, 20.0
SEED = 20260309
DOSSIER_HEADERS = [c.code for c in DOSSIER_COLUMNS if c.code not in ("timeliness",)]
EVENT_HEADERS = [c.code for c in EVENT_COLUMNS]
# (final status, its trail): (action, from, to, working hours after reception)
TRAILS = (
    (10, 70, (("receive", 1, 2, 0), ("transfer", 2, 4, 2), ("complete", 4, 9, 30), ("return_result", 9, 10, 40))),
    (9, 10, (("receive", 1, 2, 0), ("transfer", 2, 4, 2), ("complete", 4, 9, 30))),
    (4, 10, (("receive", 1, 2, 0), ("transfer", 2, 4, 2))),
    (5, 5, (("receive", 1, 2, 0), ("transfer", 2, 4, 2), ("request_supplement", 4, 5, 8))),
    (3, 5, (("refuse", 1, 3, 1),)),
)
MALE_FAMILY = [f for f, _w in FAMILY]


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class RawTable:
    """A model's columns with defaults, written as COPY text lines (the ceiling's input)."""

    def __init__(self, model, skip=()):
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.defaults = [(f.attname, self._default(f)) for f in self.fields]

    @staticmethod
    def _default(f):
        if isinstance(f, models.JSONField):
            return '{"imported": true}'
        value = f.get_default()
        return None if value is None else f.get_db_prep_save(value, connection)

    def line(self, values: dict) -> str:
        return "\t".join(_copy_text(values.get(a, d)) for a, d in self.defaults) + "\n"


class Generator:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        self.cal = calendar_for(None)
        self.centres = list(Unit.objects.centres().values_list("pk", "code"))
        self.procedures = list(Procedure.objects.all())
        self.sequence: dict = {}
        self.raw_d, self.raw_e = RawTable(Dossier), RawTable(DossierEvent, ("id",))

    def received(self) -> datetime:
        day = self.now.date() - timedelta(days=self.rng.randint(45, 400))
        day = self.cal.next_working_day(day)
        minutes = self.rng.choice((7 * 60 + 45, 13 * 60 + 45)) + self.rng.randint(0, 200)
        return datetime.combine(day, time(minutes // 60, minutes % 60), LOCAL_TZ)

    def person(self) -> tuple[str, str, str]:
        female = self.rng.random() < 0.5
        name = f"{self.rng.choice(MALE_FAMILY)} {self.rng.choice(MIDDLE[female])} {self.rng.choice(GIVEN[female])}"
        return (
            name,
            f"056{self.rng.randrange(10**9):09d}",
            f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**7):07d}",
        )

    def one(self, pk: int) -> tuple[dict, dict, list[dict], list[dict]]:
        """(csv row, raw dossier values, csv events, raw events)."""
        rng = self.rng
        unit_id, unit_code = rng.choice(self.centres)
        proc = rng.choice(self.procedures)
        status, _weight, trail = rng.choices(TRAILS, weights=[t[1] for t in TRAILS])[0]
        received = self.received()
        day = received.date()
        number = self.sequence[(unit_id, day)] = self.sequence.get((unit_id, day), 0) + 1
        code = f"{unit_code}-{day:%y%m%d}-{number:04d}"
        due = compute_due(self.cal, received, proc.processing_time, proc.time_unit, same_day=proc.same_day)
        at = {name: self.cal.instant(self.cal.position(received) + hours * 3600) for name, _f, _t, hours in trail}
        name, id_number, phone = self.person()
        finished = at.get("complete") or at.get("refuse")
        returned = at.get("return_result")
        raw = {
            "id": pk,
            "code": code,
            "lookup_key": "ABCDEFGH",
            "procedure_id": proc.pk,
            "receiving_unit_id": unit_id,
            "lead_unit_id": proc.lead_agency_id or unit_id,
            "current_unit_id": unit_id,
            "channel": "counter",
            "status": status,
            "applicant_name": name,
            "applicant_id_number": id_number,
            "applicant_phone": phone,
            "applicant_address": f"{rng.randint(1, 300)} {rng.choice(STREETS)}",
            "submitted_at": received,
            "received_at": None if status == 3 else received,
            "due_at": None if status == 3 else due,
            "finished_at": finished,
            "returned_at": returned,
            "note": "[Nhập lịch sử]",
            "created_at": self.now,
            "updated_at": self.now,
        }
        row = {h: raw.get(h, "") for h in DOSSIER_HEADERS} | {
            "procedure_code": proc.national_code,
            "receiving_unit_code": unit_code,
            "note": "",
            "due_at": raw["due_at"] if rng.random() < 0.5 else None,
        }
        events = [("submit", None, 1, received)] + [(a, f, t, at[a]) for a, f, t, _h in trail]
        csv_events = [
            {"code": code, "action": a, "from_status": f, "to_status": t, "effective_at": w} for a, f, t, w in events
        ]
        raw_events = [
            {
                "dossier_id": pk,
                "action": a,
                "from_status": f,
                "to_status": t,
                "effective_at": w,
                "recorded_at": self.now,
            }
            for a, f, t, w in events
        ]
        return row, raw, csv_events, raw_events


def _time_text(value) -> str:
    return "" if value is None else value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def generate(count: int, folder: Path, now: datetime) -> dict:
    gen = Generator(random.Random(SEED), now)
    paths = {name: folder / name for name in ("dossiers.csv", "events.csv", "dossiers.copy", "events.copy")}
    handles = {name: open(path, "w", encoding="utf-8", newline="") for name, path in paths.items()}  # noqa: SIM115
    d_csv, e_csv = csv.writer(handles["dossiers.csv"]), csv.writer(handles["events.csv"])
    d_csv.writerow(DOSSIER_HEADERS)
    e_csv.writerow(EVENT_HEADERS)
    totals = {"dossiers": 0, "events": 0}
    for pk in range(1, count + 1):
        row, raw, events, raw_events = gen.one(pk)
        d_csv.writerow([_time_text(v) if isinstance(v, datetime) or v is None else v for v in row.values()])
        e_csv.writerows([e[h] if h != "effective_at" else _time_text(e[h]) for h in EVENT_HEADERS[:5]] for e in events)
        handles["dossiers.copy"].write(gen.raw_d.line(raw))
        handles["events.copy"].writelines(gen.raw_e.line(e) for e in raw_events)
        totals["dossiers"] += 1
        totals["events"] += len(events)
    for handle in handles.values():
        handle.close()
    return totals | {"paths": paths, "tables": (gen.raw_d, gen.raw_e)}


# -- (a) raw COPY -------------------------------------------------------------------------------


def raw_copy(data: dict) -> float:
    d_table, e_table = data["tables"]
    with common.timer() as elapsed, transaction.atomic(), connection.cursor() as cursor:
        for model, table, name in ((Dossier, d_table, "dossiers.copy"), (DossierEvent, e_table, "events.copy")):
            sql = f"COPY {model._meta.db_table} ({table.columns}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy, open(data["paths"][name], "rb") as source:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
    return elapsed["seconds"]


# -- (c) the library's defaults -----------------------------------------------------------------


def _code_widget(model, field):
    return widgets.ForeignKeyWidget(model, field)


class DefaultDossierResource(resources.ModelResource):
    """Plain django-import-export: a ForeignKeyWidget query per key per row, row by row."""

    procedure = fields.Field("procedure", "procedure_code", _code_widget(Procedure, "national_code"))
    receiving_unit = fields.Field("receiving_unit", "receiving_unit_code", _code_widget(Unit, "code"))
    lead_unit = fields.Field("lead_unit", "lead_unit_code", _code_widget(Unit, "code"))
    current_unit = fields.Field("current_unit", "current_unit_code", _code_widget(Unit, "code"))

    class Meta:
        model = Dossier
        import_id_fields = ("code",)
        fields = (
            *("code", "lookup_key", "procedure", "receiving_unit", "lead_unit", "current_unit", "channel", "status"),
            *("applicant_name", "applicant_id_number", "applicant_phone", "applicant_address"),
            *("submitted_at", "received_at", "due_at", "finished_at", "returned_at", "note"),
        )


class DefaultEventResource(resources.ModelResource):
    dossier = fields.Field("dossier", "code", _code_widget(Dossier, "code"))

    class Meta:
        model = DossierEvent
        fields = ("id", "dossier", "action", "from_status", "to_status", "effective_at")


def _iso(text: str) -> str:
    """The library's DateTimeWidget reads the input formats of Django's settings."""
    if not text:
        return ""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").strftime("%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 (text to text)


def library_datasets(data: dict, sample: int) -> tuple[Dataset, Dataset]:
    headers = [*DOSSIER_HEADERS, "lookup_key", "current_unit_code"]
    dossiers, codes = Dataset(headers=headers), set()
    with open(data["paths"]["dossiers.csv"], encoding="utf-8") as handle:
        for row in list(csv.DictReader(handle))[:sample]:
            times = {h: _iso(row[h]) for h in ("submitted_at", "received_at", "due_at", "finished_at", "returned_at")}
            row |= times | {"lookup_key": "ABCDEFGH", "current_unit_code": row["receiving_unit_code"]}
            row["lead_unit_code"] = row["lead_unit_code"] or row["receiving_unit_code"]
            dossiers.append([row[h] for h in headers])
            codes.add(row["code"])
    events = Dataset(headers=["id", *EVENT_HEADERS[:5]])
    with open(data["paths"]["events.csv"], encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["code"] in codes:
                events.append(["", *(row[h] if h != "effective_at" else _iso(row[h]) for h in EVENT_HEADERS[:5])])
    return dossiers, events


def library_default(datasets: tuple[Dataset, Dataset]) -> float:
    with common.timer() as elapsed:
        for resource, dataset in zip((DefaultDossierResource(), DefaultEventResource()), datasets, strict=True):
            result = resource.import_data(dataset)
            if result.has_errors() or result.has_validation_errors():
                sys.exit(f"library default import failed: {result.base_errors or result.invalid_rows[:3]}")
    return elapsed["seconds"]


# -- runs --------------------------------------------------------------------------------------


def wipe() -> None:
    tables = ", ".join(m._meta.db_table for m in (DossierEvent, Dossier))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), sum(status), count(due_at), count(finished_at), min(code), max(code) "
            f"FROM {Dossier._meta.db_table}"
        )
        dossiers = cursor.fetchone()
        cursor.execute(f"SELECT count(*), sum(to_status), max(effective_at) FROM {DossierEvent._meta.db_table}")
        return dossiers + cursor.fetchone()


def report(label: str, rows: int, seconds: float) -> float:
    rate = rows / seconds
    print(f"{label:<58} {rows:>9,} rows {seconds:8.2f} s {rate:>11,.0f} rows/s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_history needs PostgreSQL: set DATABASE_URL=postgres://…")
    with common.throwaway_database("bench_history") as where:
        catalogue_synthesise(units=700, procedures=100)
        now = timezone.now()
        with common.timer() as gen_time:
            data = generate(args.dossiers, common.TMP_DIR, now)
        rows = data["dossiers"] + data["events"]
        size = sum(p.stat().st_size for n, p in data["paths"].items() if n.endswith(".csv")) / 1e6
        print(f"database: {where}")
        made = f"{data['dossiers']:,} dossiers + {data['events']:,} events"
        print(f"{made}, {size:.0f} MB CSV, generated in {gen_time['seconds']:.0f} s")

        datasets = library_datasets(data, args.sample)
        sample_rows = len(datasets[0]) + len(datasets[1])
        default_s = library_default(datasets)
        wipe()
        copy_s = raw_copy(data)
        raw_print = fingerprint()
        wipe()
        with common.timer() as ours:
            result = history_import(dossiers=data["paths"]["dossiers.csv"], events=data["paths"]["events.csv"], now=now)
        if result.errors:
            sys.exit("our import failed: " + "; ".join(map(str, result.errors[:5])))
        same = fingerprint() == raw_print

        copy_rate = report("(a) raw COPY, no validation (ceiling)", rows, copy_s)
        ours_rate = report(
            "(b) ours: validate + COPY staging + INSERT…SELECT", result.dossiers + result.events, ours["seconds"]
        )
        default_rate = report(f"(c) library default, row by row ({args.sample:,} dossiers)", sample_rows, default_s)
        print(f"    + {result.clock_entries:,} clock entries and {result.sequences:,} daily sequences written by (b)")
        print(f"same dossiers and events as raw COPY: {same}")
        vs_copy, vs_default = ours_rate / copy_rate, ours_rate / default_rate
        print(f"ours / raw COPY:        {vs_copy:.3f}x (goal >= {GOAL_VS_COPY}x)")
        print(f"ours / library default: {vs_default:.1f}x (goal >= {GOAL_VS_DEFAULT:.0f}x)")
    return 0 if same and vs_copy >= GOAL_VS_COPY and vs_default >= GOAL_VS_DEFAULT else 1


if __name__ == "__main__":
    sys.exit(main())
