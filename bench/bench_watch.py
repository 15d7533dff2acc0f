"""The overdue watch over many dossiers, against hand-written SQL in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench .venv/bin/python bench/bench_watch.py \
        --dossiers 1000000 --big 10000000

1. N dossiers, 10 % open: `watch_flag()` (every level, events and attribution)
   against (a) the equivalent hand-written SQL — the same UPDATEs feeding the same
   event INSERTs — and (b) a bare UPDATE of the flags alone. Goal: ≤ 1.5× (a).
2. The same at 1 % open: the cost follows the open dossiers, not all of them.
3. A run with nothing new to flag at `--big` dossiers (goal < 100 ms), and the same
   statement without the partial index's help, for comparison.

The dossier rows are made by one INSERT … SELECT over generate_series (the watch job
reads only the dossier table: thresholds, status and level). PostgreSQL only.
"""

import argparse
import statistics
import sys
from datetime import timedelta

import common  # noqa: F401 — sets up Django first
from common import bulk_load, throwaway_database, timer
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers.models import Field, Procedure, Unit
from dossiers.models.dossier import OPEN_RANGE_SQL
from dossiers.services.watch import LEVELS, watch_flag

OPEN = OPEN_RANGE_SQL.format(t="")  # the open statuses, as the watch indexes write them

NOW = timezone.now()


def catalogue() -> tuple[int, int]:
    unit = Unit.objects.create(code="B.H99", name="Trung tâm thử tải", kind=Unit.Kind.CENTRE)
    field = Field.objects.create(code="B", name="Thử tải")
    procedure = Procedure.objects.create(
        national_code="9.999999",
        name="Thủ tục thử tải",
        field=field,
        level="province",
        legal_processing_time=10,
        time_unit="working_days",
    )
    return unit.pk, procedure.pk


def fill(n: int, open_share: float, unit: int, procedure: int, *, settled: bool = False) -> None:
    """n dossiers received over 180 days; `open_share` of them open, the rest returned.

    settled: each open dossier already at the level its thresholds give now, as earlier watch runs
    left it (the steady state of a table the watch has been keeping; no events are written, the
    watch reads only the dossier table)."""
    level = (
        "CASE WHEN status = 10 THEN 0 WHEN r + interval '42 days' < %(now)s THEN 4"
        " WHEN r + interval '28 days' < %(now)s THEN 3 WHEN r + interval '14 days' < %(now)s THEN 2"
        " WHEN r + interval '12 days' <= %(now)s THEN 1 ELSE 0 END"
        if settled
        else "0"
    )
    sql = f"""
    INSERT INTO dossiers_dossier (code, lookup_key, procedure_id, receiving_unit_id, lead_unit_id, current_unit_id,
        channel, status, applicant_name, applicant_id_number, applicant_phone, applicant_email, applicant_address,
        set_count, form_version, register_line, submitted_at, received_at, due_at, due_at_original, soon_at,
        late2_at, late3_at, watch_level, waiting_seconds, supplement_count, extension_count, timeliness, note,
        version, created_at, updated_at)
    SELECT 'B.H99-' || g, 'KEY' || (g %% 100000), %(p)s, %(u)s, %(u)s, %(u)s, 'counter',
        status, 'Nguyễn Văn A', '056190001234', '0905123456', '', '',
        1, 'TT03/2025/TT-VPCP', g, r, r, r + interval '14 days', r + interval '14 days',
        r + interval '12 days', r + interval '28 days', r + interval '42 days', {level}, 0, 0, 0, '', '', 1, r, r
    FROM (SELECT g, %(now)s::timestamptz - (random() * interval '180 days') AS r,
                 CASE WHEN random() < %(open)s THEN 4 ELSE 10 END AS status
          FROM generate_series(1, %(n)s) AS g) AS s
    """  # noqa: S608 — only our own SQL is interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, {"n": n, "open": open_share, "u": unit, "p": procedure, "now": NOW})
        cursor.execute("ANALYZE dossiers_dossier")


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossier SET watch_level = 0, late_unit_id = NULL WHERE watch_level > 0")
        cursor.execute("TRUNCATE dossiers_dossierevent")
        cursor.execute("VACUUM ANALYZE dossiers_dossier")


def handwritten(with_events: bool) -> int:
    """The same work as watch_flag's dossier levels, as plain SQL statements."""
    flagged = 0
    with connection.cursor() as cursor:
        for level, (column, action) in LEVELS.items():
            op = "<=" if level == 1 else "<"
            past_due = "AND watch_level >= 2" if level > 2 else ""
            update = (
                f"UPDATE dossiers_dossier SET watch_level = %(l)s WHERE {OPEN} "
                f"AND watch_level < %(l)s AND {column} {op} %(at)s {past_due}"
            )
            if with_events:
                update = f"""WITH f AS ({update} RETURNING id, status, current_unit_id, {column} AS t)
                    INSERT INTO dossiers_dossierevent (dossier_id, action, from_status, to_status, unit_id,
                        effective_at, recorded_at, reason, data, is_public)
                    SELECT id, %(a)s, status, status, current_unit_id, t, %(at)s, '', '{{}}'::jsonb, false FROM f"""
            cursor.execute(update, {"l": int(level), "at": NOW, "a": action})
            flagged += cursor.rowcount
    return flagged


def measure(label: str, fn, runs: int = 3) -> float:
    """Median seconds over `runs`, resetting the flags before each."""
    times = []
    for _ in range(runs):
        reset()
        with timer() as t:
            result = fn()
        times.append(t["seconds"])
    median = statistics.median(times)
    print(f"  {label:<44} {median * 1000:>9.1f} ms   (runs: {', '.join(f'{x * 1000:.0f}' for x in times)}) → {result}")
    return median


