"""A fast generator of many dossiers, for benchmarks (not a domain write path).

Inserts N dossiers with their audit events and clock entries straight into the tables:
PostgreSQL COPY (psycopg 3 `cursor.copy()`) on PostgreSQL, `bulk_create` in batches
elsewhere. The services are bypassed on purpose — a million receptions through
`dossier_receive` would take hours — so the rows are made to look like theirs:

* working-day days in the last `--months` months, received inside office hours, a few
  more on busy centres (Zipf-like weights); codes `<unit code>-YYMMDD-NNNN` continue
  the units' daily sequences, and `DailySequence` is brought up to date;
* statuses follow the dossier's age against its processing time (old ones mostly
  returned, young ones in progress, a few refused, withdrawn, stopped or overdue);
* `due_at` comes from the real deadline engine (`compute_due` on the province-wide
  calendar, with the supplement pause when there is one) for *every* row: it costs a
  few microseconds. The shortcut is the calendar: unit overrides are ignored, and the
  routing steps (control slip) are not generated.

Memory stays flat: rows are made per working day and written per batch; only the
current day's sequence counters are kept. Usable as a library::

    from bench.datagen import catalogue_synthesise, dossiers_generate
    catalogue_synthesise(units=700, procedures=100)
    dossiers_generate(count=100_000)

or as a command (a throwaway database unless --in-place)::

    .venv/bin/python bench/datagen.py --dossiers 100000 --units 700 --procedures 100
    DATABASE_URL=postgres://… .venv/bin/python bench/datagen.py --dossiers 1000000 --in-place
"""

import argparse
import json
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import common  # noqa: E402,F401  (sets Django up)
from dossiers.calendar import LOCAL_TZ, Pause, compute_due  # noqa: E402
from dossiers.calendar_store import calendar_for  # noqa: E402
from dossiers.clock import timeliness_of  # noqa: E402
from dossiers.demo.dossiers import FAMILY, GIVEN, MIDDLE, MOBILE_PREFIXES, STREETS  # noqa: E402
from dossiers.kpi.timeliness import classify, epoch  # noqa: E402
from dossiers.models import (  # noqa: E402
    ClockEntry,
    DailySequence,
    Dossier,
    DossierEvent,
    Field,
    Procedure,
    Status,
    Unit,
)
from dossiers.services.calendar_days import calendar_seed_holidays  # noqa: E402
from dossiers.services.catalogue import catalogue_changed  # noqa: E402
from dossiers.services.codes import LOOKUP_ALPHABET  # noqa: E402

HOUR, DAY = 3600, 8 * 3600  # working seconds
SYNTHETIC_PROVINCE = 99
FAMILY_NAMES = [f for f, _w in FAMILY]
FAMILY_CUM = [sum(w for _f, w in FAMILY[: i + 1]) for i in range(len(FAMILY))]
# Final statuses of dossiers older than 1.5× their processing time.
OLD_STATUSES = (
    (Status.RETURNED, 86),
    (Status.DONE, 3),
    (Status.REFUSED, 3),
    (Status.WITHDRAWN, 3),
    (Status.STOPPED, 3),
    (Status.PROCESSING, 1.5),
    (Status.SUPPLEMENT, 0.5),
)
YOUNG_OPEN = (
    (Status.RECEIVED, 15),
    (Status.PROCESSING, 60),
    (Status.SUPPLEMENT, 15),
    (Status.PAYMENT, 5),
    (Status.SUBMITTED, 5),
)
LATE_SHARE = 0.12


# -- a synthetic catalogue -------------------------------------------------------------------


