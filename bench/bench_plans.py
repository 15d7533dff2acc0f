"""Query plans at scale: the hot queries under EXPLAIN (ANALYZE, BUFFERS) over 1M and 10M dossiers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_o .venv/bin/python bench/bench_plans.py \
        [--dossiers 1000000] [--big 10000000] [--repeat 5] [--experiments] [--no-partitions] [--no-kpi]

PostgreSQL only, on a throwaway database (docs/scaling.md quotes what it prints):

1. `--dossiers` dossiers with their events and clock entries from `bench/datagen.py` (700
   units, 100 procedures, 6 months), one watch run, the KPI facts rebuilt; then each hot
   query of the application, built by its own QuerySet or service, is run `--repeat` times
   (median, warm) and once under EXPLAIN (ANALYZE, BUFFERS) — plan, indexes used, buffers.
2. Monthly partitioning tried on copies of the two big tables (`bench/partitioning.sql`):
   load time, then timeline, month scans, lookup by code, overdue list, and dropping a
   month (DETACH + DROP) against DELETE, side by side with the plain tables.
3. `--experiments`: candidate indexes (queue order, one partial index per watch level,
   trigram search) built, sized, and the queries they serve measured again; then dropped.
4. `--big`: the same dossiers copied back in time, 27 weeks per copy (the copies closed:
   history, not more open work), up to `--big` dossiers, by INSERT … SELECT with the
   indexes built afterwards; the hot queries again. The events are copied only with
   `--big-events`, the KPI facts rebuilt only with `--big-kpi`.

Table and index sizes are printed after each load. Everything runs inside the throwaway
database, which is dropped at the end.
"""

import argparse
import re
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import common  # noqa: E402
from bench.common import bulk_load  # noqa: E402
from bench.datagen import catalogue_synthesise, dossiers_generate  # noqa: E402
from dossiers.calendar import LOCAL_TZ  # noqa: E402
from dossiers.models import Dossier, DossierEvent  # noqa: E402
from dossiers.services.watch import watch_flag  # noqa: E402

NOW = timezone.now()
SHIFT = timedelta(weeks=27)  # one copy back in time: longer than datagen's 6-month window
PARTITION_SQL = Path(__file__).with_name("partitioning.sql")
DML = ("select", "with", "update", "insert", "delete")
COST = re.compile(r"  \(cost=[^)]*\)")