GOAL_RATIO = 1.5  # watch_flag() against the hand-written statements
GOAL_NOTHING_NEW = 0.100  # seconds: a run with nothing to flag over the big table


def verdict(met: bool) -> str:
    return "OK" if met else "MISSED"


def scenario(n: int, open_share: float, unit: int, procedure: int) -> tuple[float, bool]:
    """Seconds of the flagging run, and whether it met the ratio goal."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dossiers_dossier CASCADE")
    fill(n, open_share, unit, procedure)
    print(f"\n{n:,} dossiers, {open_share:.0%} open")
    ours = measure("watch_flag() — levels, events, attribution", lambda: sum(watch_flag(at=NOW).values()))
    sql = measure("hand-written SQL: UPDATE … → INSERT events", lambda: handwritten(with_events=True))
    bare = measure("bare UPDATE of the flags (no events)", lambda: handwritten(with_events=False))
    met = ours / sql <= GOAL_RATIO
    print(
        f"  ratio ours / hand-written: {ours / sql:.2f}×  (goal ≤ {GOAL_RATIO}×) {verdict(met)};"
        f"  ours / bare UPDATE: {ours / bare:.2f}×"
    )
    reset()
    watch_flag(at=NOW)
    times = nothing_new_runs()
    print(
        f"  then nothing new, right after that flagging (before any vacuum): median "
        f"{statistics.median(times) * 1000:.1f} ms over 5 runs (the level indexes hold the flagged rows' dead entries)"
    )
    return ours, met


def nothing_new_runs(runs: int = 5) -> list[float]:
    """Seconds of `runs` watch runs a second after everything due was flagged; each must flag nothing."""
    times = []
    for _ in range(runs):
        with timer() as t:
            counts = watch_flag(at=NOW + timedelta(seconds=1))
        times.append(t["seconds"])
        assert sum(counts.values()) == 0, counts
    return times


def nothing_new(n: int, unit: int, procedure: int) -> bool:
    """The watch over a big table in its steady state: every open dossier at its level already."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dossiers_dossier CASCADE")
    # The staff search's trigram indexes neither serve nor slow a run with nothing to flag: left out.
    with bulk_load(("dossiers_dossier",), leave_out="trgm"), timer() as t:
        fill(n, 0.10, unit, procedure, settled=True)
    print(f"\n{n:,} dossiers, 10% open, each open one already at its level: rows in {t['seconds']:.0f} s")
    with timer() as t, connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
    print(f"  VACUUM ANALYZE in {t['seconds']:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT watch_level, count(*) FROM dossiers_dossier WHERE {OPEN} GROUP BY 1 ORDER BY 1"  # noqa: S608
        )
        print("  open dossiers by level: " + ", ".join(f"{level}: {count:,}" for level, count in cursor.fetchall()))
    later = NOW + timedelta(seconds=1)
    times = nothing_new_runs()  # flags nothing: the levels were set as the watch's own statements would
    median = statistics.median(times)
    runs = ", ".join(f"{x * 1000:.1f}" for x in times)
    met = median < GOAL_NOTHING_NEW
    print(
        f"  nothing new to flag: median {median * 1000:.1f} ms over 5 runs ({runs}) "
        f"(goal < {GOAL_NOTHING_NEW * 1000:.0f} ms) {verdict(met)}"
    )
    with timer() as t:
        counts = watch_flag(at=NOW + timedelta(minutes=5))
    print(f"  the next beat, 5 minutes later: {t['seconds'] * 1000:.1f} ms, {sum(counts.values()):,} new flags")
    explain_levels(later)
    with connection.cursor() as cursor:  # the same statement when no partial index can help
        cursor.execute("SET enable_indexscan = off; SET enable_bitmapscan = off")
        with timer() as t:
            cursor.execute(
                f"SELECT count(*) FROM dossiers_dossier WHERE {OPEN} AND watch_level < 2 AND due_at < %s",  # noqa: S608
                [later],
            )
        cursor.execute("RESET enable_indexscan; RESET enable_bitmapscan")
    print(f"  the overdue level without the partial index (sequential scan): {t['seconds'] * 1000:.0f} ms")
    return met


def explain_levels(at) -> None:
    """The plan of each level's statement in a run with nothing new (rolled back): which index, how many pages."""
    with CaptureQueriesContext(connection) as captured:
        watch_flag(at=at)
    for query in captured.captured_queries:
        sql = query["sql"]
        if "UPDATE dossiers_dossier" not in sql:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")  # as watch_flag runs them
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            plan = [row[0].strip() for row in cursor.fetchall()]
            transaction.set_rollback(True)
        scans = [line for line in plan if "Scan" in line or line.startswith("Buffers")]
        total = next((line for line in plan if line.startswith("Execution Time")), "")
        print(f"    level {sql.split('SET watch_level = ')[1].split()[0]}: {'; '.join(scans[:3])}; {total}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000, help="size of the flagging runs (0: skip)")
    parser.add_argument("--big", type=int, default=10_000_000, help="size of the nothing-new run (0: skip)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench_watch needs PostgreSQL: set DATABASE_URL")
        return 2
    goals = []
    with throwaway_database("bench_watch") as where:
        print(f"database: {where}")
        unit, procedure = catalogue()
        if args.dossiers:
            (at10, met10), (at1, met1) = (scenario(args.dossiers, share, unit, procedure) for share in (0.10, 0.01))
            print(f"\n10% open vs 1% open: {at10 / at1:.1f}× the time for 10× the open dossiers")
            goals += [met10, met1]
        if args.big:
            goals.append(nothing_new(args.big, unit, procedure))
    print(f"\ngoals: {sum(goals)} of {len(goals)} met")
    return 0 if all(goals) else 1  # bench/README.md: exit status 1 when a goal is missed


if __name__ == "__main__":
    sys.exit(main())
