"""Benchmark: the staff search box ignoring accents and case, indexed against a sequential scan.

Generates dossiers with bench/datagen.py on a PostgreSQL database of its own, in two steps
(a fifth of `--dossiers`, then the rest), and after each runs the SQL of
`Dossier.objects.search(q).for_list()[:50]` — what the work queue and
`GET /api/v1/dossiers?q=` run, every statement of it — for a full name of the data typed
without accents, in capitals and as written, a dossier code, and a part of the name (its
last two words). Each is timed as deployed (a whole name or code: exact, through
`dossier_name_fold_idx` (migration 0023) or the code's unique index; a part: the trigram GIN
index on `motcua_fold(applicant_name)`) and, in the same run, with bitmap and index scans
switched off: the baseline, a read of the whole table, which is what every search cost
before. The scan grows with the table; the trigram search with its posting lists; the exact
lookups with the matches only. With --reuse-db it prints how the indexed times grew between
the first database and the last. Goal: the plan names the index and, at `--dossiers`, the name
searches are at least 10× faster than the scan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/bench_search.py \\
        [--dossiers 100000] [--repeat 15]
    # the same queries on kept databases (bench/bigdata.py), e.g. 1M then 10M: flat or not
    … bench/bench_search.py --reuse-db motcua_big1m --reuse-db motcua_big10m
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench_search needs PostgreSQL: set DATABASE_URL=postgres://…")

from django.db import connection, transaction  # noqa: E402

from bench import common  # noqa: E402
from bench.datagen import catalogue_synthesise, dossiers_generate  # noqa: E402
from dossiers.models import Dossier  # noqa: E402
from dossiers.textsearch import fold  # noqa: E402

GOAL = 10.0
INDEX = "dossier_name_fold_trgm_idx"  # a part of a name
EXACT_INDEX = "dossier_name_fold_idx"  # a whole name (migration 0023)
TABLES = ("dossiers_dossier", "dossiers_dossierevent", "dossiers_clockentry")


def typed_queries(*, middle_of_ids: bool = False) -> list[tuple[str, str]]:
    """(label, text): a full name from the middle of the data, typed three ways, and a code.
    `middle_of_ids`: the middle by id, not by an OFFSET of half the table (for millions of rows)."""
    if middle_of_ids:
        last = Dossier.objects.order_by("-id").values_list("id", flat=True).first() or 0
        name = Dossier.objects.filter(id__gte=last // 2).order_by("id").values_list("applicant_name", flat=True)[0]
    else:
        middle = Dossier.objects.count() // 2
        name = Dossier.objects.order_by("id").values_list("applicant_name", flat=True)[middle]
    code = Dossier.objects.order_by("-id").values_list("code", flat=True).first()
    return [
        ("name without accents", fold(name)),
        ("name in capitals", name.upper()),
        ("name as written", name),
        ("dossier code", code),
        ("part of a name", " ".join(fold(name).split()[-2:])),  # nobody's whole name: the trigram search
    ]


def statement(q: str) -> tuple[str, list]:
    return Dossier.objects.search(q).for_list()[:50].query.sql_with_params()


def median_ms(q: str, repeat: int, *, scan: bool) -> tuple[float, int]:
    """(median milliseconds, rows) of `Dossier.objects.search(q).for_list()[:50]` read in full —
    every statement it sends (a whole name: whether it exists, then the rows); `scan`: bitmap and
    index scans off."""
    times, rows = [], 0
    with transaction.atomic(), connection.cursor() as cursor:
        if scan:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        for _ in range(repeat + 1):  # the first one warms the cache
            start = time.perf_counter()
            rows = len(list(Dossier.objects.search(q).for_list()[:50]))
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:]), rows


def uses_index(q: str) -> bool:
    """The rows' plan names the whole-name B-tree or the trigram index."""
    sql, params = statement(q)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    return EXACT_INDEX in plan or INDEX in plan


def measure(size: int, queries: list[tuple[str, str]], repeat: int, *, scan_repeat: int | None = None) -> list[float]:
    """Print one line per query at this size; the ratios scan ÷ index. `scan_repeat`: runs of the
    baseline (default `repeat`; a scan of 10M rows takes ~25 s, so the kept mode runs it once)."""
    ratios, times = [], []
    for label, q in queries:
        indexed, rows = median_ms(q, repeat, scan=False)
        scan, _rows = median_ms(q, repeat if scan_repeat is None else scan_repeat, scan=True)
        ratios.append(scan / indexed)
        times.append(indexed)
        print(
            f"  {size:>9,}  {label:21} {q!r:30} {rows:3} rows  index {indexed:6.1f} ms  scan {scan:7.1f} ms"
            f"  ratio {scan / indexed:5.1f}×"
        )
    measure.indexed = times  # type: ignore[attr-defined]  # the indexed medians of the last size
    return ratios


def grow(count: int) -> None:
    with common.bulk_load(TABLES):
        dossiers_generate(count=count)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")


def kept(names: list[str], repeat: int) -> int:
    """The same name and code (from the first database) on each kept database in turn: flat means the
    indexed times stay put while the rows grow tenfold."""
    queries, ratios, used, indexed = None, [], False, []
    for name in names:
        print(f"{common.use_database(name)}: median of {repeat}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'dossiers_dossier'")
            size = cursor.fetchone()[0]
        queries = queries or typed_queries(middle_of_ids=True)
        ratios = measure(size, queries, repeat, scan_repeat=1)
        indexed.append(measure.indexed)  # type: ignore[attr-defined]
        used = uses_index(queries[0][1])
        connection.close()
    if len(indexed) > 1:
        growth = ", ".join(
            f"{label} {b / a:.2f}×" for (label, _q), a, b in zip(queries, indexed[0], indexed[-1], strict=True)
        )
        print(f"indexed time {names[-1]} ÷ {names[0]} (flat: about 1×): {growth}")
    worst = min(ratios[:3])
    print(
        f"plan uses {EXACT_INDEX} or {INDEX}: {used}; worst name ratio on {names[-1]}: {worst:.1f}×",
        f"(goal ≥ {GOAL:.0f}×)",
    )
    return 0 if used and worst >= GOAL else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--reuse-db", metavar="NAME", action="append", default=[],
        help="kept databases (bench/bigdata.py), smallest first: the same queries on each, no data generated",
    )  # fmt: skip
    args = parser.parse_args()
    if args.reuse_db:
        return kept(args.reuse_db, args.repeat)
    first = args.dossiers // 5
    with common.throwaway_database("motcua_bench_search") as where:
        print(f"{where}: the SQL of Dossier.objects.search(q).for_list()[:50], median of {args.repeat}")
        catalogue_synthesise(units=100, procedures=50)
        grow(first)
        queries = typed_queries()  # the same name and code at both sizes
        measure(first, queries, args.repeat)
        grow(args.dossiers - first)
        ratios = measure(args.dossiers, queries, args.repeat)
        used = uses_index(queries[0][1])
        worst = min(ratios[:3])  # the name searches; codes have their own index (migration 0009)
        print(
            f"plan uses {EXACT_INDEX} or {INDEX}: {used}; worst name ratio at {args.dossiers:,}: {worst:.1f}×",
            f"(goal ≥ {GOAL:.0f}×)",
        )
        return 0 if used and worst >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