def catalogue_synthesise(*, units: int = 700, procedures: int = 100, seed: int = 1) -> dict[str, int]:
    """A province-sized catalogue (province 99): one provincial centre, 20 agencies, the rest
    commune centres; 40 % commune-level procedures, the others led by an agency. Idempotent."""
    calendar_seed_holidays(years=range(2024, 2031))
    agencies = min(20, max(1, units // 10))
    rows = [Unit(code=f"000.00.01.H{SYNTHETIC_PROVINCE}", name="Trung tâm PVHCC tỉnh Tổng Hợp", kind="centre")]
    rows += [
        Unit(code=f"000.{i:02d}.00.H{SYNTHETIC_PROVINCE}", name=f"Sở số {i} tỉnh Tổng Hợp", kind="agency")
        for i in range(1, agencies + 1)
    ]
    rows += [
        Unit(code=f"{i:05d}.H{SYNTHETIC_PROVINCE}", name=f"Trung tâm PVHCC xã số {i}", kind="centre", level="commune")
        for i in range(1, units - agencies)
    ]
    for row in rows:
        row.province_code, row.short_name = SYNTHETIC_PROVINCE, row.name[:120]
    Unit.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    field_row, _created = Field.objects.get_or_create(code="SYN", defaults={"name": "Lĩnh vực tổng hợp"})
    agency_ids = list(
        Unit.objects.filter(code__startswith="000.", code__endswith=f".00.H{SYNTHETIC_PROVINCE}")
        .exclude(code__startswith="000.00.")
        .values_list("pk", flat=True)
    )
    Procedure.objects.bulk_create(
        [_synthetic_procedure(i, field_row, agency_ids, random.Random(seed * 1000 + i)) for i in range(procedures)],
        ignore_conflicts=True,
    )
    catalogue_changed()  # bulk writes send no signal
    return {"units": len(rows), "procedures": procedures}


def _synthetic_procedure(i: int, field_row: Field, agency_ids: list[int], rng: random.Random) -> Procedure:
    commune = i % 5 < 2
    unit, amount = rng.choice(
        (
            ("working_days", 1),
            ("working_days", 3),
            ("working_days", 5),
            ("working_days", 10),
            ("working_days", 15),
            ("working_hours", 8),
            ("calendar_days", 15),
        )
    )
    return Procedure(
        national_code=f"9.{SYNTHETIC_PROVINCE}{i:04d}",
        name=f"Thủ tục tổng hợp số {i}",
        field=field_row,
        level="commune" if commune else "province",
        lead_agency_id=None if commune else agency_ids[i % len(agency_ids)],
        legal_processing_time=Decimal(amount),
        time_unit=unit,
        online_level=rng.choice(("full", "partial", "none")),
        fee=Decimal(rng.choice((0, 0, 15000, 50000, 100000))),
    )


# -- the world the dossiers are spread over ----------------------------------------------------


@dataclass
class Proc:
    pk: int
    lead_id: int | None
    amount: Decimal
    unit: str
    same_day: bool
    online: bool
    fee: bool
    fee_amount: Decimal
    budget: int  # working seconds, for the status model
    start_data: str


@dataclass
class World:
    cal: object
    now: datetime
    now_pos: int
    centres: list[tuple[int, str, str]]  # (pk, code, level)
    centre_cum: list[float]
    commune_procs: list[Proc]
    province_procs: list[Proc]
    wards: list[str]
    seq: dict = field(default_factory=dict)


def _world(now: datetime) -> World:
    cal = calendar_for(None)
    centres = list(Unit.objects.centres().filter(is_active=True).order_by("code").values_list("pk", "code", "level"))
    procs = [_proc(p) for p in Procedure.objects.active().order_by("national_code")]
    commune = [p for p in procs if p.lead_id is None]
    province = [p for p in procs if p.lead_id is not None]
    if not centres or not commune or not province:
        raise SystemExit("no centres or procedures of both levels: seed the demo or pass --units 700")
    # Communes by a Zipf-like law; the provincial centre takes about a third of the dossiers.
    weights = [0.0 if lvl == "province" else 1 / (i + 1) ** 0.6 for i, (_, _, lvl) in enumerate(centres)]
    weights = [w or sum(weights) / 2 for w in weights]
    return World(
        cal=cal,
        now=now,
        now_pos=cal.position(now),
        centres=centres,
        centre_cum=_cumulative(weights),
        commune_procs=commune,
        province_procs=province,
        wards=[
            w
            for w in Unit.objects.centres().values_list("short_name", flat=True)[:500]
            if w.startswith(("Phường", "Xã"))
        ]
        or ["tỉnh Tổng Hợp"],
    )


def _cumulative(weights: list[float]) -> list[float]:
    total, cum = 0.0, []
    for w in weights:
        total += w
        cum.append(total)
    return cum


def _proc(p: Procedure) -> Proc:
    amount = p.processing_time
    per = {"working_hours": HOUR, "calendar_days": DAY * 5 / 7, "months": 22 * DAY}.get(p.time_unit, DAY)
    return Proc(
        pk=p.pk,
        lead_id=p.lead_agency_id,
        amount=amount,
        unit=p.time_unit,
        same_day=p.same_day,
        online=p.online_level != "none",
        fee=p.fee > 0,
        fee_amount=p.fee,
        budget=max(HOUR, int(float(amount) * per)),
        start_data=json.dumps({"amount": str(amount), "time_unit": p.time_unit, "same_day": p.same_day}),
    )


# -- one dossier -----------------------------------------------------------------------------


@dataclass
class Generated:
    dossier: dict
    events: list[dict]
    clock: list[dict]


def _person(rng: random.Random) -> tuple[str, str, str]:
    female = rng.random() < 0.52
    family = rng.choices(FAMILY_NAMES, cum_weights=FAMILY_CUM)[0]
    name = f"{family} {rng.choice(MIDDLE[female])} {rng.choice(GIVEN[female])}"
    born = rng.randint(1950, 2006)
    id_number = f"056{(born >= 2000) * 2 + female}{born % 100:02d}{rng.randrange(10**6):06d}"
    return name, id_number, f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"


def _status(rng: random.Random, age: int, proc: Proc) -> int:
    if age > 1.5 * proc.budget:
        table = OLD_STATUSES
    elif rng.random() < 0.8 * age / (1.5 * proc.budget):
        table = ((Status.RETURNED, 70), (Status.DONE, 30))
    else:
        table = YOUNG_OPEN
    status = rng.choices([s for s, _ in table], weights=[w for _, w in table])[0]
    if status == Status.PAYMENT and not proc.fee:
        return Status.PROCESSING
    if status == Status.SUBMITTED and (age > 2 * DAY or not proc.online):
        return Status.RECEIVED
    return status


class Trail:
    """Builds one dossier's events and clock entries in time order (positions in working seconds)."""

    def __init__(self, world: World, d: dict, unit_id: int):
        self.world, self.d, self.unit_id = world, d, unit_id
        self.events: list[dict] = []
        self.clock: list[dict] = []
        self.status = None
        self.last = 1

    def at(self, pos: int) -> datetime:
        """The instant at `pos`, never before the previous event nor after now."""
        self.last = max(self.last, min(pos, self.world.now_pos))
        return self.world.cal.instant(self.last)

    def event(self, action: str, when: datetime, to: int, unit_id: int | None = None, reason: str = "", data=None):
        self.events.append(
            {
                "action": action,
                "from_status": self.status,
                "to_status": to,
                "unit_id": unit_id or self.unit_id,
                "effective_at": when,
                "recorded_at": when,
                "reason": reason,
                "data": json.dumps(data or {}),
            }
        )
        self.status = to

    def tick(self, kind: str, when: datetime, data: str = "{}"):
        self.clock.append({"kind": kind, "at": when, "recorded_at": when, "data": data})


def _generate(world: World, rng: random.Random, recv_pos: int, number_of) -> Generated:
    pk, code, level = world.centres[_pick(rng, world.centre_cum)]
    province_level = level == "province" or rng.random() < 0.05
    proc = rng.choice(world.province_procs if province_level else world.commune_procs)
    lead = proc.lead_id or pk
    status = _status(rng, world.now_pos - recv_pos, proc)
    online = proc.online and (status == Status.SUBMITTED or rng.random() < 0.3)
    recv = world.cal.instant(recv_pos)
    day_start = datetime.combine(recv.astimezone(LOCAL_TZ).date(), datetime.min.time(), LOCAL_TZ)
    submitted = max(day_start, recv - timedelta(seconds=rng.randint(600, 12 * 3600))) if online else recv
    number = number_of(pk)
    name, id_number, phone = _person(rng)
    d = {
        "code": f"{code}-{submitted.astimezone(LOCAL_TZ):%y%m%d}-{number:04d}",
        "lookup_key": "".join(rng.choices(LOOKUP_ALPHABET, k=8)),
        "procedure_id": proc.pk,
        "receiving_unit_id": pk,
        "lead_unit_id": lead,
        "current_unit_id": pk,
        "channel": "online" if online else "counter",
        "applicant_name": name,
        "applicant_id_number": id_number,
        "applicant_phone": phone,
        "applicant_address": f"{rng.randint(1, 300)} {rng.choice(STREETS)}, {rng.choice(world.wards)}",
        "register_line": number,
        "fee": proc.fee_amount,
        "submitted_at": submitted,
        "created_at": submitted,
        "note": "datagen",
    }
    trail = Trail(world, d, pk)
    trail.event("submit", submitted, Status.SUBMITTED, data={"channel": d["channel"]})
    if status != Status.SUBMITTED:
        _receive(trail, rng, recv_pos, proc, status, lead)
    d.update(status=status, version=len(trail.events), updated_at=trail.events[-1]["effective_at"])
    return Generated(d, trail.events, trail.clock)


def _pick(rng: random.Random, cum: list[float]) -> int:
    return min(bisect_right(cum, rng.random() * cum[-1]), len(cum) - 1)


def _receive(trail: Trail, rng: random.Random, recv_pos: int, proc: Proc, status: int, lead: int) -> None:
    """From reception to `status`, with the clock and the appointment."""
    d, cal = trail.d, trail.world.cal
    if status == Status.REFUSED and rng.random() < 0.5:
        trail.event("refuse", trail.at(recv_pos + 600), Status.REFUSED, reason="Không đủ điều kiện.")
        d.update(finished_at=trail.events[-1]["effective_at"])
        return
    recv = cal.instant(recv_pos)
    due = compute_due(cal, recv, proc.amount, proc.unit, same_day=proc.same_day)
    budget = max(HOUR // 2, cal.position(due) - recv_pos)
    d.update(received_at=recv, due_at=due, due_at_original=due)
    trail.tick("start", recv, proc.start_data)
    trail.event("receive", recv, Status.RECEIVED, data={"due_at": due.isoformat()})
    if status == Status.RECEIVED:
        return
    if status == Status.REFUSED:
        _close(trail, "refuse", trail.at(recv_pos + 1200), Status.REFUSED, due)
        return
    pos = recv_pos + int(budget * rng.uniform(0.01, 0.05)) + 600
    trail.unit_id = lead
    trail.event("transfer", trail.at(pos), Status.PROCESSING)
    d.update(transferred_at=trail.events[-1]["effective_at"], current_unit_id=lead)
    _process(trail, rng, pos, budget, proc, status, lead)


def _process(trail: Trail, rng: random.Random, pos: int, budget: int, proc: Proc, status: int, lead: int) -> None:
    d, world, cal = trail.d, trail.world, trail.world.cal
    recv = d["received_at"]
    late = rng.random() < LATE_SHARE
    share = rng.uniform(1.05, 1.6) if late else rng.uniform(0.3, 0.95)
    pauses = []
    if status in (Status.SUPPLEMENT, Status.PAYMENT, Status.STOPPED) or rng.random() < 0.15:
        pos = max(pos + 60, min(pos + int(budget * rng.uniform(0.1, 0.4)), world.now_pos - 120))
        pause_start = trail.at(pos)
        kind = "request_payment" if status == Status.PAYMENT else "request_supplement"
        trail.event(kind, pause_start, Status.PAYMENT if kind == "request_payment" else Status.SUPPLEMENT)
        trail.tick("pause", pause_start)
        d["supplement_count"] = int(kind == "request_supplement")
        if status in (Status.SUPPLEMENT, Status.PAYMENT):
            d.update(due_at=None, paused_at=pause_start)
            return
        wait = int(rng.uniform(1, 6) * DAY)
        if status == Status.STOPPED:
            stop = trail.at(pos + wait * 3)
            d["waiting_clock_seconds"] = epoch(stop) - epoch(pause_start)  # the stop ends the wait
            _close(trail, "stop", stop, Status.STOPPED, None)
            return
        pos += wait
        trail.event("supplement_received", trail.at(pos), Status.PROCESSING)
        trail.tick("resume", trail.at(pos))
        pauses = [Pause(pause_start, trail.at(pos))]
        d["waiting_seconds"] = min(wait, 2**31 - 1)
        d["waiting_clock_seconds"] = epoch(trail.at(pos)) - epoch(pause_start)
        d["due_at"] = compute_due(cal, recv, proc.amount, proc.unit, same_day=proc.same_day, pauses=pauses)
    _finish(trail, rng, pos, budget, share, status)


def _finish(trail: Trail, rng: random.Random, pos: int, budget: int, share: float, status: int) -> None:
    """Result ready (and handed over), withdrawn or stopped, `share` of the time after reception."""
    d, cal, now_pos = trail.d, trail.world.cal, trail.world.now_pos
    if status == Status.PROCESSING:
        return
    clock_end = cal.position(d["received_at"]) + int(budget * share) + d.get("waiting_seconds", 0)
    end = min(max(pos + 60, clock_end), now_pos - 60)
    if status in (Status.WITHDRAWN, Status.STOPPED):
        _close(trail, "withdraw" if status == Status.WITHDRAWN else "stop", trail.at(end), status, d["due_at"])
        return
    finished = trail.at(end)
    trail.event("complete", finished, Status.DONE, data={"approved": True})
    trail.tick("stop", finished)
    d.update(finished_at=finished, result_approved=True, timeliness=timeliness_of(finished, d["due_at"]))
    d["timeliness_766"] = _judged_766(d, finished)
    d["current_unit_id"] = trail.unit_id = d["receiving_unit_id"]
    if status == Status.RETURNED:
        back = trail.at(end + int(rng.uniform(0.05, 3) * DAY))
        trail.event("return_result", back, Status.RETURNED)
        d["returned_at"] = back


def _close(trail: Trail, action: str, when: datetime, status: int, due) -> None:
    reasons = {"refuse": "Không thuộc thẩm quyền.", "withdraw": "Công dân rút hồ sơ.", "stop": "Không bổ sung."}
    trail.event(action, when, status, reason=reasons[action])
    trail.tick("stop", when)
    trail.d.update(finished_at=when, timeliness=timeliness_of(when, due) if due else "late")
    trail.d["timeliness_766"] = _judged_766(trail.d, when)


def _judged_766(d: dict, end: datetime) -> str:
    """Decision 766 §2.1 as the transition service stores it (dossiers.kpi.timeliness)."""
    return classify(
        appointment=d.get("due_at_original"),
        end=end,
        waited_seconds=d.get("waiting_clock_seconds", 0),
        supplements=d.get("supplement_count", 0),
    )


# -- days, sequences, batches ------------------------------------------------------------------


def _days(world: World, months: int) -> list[int]:
    """Positions of the working days' starts in the window (a few hundred ints)."""
    cal = world.cal
    first = cal.position(world.now - timedelta(days=int(months * 30.4)))
    return list(range(first - first % cal.day_seconds, world.now_pos, cal.day_seconds))


def _stream(world: World, count: int, months: int, rng: random.Random) -> Iterator[Generated]:
    days = _days(world, months)
    left = count
    for i, day_pos in enumerate(days):
        n = left if i == len(days) - 1 else min(left, round(left / (len(days) - i) * rng.uniform(0.8, 1.2)))
        left -= n
        span = min(world.cal.day_seconds, world.now_pos - day_pos)
        positions = sorted(day_pos + 1 + rng.randrange(max(1, span - 1)) for _ in range(n))
        day = world.cal.instant(day_pos + 1).astimezone(LOCAL_TZ).date()
        world.seq = dict(DailySequence.objects.filter(day=day).values_list("unit_id", "last"))
        for pos in positions:
            yield _generate(world, rng, pos, lambda unit_id: _next_number(world.seq, unit_id))
        rows = [DailySequence(unit_id=u, day=day, last=n) for u, n in world.seq.items()]
        DailySequence.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["unit", "day"], update_fields=["last"], batch_size=500
        )


def _next_number(seq: dict, unit_id: int) -> int:
    """The unit's daily sequence goes on from what reception already issued that day."""
    seq[unit_id] = seq.get(unit_id, 0) + 1
    return seq[unit_id]


def dossiers_generate(*, count: int, seed: int = 1, months: int = 6, batch: int = 5000, now=None) -> dict:
    """Insert `count` dossiers over the existing centres and procedures; returns row counts."""
    world = _world(now or timezone.now())
    writer = CopyWriter() if connection.vendor == "postgresql" else BulkWriter()
    totals = {"dossiers": 0, "events": 0, "clock": 0}
    chunk: list[Generated] = []
    for generated in _stream(world, count, months, random.Random(seed)):
        chunk.append(generated)
        if len(chunk) >= batch:
            writer.write(chunk, totals)
            chunk = []
    if chunk:
        writer.write(chunk, totals)
    writer.finish()
    return totals


# -- writers -----------------------------------------------------------------------------------


class Table:
    """A model's columns in order, with the Python defaults of those we do not set."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not (f.primary_key and model is not Dossier)]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.defaults = [(f.attname, self._default(f)) for f in self.fields]

    @staticmethod
    def _default(f: models.Field):
        value = f.get_default()
        if isinstance(f, models.JSONField):
            return json.dumps(value if value is not None else {})
        return f.get_db_prep_save(value, connection) if value is not None else None

    def row(self, values: dict) -> tuple:
        return tuple(values.get(a, d) for a, d in self.defaults)


class CopyWriter:
    """PostgreSQL: ids reserved from the sequence, then one COPY per table and batch."""

    def __init__(self):
        self.tables = {m: Table(m) for m in (Dossier, DossierEvent, ClockEntry)}

    def _ids(self, n: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [Dossier._meta.db_table] * 2 + [n],
            )
            return cursor.fetchone()[0] - n + 1

    def write(self, chunk: list[Generated], totals: dict) -> None:
        first = self._ids(len(chunk))
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            self._copy(raw, Dossier, ({"id": first + i, **g.dossier} for i, g in enumerate(chunk)))
            self._copy(raw, DossierEvent, _children(chunk, first, "events"))
            self._copy(raw, ClockEntry, _children(chunk, first, "clock"))
        _count(chunk, totals)

    def _copy(self, raw, model, rows) -> None:
        table = self.tables[model]
        with raw.copy(f"COPY {model._meta.db_table} ({table.columns}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(table.row(values))

    def finish(self) -> None:
        with connection.cursor() as cursor:
            for model in (Dossier, DossierEvent, ClockEntry, DailySequence):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


class BulkWriter:
    """Other databases: explicit ids after the current maximum, bulk_create per batch."""

    def __init__(self):
        self.next_id = (Dossier.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1

    def write(self, chunk: list[Generated], totals: dict) -> None:
        first, self.next_id = self.next_id, self.next_id + len(chunk)
        with transaction.atomic():
            Dossier.objects.bulk_create(Dossier(id=first + i, **g.dossier) for i, g in enumerate(chunk))
            DossierEvent.objects.bulk_create(
                DossierEvent(dossier_id=first + i, **{**e, "data": json.loads(e["data"])})
                for i, g in enumerate(chunk)
                for e in g.events
            )
            ClockEntry.objects.bulk_create(
                ClockEntry(dossier_id=first + i, **{**c, "data": json.loads(c["data"])})
                for i, g in enumerate(chunk)
                for c in g.clock
            )
        _count(chunk, totals)

    def finish(self) -> None:
        pass


def _children(chunk: list[Generated], first: int, kind: str) -> Iterator[dict]:
    return ({"dossier_id": first + i, **row} for i, g in enumerate(chunk) for row in getattr(g, kind))


def _count(chunk: list[Generated], totals: dict) -> None:
    totals["dossiers"] += len(chunk)
    totals["events"] += sum(len(g.events) for g in chunk)
    totals["clock"] += sum(len(g.clock) for g in chunk)


# -- command line ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    if args.units:
        catalogue_synthesise(units=args.units, procedures=args.procedures, seed=args.seed)
    began = time.perf_counter()
    totals = dossiers_generate(count=args.dossiers, seed=args.seed, months=args.months, batch=args.batch)
    seconds = time.perf_counter() - began
    rows = sum(totals.values())
    print(
        f"datagen: {totals['dossiers']:,} dossiers + {totals['events']:,} events + {totals['clock']:,} clock entries"
        f" = {rows:,} rows in {seconds:.1f} s → {rows / seconds:,.0f} rows/s, {totals['dossiers'] / seconds:,.0f}"
        f" dossiers/s ({connection.vendor})"
    )
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=0, help="create a synthetic catalogue of this many units first")
    parser.add_argument("--procedures", type=int, default=100)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--in-place", action="store_true", help="write into DATABASE_URL's database (migrated)")
    args = parser.parse_args()
    if args.in_place:
        run(args)
        return 0
    with common.throwaway_database("motcua_datagen") as where:
        print(f"database: {where}")
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
