"""Build a kept PostgreSQL database of many dossiers for the KPI benches (1M → 10M).

datagen at 10M with events runs at ~1,900 dossiers/s (about 90 minutes), so the big set is
made in two honest steps:

1. `--base` dossiers (default 1,000,000) from `bench/datagen.py` (COPY, 700 units, 100
   procedures, 6 months ending now, with their events and clock entries), loaded with the
   secondary indexes dropped and rebuilt after (`common.bulk_load`); then bench_kpi's
   extras, set-based: a scan for two dossiers in three, an electronic result for every other
   finished one, a signed apology for one late dossier in three;
2. optionally (`--snapshot NAME`) a copy of that database (`CREATE DATABASE … TEMPLATE`), the
   1M set;
3. copies of the base dossiers by `INSERT … SELECT` (`bench_plans.grow`) up to `--dossiers`:
   copy k gets ids `id + k × max(id)`, every timestamp moved 27 × k weeks back, its code
   re-dated to the new submission day (so codes stay unique), open ones closed (history,
   not more open work); then the same extras for the copied dossiers. The KPI rebuild and
   the dashboard read dossiers, attachments, apologies and the calendar, not events or
   clock entries: **the copies have no events and no clock entries** (those stay the base's).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_h6bench .venv/bin/python bench/bigdata.py \
        --db motcua_h6bench_10m --dossiers 10000000 [--snapshot motcua_h6bench_1m] [--replace]

Then `bench_kpi.py --reuse-db motcua_h6bench_10m`, `bench_dashboard.py --reuse-db …`; drop the
databases by hand when done (`DROP DATABASE …`).
"""

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402

from bench import common  # noqa: E402
from bench.bench_kpi import EXTRAS  # noqa: E402
from bench.bench_plans import NOW, grow, vacuum  # noqa: E402
from bench.common import bulk_load  # noqa: E402
from bench.datagen import catalogue_synthesise, dossiers_generate  # noqa: E402


def sql(statement: str, params=None) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def extras(*, after_id: int = 0) -> None:
    """bench_kpi's scans, results and apologies, for the dossiers with id > after_id."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench")
    began = time.perf_counter()
    with bulk_load(("dossiers_attachment", "dossiers_apology")):
        for statement in EXTRAS:
            params = ([user.pk] if "%s" in statement else []) + [after_id]
            sql(f"{statement} AND id > %s", params)
    sql("VACUUM (ANALYZE) dossiers_attachment")
    sql("VACUUM (ANALYZE) dossiers_apology")
    print(f"extras for dossiers with id > {after_id:,}: {time.perf_counter() - began:.0f} s", flush=True)


def counts() -> str:
    tables = ("dossier", "dossierevent", "clockentry", "attachment", "apology")
    parts = [f"{t} {sql(f'SELECT count(*) FROM dossiers_{t}')[0][0]:,}" for t in tables]
    return ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="name of the kept database to build")
    parser.add_argument("--base", type=int, default=1_000_000, help="dossiers made by datagen")
    parser.add_argument("--dossiers", type=int, default=10_000_000, help="total after the copies")
    parser.add_argument("--snapshot", help="also keep the base set as this database (TEMPLATE copy)")
    parser.add_argument("--replace", action="store_true", help="drop --db (and --snapshot) first if they exist")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bigdata needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2
    for name in (args.db, args.snapshot):
        if name and common.database_exists(name):
            if not args.replace:
                print(f"{name} exists: use --replace, or reuse it")
                return 2
            common._admin_sql(f'DROP DATABASE "{name}"')
    began = time.perf_counter()
    print(f"database: {common.use_database(args.db, create=True)}", flush=True)
    catalogue_synthesise(units=700, procedures=100)
    with bulk_load(("dossiers_dossier", "dossiers_dossierevent", "dossiers_clockentry")):
        t = time.perf_counter()
        totals = dossiers_generate(count=args.base, now=NOW)
        took = time.perf_counter() - t
        print(f"datagen: {totals} in {took:.0f} s ({totals['dossiers'] / took:,.0f} dossiers/s)", flush=True)
    vacuum()
    extras()
    print(f"base set: {counts()} after {time.perf_counter() - began:.0f} s", flush=True)
    if args.snapshot:
        t = time.perf_counter()
        common.copy_database(args.db, args.snapshot)
        print(f"snapshot {args.snapshot}: {time.perf_counter() - t:.0f} s", flush=True)
    if args.dossiers > totals["dossiers"]:
        stride = sql("SELECT max(id) FROM dossiers_dossier")[0][0]
        grow(args.dossiers, totals["dossiers"], events=False)
        extras(after_id=stride)
    sql("ANALYZE")
    print(f"done: {counts()} in {time.perf_counter() - began:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