# -- running and explaining ---------------------------------------------------------------------


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def seconds(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def warm_ms(fn, repeat: int) -> float:
    """Median wall time of `fn` in ms after one warm-up run (rolled back if it writes)."""
    times = []
    for _ in range(repeat + 1):
        with transaction.atomic():
            times.append(seconds(fn) * 1000)
            transaction.set_rollback(True)
    return statistics.median(times[1:])


def captured(fn) -> list[str]:
    """The statements `fn` sends, as sent (psycopg binds parameters client-side)."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        fn()
        transaction.set_rollback(True)
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().lower().startswith(DML)]


def explain(statement: str) -> list[str]:
    with transaction.atomic():
        lines = [r[0] for r in sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")]
        transaction.set_rollback(True)
    return [COST.sub("", line) for line in lines]


def plan_facts(lines: list[str]) -> str:
    indexes = sorted(set(re.findall(r"[Ii]ndex(?: Only)? Scan (?:Backward )?using (\w+)", "\n".join(lines))))
    indexes += sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", "\n".join(lines))))
    seq = sorted(set(re.findall(r"Seq Scan on (\w+)", "\n".join(lines))))
    buffers = next((line.strip() for line in lines if "Buffers:" in line), "Buffers: —")
    execution = next((line.split(":")[1].strip() for line in lines if line.startswith("Execution Time")), "?")
    uses = ", ".join(_collapse(indexes)) or "no index"
    return f"exec {execution}; {buffers}; uses {uses}" + (f"; SEQ SCAN {', '.join(_collapse(seq))}" if seq else "")


def _collapse(names: list[str]) -> list[str]:
    """p_event_2026_05_x, p_event_2026_06_x … → p_event_*_x ×2 (one per partition)."""
    counts: dict[str, int] = {}
    for name in names:
        key = re.sub(r"^(p_\w+?)_(?:\d{4}_\d{2}|default)", r"\1_*", name)
        counts[key] = counts.get(key, 0) + 1
    return [f"{k} ×{n}" if n > 1 else k for k, n in counts.items()]


def report(label: str, fn, repeat: int, *, plan_lines: int = 14) -> float:
    """Time `fn` warm, then EXPLAIN (ANALYZE, BUFFERS) each statement it sends."""
    median = warm_ms(fn, repeat)
    statements = captured(fn)
    print(f"\n== {label}: median {median:.2f} ms over {repeat} warm runs, {len(statements)} statement(s)")
    for statement in statements:
        lines = explain(statement)
        print(f"   {plan_facts(lines)}")
        for line in [x for x in lines if not x.startswith(("Planning", "Execution"))][:plan_lines]:
            print(f"     | {line}")
    return median


# -- the data -----------------------------------------------------------------------------------


def populate(count: int) -> None:
    """datagen's rows, loaded as a bulk load is: secondary indexes and FK triggers off, then built."""
    catalogue_synthesise(units=700, procedures=100)
    with bulk_load(("dossiers_dossier", "dossiers_dossierevent", "dossiers_clockentry")):
        began = time.perf_counter()
        totals = dossiers_generate(count=count, now=NOW)
        took = time.perf_counter() - began
        print(f"datagen: {totals['dossiers']:,} dossiers, {totals['events']:,} events, {totals['clock']:,} clock rows")
        print(f"  in {took:.0f} s ({totals['dossiers'] / took:,.0f} dossiers/s), secondary indexes off")
    vacuum()


def vacuum() -> None:
    took = sum(seconds(lambda t=t: sql(f"VACUUM (ANALYZE) {t}")) for t in ("dossiers_dossier", "dossiers_dossierevent"))
    print(f"  VACUUM (ANALYZE) of dossiers and events: {took:.0f} s")


def first_watch_run() -> None:
    """Flag what is due, as production would have, so the next runs are the no-op case."""
    began = time.perf_counter()
    counts = watch_flag(at=NOW)
    print(f"first watch run: {sum(counts.values()):,} flags in {time.perf_counter() - began:.1f} s {counts}")


def facts_rebuild() -> None:
    from dossiers.kpi.facts import kpi_facts_rebuild

    began = time.perf_counter()
    rows = kpi_facts_rebuild(now=NOW)
    print(f"kpi_facts_rebuild: {rows:,} fact rows in {time.perf_counter() - began:.1f} s")
    sql("ANALYZE dossiers_kpifact")


def sizes() -> None:
    tables = ("dossiers_dossier", "dossiers_dossierevent", "dossiers_clockentry", "dossiers_kpifact")
    print(f"\n{'table':<24} {'rows':>12} {'heap':>10} {'indexes':>10} {'total':>10}")
    for table in tables:
        row = sql(
            "SELECT reltuples::bigint, pg_size_pretty(pg_relation_size(oid)), pg_size_pretty(pg_indexes_size(oid)),"
            " pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class WHERE relname = %s",
            [table],
        )
        if row:
            print(f"{table:<24} {row[0][0]:>12,} {row[0][1]:>10} {row[0][2]:>10} {row[0][3]:>10}")
    index_sizes(tables[:2])


def index_sizes(tables) -> None:
    rows = sql(
        "SELECT indexrelname, pg_size_pretty(pg_relation_size(indexrelid)) FROM pg_stat_user_indexes"
        " WHERE relname = ANY(%s) ORDER BY relname, pg_relation_size(indexrelid) DESC",
        [list(tables)],
    )
    print("indexes: " + "; ".join(f"{name} {size}" for name, size in rows))


# -- the hot queries ----------------------------------------------------------------------------


def targets() -> dict:
    """A busy unit, a dossier in the middle of the range, its code, ID number and a month."""
    unit, status = sql(
        "SELECT current_unit_id, status FROM dossiers_dossier WHERE status IN (2, 4, 5, 6)"
        " GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
    )[0]
    centre = sql("SELECT receiving_unit_id FROM dossiers_dossier GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]
    low, high = sql("SELECT min(id), max(id) FROM dossiers_dossier WHERE note = 'datagen'")[0]
    pk, code, id_number = sql(
        "SELECT id, code, applicant_id_number FROM dossiers_dossier WHERE id >= %s AND received_at IS NOT NULL"
        " ORDER BY id LIMIT 1",
        [(low + high) // 2],
    )[0]
    local = NOW.astimezone(LOCAL_TZ).date().replace(day=1)
    month_end = local - timedelta(days=1)
    return {
        "unit": unit,
        "status": status,
        "centre": centre,
        "pk": pk,
        "code": code,
        "id_number": id_number,
        "month": (month_end.replace(day=1), month_end),
    }


def day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LOCAL_TZ)


def staff_queries(t: dict) -> list[tuple[str, object]]:
    from dossiers.calendar_store import due_soon_bound

    open_ = Dossier.objects.filter(current_unit=t["unit"], status=t["status"]).order_by("due_at", "id")
    soon = due_soon_bound(NOW)
    return [
        ("queue: current unit + status, by due date (page of 50)", lambda: list(open_.for_list()[:50])),
        ("queue 'unit' tab: held_by(unit), page of 50", lambda: list(Dossier.objects.held_by([t["unit"]])[:50])),
        ("queue 'unit' tab count", lambda: Dossier.objects.held_by([t["unit"]]).count()),
        (
            "overdue list, province-wide (page of 50)",
            lambda: list(Dossier.objects.overdue(at=NOW).order_by("due_at", "id").for_list()[:50]),
        ),
        ("overdue count, province-wide", lambda: Dossier.objects.overdue(at=NOW).count()),
        (
            "due soon (2 working days), province-wide",
            lambda: list(Dossier.objects.due_between(NOW, soon).order_by("due_at", "id")[:50]),
        ),
        ("watch job, nothing new (every level + steps)", lambda: watch_flag(at=NOW + timedelta(seconds=1))),
    ]


def lookup_queries(t: dict) -> list[tuple[str, object]]:
    from dossiers.printing import register_queryset
    from dossiers.services.lookup import public_dossier

    first, last = t["month"]
    month = {"date_from": first, "date_to": last}
    return [
        ("public lookup by code", lambda: public_dossier(code=t["code"], key=t["id_number"])),
        (
            "register (Mẫu 07): one centre, one month, page of 50",
            lambda: list(register_queryset(Dossier.objects.all(), {**month, "unit": t["centre"]})[:50]),
        ),
        (
            "register: province-wide, one month, page of 50",
            lambda: list(register_queryset(Dossier.objects.all(), month)[:50]),
        ),
        ("by ID number (exact)", lambda: list(Dossier.objects.filter(applicant_id_number=t["id_number"])[:50])),
        ("staff search box with an ID number", lambda: list(Dossier.objects.search(t["id_number"]).for_list()[:50])),
        (
            "timeline of one dossier",
            lambda: list(DossierEvent.objects.filter(dossier_id=t["pk"]).order_by("effective_at", "id")),
        ),
    ]


def kpi_queries(t: dict) -> list[tuple[str, object]]:
    from portal.kpis import facts_by, kpi_rows

    first, last = t["month"]
    return [
        (
            "KPI facts of one month by unit (facts_by)",
            lambda: facts_by(unit_ids=None, start=first, end=last, key="unit_id"),
        ),
        (
            "KPI dashboard table for one month (kpi_rows by unit)",
            lambda: kpi_rows(unit_ids=None, start=first, end=last, group_by="unit"),
        ),
    ]


def hot_queries(t: dict, repeat: int) -> None:
    for label, fn in staff_queries(t) + lookup_queries(t) + kpi_queries(t):
        report(label, fn, repeat)


# -- monthly partitioning -----------------------------------------------------------------------


def months(first: date, last: date) -> list[date]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def partitions_create() -> list[date]:
    for statement in _statements(PARTITION_SQL.read_text()):
        sql(statement)
    first = sql("SELECT min(submitted_at) FROM dossiers_dossier")[0][0].astimezone(LOCAL_TZ).date()
    span = months(first, NOW.astimezone(LOCAL_TZ).date() + timedelta(days=31))
    for start in span:
        bounds = [day_start(start), day_start((start + timedelta(days=32)).replace(day=1))]
        for parent in ("p_dossier", "p_event"):
            sql(f"CREATE TABLE {parent}_{start:%Y_%m} PARTITION OF {parent} FOR VALUES FROM (%s) TO (%s)", bounds)
        sql(f"CREATE UNIQUE INDEX p_dossier_{start:%Y_%m}_code ON p_dossier_{start:%Y_%m} (code)")
    for parent in ("p_dossier", "p_event"):
        sql(f"CREATE TABLE {parent}_default PARTITION OF {parent} DEFAULT")
    sql("CREATE UNIQUE INDEX p_dossier_default_code ON p_dossier_default (code)")
    print(f"\npartitions: {len(span)} months ({span[0]:%Y-%m} … {span[-1]:%Y-%m}) + default, for dossiers and events")
    return span


def _statements(text: str) -> list[str]:
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s for s in code.split(";") if s.strip()]


def partitions_load() -> None:
    took = seconds(lambda: sql("INSERT INTO p_dossier SELECT * FROM dossiers_dossier"))
    print(f"  load p_dossier: {took:.1f} s")
    took = seconds(lambda: sql("INSERT INTO p_event SELECT * FROM dossiers_dossierevent"))
    print(f"  load p_event: {took:.1f} s")
    for table in ("p_dossier", "p_event"):
        sql(f"VACUUM (ANALYZE) {table}")
    rows = sql(
        "SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid))"
        " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'p_event'::regclass ORDER BY c.relname"
    )
    print("  event partitions (heap / indexes): " + "; ".join(f"{n} {h}/{x}" for n, h, x in rows))


LIMITS = (
    ("UNIQUE (code) on the partitioned parent", ["ALTER TABLE p_dossier ADD CONSTRAINT p_code UNIQUE (code)"]),
    (
        "partitioned by received_at, inserting a submitted (not yet received) dossier",
        [
            "CREATE TABLE p_try (LIKE dossiers_dossier) PARTITION BY RANGE (received_at)",
            "ALTER TABLE p_try ADD PRIMARY KEY (id, received_at)",
            "CREATE TABLE p_try_all PARTITION OF p_try DEFAULT",
            "INSERT INTO p_try SELECT * FROM dossiers_dossier WHERE received_at IS NULL LIMIT 1",
        ],
    ),
    (
        "FK from the partitioned events to the partitioned dossiers by id alone",
        ["ALTER TABLE p_event ADD FOREIGN KEY (dossier_id) REFERENCES p_dossier (id)"],
    ),
    (
        "FK from the partitioned events to the plain dossiers table",
        ["ALTER TABLE p_event ADD FOREIGN KEY (dossier_id) REFERENCES dossiers_dossier (id)"],
    ),
)


def partition_limits() -> None:
    """What PostgreSQL accepts and refuses once the tables are partitioned (all rolled back)."""
    print()
    for label, statements in LIMITS:
        try:
            with transaction.atomic():
                took = sum(seconds(lambda s=s: sql(s)) for s in statements)
                transaction.set_rollback(True)
            print(f"  {label}: accepted ({took:.1f} s)")
        except Exception as exc:  # noqa: BLE001 — the refusal is the result
            print(f"  {label}: refused — {str(exc).splitlines()[0]}")


def pair(label: str, plain: str, parted: str, repeat: int) -> None:
    """The same question against the plain table and the partitioned copy."""
    print(f"\n-- {label}")
    for name, statement in (("plain", plain), ("partitioned", parted)):
        median = warm_ms(lambda s=statement: sql(s), repeat)
        lines = explain(statement)
        scans = len(re.findall(r" on p_(?:event|dossier)_\w+", "\n".join(lines)))
        print(f"   {name:<12} median {median:9.2f} ms; {plan_facts(lines)}; partitions scanned: {scans}")


def literal(value) -> str:
    return "'" + (value.isoformat() if hasattr(value, "isoformat") else str(value)).replace("'", "''") + "'"


def timeline_pairs(t: dict, repeat: int) -> None:
    submitted = sql("SELECT submitted_at FROM dossiers_dossier WHERE id = %s", [t["pk"]])[0][0]
    for label, extra in (
        ("timeline of one dossier", ""),
        ("timeline, bounded below by the dossier's submission", f" AND effective_at >= {literal(submitted)}"),
    ):
        query = f"SELECT * FROM {{}} WHERE dossier_id = {int(t['pk'])}{extra} ORDER BY effective_at, id"
        pair(label, query.format("dossiers_dossierevent"), query.format("p_event"), repeat)


def month_pairs(t: dict, repeat: int) -> None:
    since, until = literal(day_start(t["month"][0])), literal(day_start(t["month"][1] + timedelta(days=1)))
    events = f"SELECT unit_id, action, count(*) FROM {{}} WHERE effective_at >= {since} AND effective_at < {until}"
    pair("events of one month by unit and action", *_both(events + " GROUP BY 1, 2", "p_event"), repeat)
    dossiers = (
        "SELECT lead_unit_id, count(*), count(*) FILTER (WHERE timeliness = 'late') FROM {}"
        f" WHERE submitted_at >= {since} AND submitted_at < {until} GROUP BY 1"
    )
    pair("dossiers submitted in one month by lead unit", *_both(dossiers, "p_dossier"), repeat)


def _both(query: str, parted: str) -> tuple[str, str]:
    plain = "dossiers_dossierevent" if parted == "p_event" else "dossiers_dossier"
    return query.format(plain), query.format(parted)


def dossier_pairs(t: dict, repeat: int) -> None:
    by_code = f"SELECT id, lookup_key FROM {{}} WHERE code = {literal(t['code'])}"
    pair("lookup by code", *_both(by_code, "p_dossier"), repeat)
    day = datetime.strptime(t["code"].split("-")[1], "%y%m%d").replace(tzinfo=LOCAL_TZ).date()
    after, before = literal(day_start(day)), literal(day_start(day + timedelta(days=1)))
    window = f" AND submitted_at >= {after} AND submitted_at < {before}"
    pair(
        "lookup by code, its YYMMDD as the partition key",
        by_code.format("dossiers_dossier"),
        by_code.format("p_dossier") + window,
        repeat,
    )
    overdue = f"SELECT id, due_at FROM {{}} WHERE status IN (1, 2, 4, 5, 6) AND due_at < {literal(NOW)}"
    pair("overdue list (page of 50)", *_both(overdue + " ORDER BY due_at, id LIMIT 50", "p_dossier"), repeat)
    queue = f"SELECT id FROM {{}} WHERE current_unit_id = {t['unit']} AND status = {t['status']}"
    pair(
        "queue: unit + status by due date (page of 50)",
        *_both(queue + " ORDER BY due_at, id LIMIT 50", "p_dossier"),
        repeat,
    )


def drop_old_month(span: list[date]) -> None:
    """The first full month of events: DELETE from the plain table against DETACH + DROP."""
    month = span[1]
    bounds = [day_start(month), day_start((month + timedelta(days=32)).replace(day=1))]
    with transaction.atomic():
        began = time.perf_counter()
        deleted = sql("DELETE FROM dossiers_dossierevent WHERE effective_at >= %s AND effective_at < %s", bounds)
        took = time.perf_counter() - began
        transaction.set_rollback(True)
    print(f"\n-- removing one month of events ({month:%Y-%m})")
    print(f"   DELETE on the plain table: {deleted:,} rows in {took * 1000:,.0f} ms (rolled back; VACUUM still owed)")
    name = f"p_event_{month:%Y_%m}"
    detach = seconds(lambda: sql(f"ALTER TABLE p_event DETACH PARTITION {name}"))
    drop = seconds(lambda: sql(f"DROP TABLE {name}"))
    print(f"   DETACH PARTITION: {detach * 1000:.1f} ms, then DROP TABLE: {drop * 1000:.1f} ms")


def partitioning(t: dict, repeat: int) -> None:
    span = partitions_create()
    partitions_load()
    partition_limits()
    for compare in (timeline_pairs, month_pairs, dossier_pairs):
        compare(t, repeat)
    drop_old_month(span)
    sql("DROP TABLE p_event, p_dossier")


# -- ten times more: the same dossiers, back in time --------------------------------------------


DOSSIER_OVERRIDES = {
    "id": "id + {k} * {stride}",
    "code": "split_part(code, '-', 1) || '-' || to_char((submitted_at - {shift}) AT TIME ZONE 'Asia/Ho_Chi_Minh',"
    " 'YYMMDD') || '-' || split_part(code, '-', 3)",
    # Open then means closed now: history, not more work in the queues.
    "status": "CASE WHEN status = 1 THEN 7 WHEN status IN (2, 4, 5, 6) THEN 10 ELSE status END",
    "finished_at": "COALESCE(finished_at, due_at, received_at, submitted_at) - {shift}",
    "returned_at": "CASE WHEN status IN (2, 4, 5, 6) THEN COALESCE(due_at, received_at) ELSE returned_at END - {shift}",
    "paused_at": "NULL",
    "timeliness": "CASE WHEN timeliness = '' THEN 'on_time' ELSE timeliness END",
    "timeliness_766": "CASE WHEN timeliness_766 = '' AND received_at IS NOT NULL THEN 'on_time'"
    " ELSE timeliness_766 END",
}
DOSSIER_TIMES = (
    "submitted_at",
    "received_at",
    "due_at",
    "due_at_original",
    "transferred_at",
    "soon_at",
    "late2_at",
    "late3_at",
    "created_at",
    "updated_at",
)


def copy_select(model, overrides: dict, times: tuple, k: int, stride: int) -> tuple[str, str]:
    shift = f"interval '{int(SHIFT.total_seconds()) * k} seconds'"
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and model is DossierEvent:
            continue
        columns.append(f.column)
        expr = overrides.get(f.column) or (f"{f.column} - {{shift}}" if f.column in times else f.column)
        values.append(expr.format(k=k, stride=stride, shift=shift))
    return ", ".join(columns), ", ".join(values)


def grow(target: int, base: int, *, events: bool) -> None:
    """Copies of the generated dossiers (and events), 27 weeks further back each, up to `target`."""
    stride = sql("SELECT max(id) FROM dossiers_dossier")[0][0]
    copies = -(-target // base) - 1
    tables = ("dossiers_dossier", "dossiers_dossierevent") if events else ("dossiers_dossier",)
    began = time.perf_counter()
    with bulk_load(tables):
        for k in range(1, copies + 1):
            grow_copy(k, stride, events=events)
        print(f"copied {copies} × {base:,} dossiers{' with their events' if events else ''}")
        print(f"  in {time.perf_counter() - began:.0f} s")
    sql("SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), (SELECT max(id) FROM dossiers_dossier))")
    vacuum()


def grow_copy(k: int, stride: int, *, events: bool) -> None:
    limit = f"WHERE id <= {stride}"
    cols, values = copy_select(Dossier, DOSSIER_OVERRIDES, DOSSIER_TIMES, k, stride)
    took = seconds(lambda: sql(f"INSERT INTO dossiers_dossier ({cols}) SELECT {values} FROM dossiers_dossier {limit}"))
    if not events:
        print(f"  copy {k}: dossiers {took:.0f} s")
        return
    event_overrides = {"dossier_id": "dossier_id + {k} * {stride}"}
    cols, values = copy_select(DossierEvent, event_overrides, ("effective_at", "recorded_at"), k, stride)
    insert = f"INSERT INTO dossiers_dossierevent ({cols}) SELECT {values} FROM dossiers_dossierevent"
    took_events = seconds(lambda: sql(f"{insert} WHERE dossier_id <= {stride}"))
    print(f"  copy {k}: dossiers {took:.0f} s, events {took_events:.0f} s")


# -- candidate indexes --------------------------------------------------------------------------


OPEN_IN = "status IN (1, 2, 4, 5, 6)"
CANDIDATES = (
    # The queue's ORDER BY due_at, id served whole by the index: no walk of every open dossier.
    ("dossier_queue_id_idx", "(current_unit_id, status, due_at, id)"),
    # One per watch level, holding only the dossiers not yet flagged at that level.
    ("watch_soon_idx", f"(soon_at) WHERE {OPEN_IN} AND watch_level < 1"),
    ("watch_due_idx", f"(due_at) WHERE {OPEN_IN} AND watch_level < 2"),
    ("watch_late2_idx", f"(late2_at) WHERE {OPEN_IN} AND watch_level < 3"),
    ("watch_late3_idx", f"(late3_at) WHERE {OPEN_IN} AND watch_level < 4"),
    # The staff search box: icontains (Django: UPPER(col) LIKE UPPER('%q%')) on code and name, and
    # the phone's suffix (LIKE '%digits'), by trigrams (pg_trgm, a contrib extension).
    ("search_code_trgm_idx", "USING gin (upper(code::text) gin_trgm_ops)"),
    ("search_name_trgm_idx", "USING gin (upper(applicant_name::text) gin_trgm_ops)"),
    ("search_phone_trgm_idx", "USING gin (applicant_phone gin_trgm_ops)"),
)


def experiments(t: dict, repeat: int) -> None:
    """Candidate indexes: built, sized, and the queries they are for measured again."""
    sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in CANDIDATES:
        took = seconds(lambda n=name, d=definition: sql(f"CREATE INDEX {n} ON dossiers_dossier {d}"))
        size = sql("SELECT pg_size_pretty(pg_relation_size(%s::regclass))", [name])[0][0]
        print(f"  {name}: built in {took:.1f} s, {size}")
    sql("ANALYZE dossiers_dossier")
    wanted = ("queue: current unit", "watch job", "staff search")
    for label, fn in staff_queries(t) + lookup_queries(t):
        if label.startswith(wanted):
            report(f"{label} — with the candidates", fn, repeat)
    for name, _definition in CANDIDATES:
        sql(f"DROP INDEX {name}")


# -- command line -------------------------------------------------------------------------------


def stage(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}  [{time.strftime('%H:%M:%S')}]\n{'=' * 100}")


def run(args: argparse.Namespace) -> None:
    stage(f"{args.dossiers:,} dossiers")
    populate(args.dossiers)
    first_watch_run()
    if args.kpi:
        facts_rebuild()
    sizes()
    t = targets()
    print(f"\ntargets: {t}")
    hot_queries(t, args.repeat)
    if args.experiments:
        stage("candidate indexes")
        experiments(t, args.repeat)
    if args.partitions:
        stage("monthly partitioning, on copies of the dossier and event tables")
        partitioning(t, args.repeat)
    if args.big:
        stage(f"{args.big:,} dossiers: the same, copied back in time")
        grow(args.big, args.dossiers, events=args.big_events)
        if args.big_kpi:
            facts_rebuild()
        sizes()
        hot_queries(t, args.repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=0, help="then grow to this many dossiers (e.g. 10000000)")
    parser.add_argument("--big-events", action="store_true", help="copy the events too when growing")
    parser.add_argument("--big-kpi", action="store_true", help="rebuild the KPI facts after growing")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-partitions", dest="partitions", action="store_false")
    parser.add_argument("--no-kpi", dest="kpi", action="store_false", help="do not rebuild the KPI facts")
    parser.add_argument("--experiments", action="store_true", help="try the candidate indexes (docs/scaling.md)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench_plans needs PostgreSQL: set DATABASE_URL")
        return 2
    began = time.perf_counter()
    with common.throwaway_database("bench_plans") as where:
        print(f"database: {where}; now {NOW:%Y-%m-%d %H:%M %Z}")
        run(args)
    print(f"\nbench_plans: {time.perf_counter() - began:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
