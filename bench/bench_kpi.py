"""Benchmark: the full KPI facts rebuild against one hand-written SQL GROUP BY (PostgreSQL).

Generates N dossiers with `bench/datagen.py` (COPY) over ~700 units in a throwaway
database, adds scans, electronic results and signed apologies set-based, then times
`kpi_facts_rebuild()` (INSERT … SELECT into the facts table) and a hand-written GROUP BY
returning the same figures, alternately, and checks both give the same rows. Goal: the
rebuild within 1.5× the bare GROUP BY.

    DATABASE_URL=postgres://…/motcua_bench_j .venv/bin/python bench/bench_kpi.py [--dossiers 1000000]
    DATABASE_URL=postgres://…/motcua_bench_j .venv/bin/python bench/bench_kpi.py --reuse-db motcua_h6bench_10m
"""

import argparse
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection, transaction  # noqa: E402

from bench import common  # noqa: E402
from bench.datagen import catalogue_synthesise, dossiers_generate  # noqa: E402
from dossiers.kpi.facts import REBUILD_WORK_MEM, kpi_days_refresh, kpi_facts_rebuild  # noqa: E402
from dossiers.kpi.sql import COLUMNS  # noqa: E402
from dossiers.models import KpiFact  # noqa: E402

GOAL_RATIO = 1.5
# The same figures, written by hand: one pass over the three kinds of event with FILTER.
POS = (
    "(COALESCE({k}.position, 0) + CASE WHEN {k}.is_working THEN"
    " GREATEST(0, LEAST({s}, 41400) - 27000) + GREATEST(0, LEAST({s}, 63000) - 48600) ELSE 0 END)"
)


def local_day(col: str) -> str:
    return f"(DATE '1970-01-01' + ((floor(date_part('epoch', {col}))::bigint + 25200) / 86400)::int)"


SF = "((floor(date_part('epoch', d.finished_at))::bigint + 25200) %% 86400)::int"
SR = "((floor(date_part('epoch', d.received_at))::bigint + 25200) %% 86400)::int"
BASELINE = f"""
WITH att AS (SELECT dossier_id, bool_or(kind = 'scan') AS scan, bool_or(kind = 'result') AS result
             FROM dossiers_attachment GROUP BY dossier_id),
ap AS (SELECT DISTINCT dossier_id FROM dossiers_apology WHERE status = 'signed'),
d AS (SELECT d.*, p.time_unit, p.online_level, p.result_type, p.legal_processing_time AS legal,
             COALESCE(p.committed_processing_time, p.legal_processing_time) AS committed,
             (d.timeliness_766 IN ('early', 'on_time')) AS ok,
             COALESCE(att.scan, false) AS scan, COALESCE(att.result, false) AS result,
             ap.dossier_id IS NOT NULL AS sorry
      FROM dossiers_dossier d JOIN dossiers_procedure p ON p.id = d.procedure_id
      LEFT JOIN att ON att.dossier_id = d.id LEFT JOIN ap ON ap.dossier_id = d.id
      WHERE d.received_at IS NOT NULL),
ev AS (
  SELECT lead_unit_id AS u, procedure_id AS p, {local_day("received_at")} AS day, 'r' AS kind, d.*,
         0::bigint AS took
  FROM d
  UNION ALL
  SELECT lead_unit_id, procedure_id, {local_day("finished_at")}, 'f', d.*,
         GREATEST(0, {POS.format(k="kf", s=SF)} - {POS.format(k="kr", s=SR)} - waiting_seconds)
  FROM d
  LEFT JOIN dossiers_kpiday kf ON kf.day = {local_day("d.finished_at")}
  LEFT JOIN dossiers_kpiday kr ON kr.day = {local_day("d.received_at")}
  WHERE finished_at IS NOT NULL
  UNION ALL
  SELECT d.lead_unit_id, d.procedure_id, {local_day("a.issued_at")}, 'a', d.*, 0
  FROM dossiers_apology a JOIN d ON d.id = a.dossier_id WHERE a.status = 'signed' AND a.issued_at IS NOT NULL
)
SELECT u, p, day,
  count(*) FILTER (WHERE kind = 'r' AND channel = 'counter'),
  count(*) FILTER (WHERE kind = 'r' AND channel = 'online'),
  count(*) FILTER (WHERE kind = 'r' AND channel = 'postal'),
  count(*) FILTER (WHERE kind = 'r' AND fee > 0),
  count(*) FILTER (WHERE kind = 'r' AND scan),
  count(*) FILTER (WHERE kind = 'r' AND online_level = 'full'),
  count(*) FILTER (WHERE kind = 'r' AND online_level = 'full' AND channel = 'online'),
  count(*) FILTER (WHERE kind = 'r' AND online_level = 'partial'),
  count(*) FILTER (WHERE kind = 'r' AND online_level = 'partial' AND channel = 'online'),
  count(*) FILTER (WHERE kind = 'f'),
  count(*) FILTER (WHERE kind = 'f' AND timeliness_766 = 'early'),
  count(*) FILTER (WHERE kind = 'f' AND timeliness_766 = 'on_time'),
  count(*) FILTER (WHERE kind = 'f' AND NOT ok),
  COALESCE(sum(took) FILTER (WHERE kind = 'f'), 0),
  COALESCE(sum(round((legal - committed) * CASE time_unit WHEN 'working_hours' THEN 3600
      WHEN 'working_days' THEN 28800 ELSE 0 END)) FILTER (WHERE kind = 'f'), 0),
  count(*) FILTER (WHERE kind = 'f' AND result),
  count(*) FILTER (WHERE kind = 'f' AND result_type IN ('paper', 'both')),
  count(*) FILTER (WHERE kind = 'f' AND result_type IN ('paper', 'both') AND result),
  count(*) FILTER (WHERE kind = 'f' AND scan AND result),
  count(*) FILTER (WHERE kind = 'a'),
  count(*) FILTER (WHERE kind = 'f' AND NOT ok AND NOT sorry)
FROM ev GROUP BY u, p, day
"""
EXTRAS = [
    # Scans for two dossiers in three, an electronic result for every other finished one.
    "INSERT INTO dossiers_attachment (dossier_id, kind, file, original_name, content_type, size, sha256,"
    " uploaded_at) SELECT id, 'scan', 'x.pdf', 'x.pdf', 'application/pdf', 1, '', received_at"
    " FROM dossiers_dossier WHERE received_at IS NOT NULL AND id %% 3 <> 0",
    "INSERT INTO dossiers_attachment (dossier_id, kind, file, original_name, content_type, size, sha256,"
    " uploaded_at) SELECT id, 'result', 'r.pdf', 'r.pdf', 'application/pdf', 1, '', finished_at"
    " FROM dossiers_dossier WHERE finished_at IS NOT NULL AND id %% 2 = 0",
    # A signed apology for one late dossier in three.
    "INSERT INTO dossiers_apology (dossier_id, unit_id, status, number, reason, original_due_at, new_due_at,"
    " drafted_by_id, drafted_at, issued_at, issued_after_due, review_comment)"
    " SELECT id, lead_unit_id, 'signed', '', 'Trễ', due_at_original, due_at_original + interval '2 days', %s,"
    " due_at_original - interval '1 hour', due_at_original - interval '1 hour', false, ''"
    " FROM dossiers_dossier WHERE timeliness_766 = 'late' AND id %% 3 = 0 AND due_at_original IS NOT NULL",
]


def populate(count: int) -> None:
    from django.contrib.auth import get_user_model

    began = time.perf_counter()
    catalogue_synthesise(units=700, procedures=100)
    totals = dossiers_generate(count=count)
    user = get_user_model().objects.create(username="bench")
    with connection.cursor() as cursor:
        for statement in EXTRAS:
            cursor.execute(statement, [user.pk] if "%s" in statement else [])
        cursor.execute("ANALYZE")
    print(f"data: {totals} + scans, results, apologies in {time.perf_counter() - began:.1f} s")


@contextmanager
def kpi_database(name: str, args: argparse.Namespace) -> Iterator[str]:
    """`common.bench_database` with the KPI benches' data: `--dossiers` generated by `populate`, or
    the kept database of `--reuse-db` as it is; says which and what it holds."""
    with common.bench_database(name, args.reuse_db) as where:
        print(f"database: {where}")
        if not args.reuse_db:
            populate(args.dossiers)
        print(f"data: {common.data_summary()}")
        yield where


def baseline() -> tuple[float, set]:
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")  # as the rebuild does
        cursor.execute(BASELINE, [])
        rows = cursor.fetchall()
    return time.perf_counter() - began, {(r[0], r[1], r[2], *map(int, r[3:])) for r in rows}


def rebuild() -> float:
    began = time.perf_counter()
    kpi_facts_rebuild()
    return time.perf_counter() - began


def facts_rows() -> set:
    return set(KpiFact.objects.values_list("unit_id", "procedure_id", "day", *COLUMNS))


def measure(rounds: int) -> dict:
    kpi_days_refresh()
    print(f"  warm-up rebuild: {rebuild():.3f} s", flush=True)  # warm the caches for both
    base_times, rebuild_times, expected = [], [], set()
    for i in range(rounds):
        seconds, expected = baseline()
        base_times.append(seconds)
        rebuild_times.append(rebuild())
        print(f"  round {i + 1}: GROUP BY {base_times[-1]:.3f} s, rebuild {rebuild_times[-1]:.3f} s", flush=True)
    return {
        "baseline": statistics.median(base_times),
        "rebuild": statistics.median(rebuild_times),
        "equal": expected == facts_rows(),
        "rows": len(expected),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse-db", metavar="NAME", help="a kept database (bench/bigdata.py): no data generated")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench_kpi needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2
    with kpi_database("motcua_bench_kpi", args):
        r = measure(args.rounds)
    ratio = r["rebuild"] / r["baseline"]
    met = ratio <= GOAL_RATIO
    print(f"fact rows: {r['rows']:,}; results equal: {r['equal']}")
    print(f"hand-written GROUP BY: {r['baseline']:.3f} s (median of {args.rounds})")
    print(f"kpi_facts_rebuild:     {r['rebuild']:.3f} s (median of {args.rounds})")
    print(f"ratio rebuild / GROUP BY: {ratio:.2f}× (goal ≤ {GOAL_RATIO}×) {'OK' if met else 'MISSED'}")
    return 0 if r["equal"] and met else 1


if __name__ == "__main__":
    sys.exit(main())
