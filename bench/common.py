"""Shared set-up for the benchmarks: Django on a throwaway database, and a timer.

Import this module before anything from the project: it puts the repository on the
path, points the var/ directory at a temporary folder and calls django.setup().
With DATABASE_URL set, benchmarks create and drop a dedicated database on that
server; otherwise they use a temporary SQLite file.
"""

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP_DIR = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ.setdefault("PORTAL_VAR_DIR", str(TMP_DIR))

import django  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

django.setup()


@contextmanager
def throwaway_database(name: str) -> Iterator[str]:
    """Create, migrate and finally drop a database of its own; yields a description."""
    db = connection.settings_dict
    sqlite = connection.vendor == "sqlite"
    db["TEST"]["NAME"] = str(TMP_DIR / f"{name}.sqlite3") if sqlite else f"{name}_{os.getpid()}"
    try:
        old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
        try:
            yield f"{connection.vendor} {db['NAME']}"
        finally:
            teardown_databases(old_config, verbosity=0)
    finally:
        shutil.rmtree(TMP_DIR, ignore_errors=True)


@contextmanager
def timer() -> Iterator[dict]:
    """`with timer() as t: …` then t["seconds"]."""
    elapsed = {"seconds": 0.0}
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed["seconds"] = time.perf_counter() - start


def _admin_sql(statement: str, params=None) -> list:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    db = connection.settings_dict
    params_ = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params_.items() if v}) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def database_exists(name: str) -> bool:
    return bool(_admin_sql("SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def use_database(name: str, *, create: bool = False) -> str:
    """Point Django at a kept database `name` (PostgreSQL), created if asked, and migrate it.

    For data sets too big to make per run (bench/bigdata.py builds one; bench_kpi and
    bench_dashboard read it with --reuse-db). Migrating applies whatever the branch added.
    """
    from django.core.management import call_command

    if connection.vendor != "postgresql":
        raise SystemExit("a kept database needs PostgreSQL")
    exists = database_exists(name)
    if not exists and not create:
        raise SystemExit(f"database {name} does not exist: build it with bench/bigdata.py")
    if not exists:
        _admin_sql(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)
    return f"{connection.vendor} {name} (kept)"


def copy_database(source: str, target: str, attempts: int = 20) -> None:
    """CREATE DATABASE target TEMPLATE source (nobody may be connected to source meanwhile)."""
    import psycopg

    connection.close()
    for attempt in range(attempts):
        try:
            _admin_sql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
            return
        except psycopg.errors.ObjectInUse:  # autovacuum, for a moment
            time.sleep(3 if attempt < attempts - 1 else 0)
    raise RuntimeError(f"could not copy {source}: in use")


@contextmanager
def bench_database(name: str, reuse: str | None) -> Iterator[str]:
    """A throwaway database, or with `reuse` the kept one of that name (left in place)."""
    if reuse:
        try:
            yield use_database(reuse)
        finally:
            shutil.rmtree(TMP_DIR, ignore_errors=True)
        return
    with throwaway_database(name) as where:
        yield where


def data_summary() -> str:
    """Row counts of what the KPI benches read, and the span of reception dates."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(received_at)::date, max(received_at)::date,"
            " count(*) FILTER (WHERE finished_at IS NULL) FROM dossiers_dossier"
        )
        n, first, last, open_ = cursor.fetchone()
        cursor.execute("SELECT (SELECT count(*) FROM dossiers_attachment), (SELECT count(*) FROM dossiers_apology)")
        files, apologies = cursor.fetchone()
    counts = f"{files:,} attachments, {apologies:,} apologies"
    return f"{n:,} dossiers received {first}…{last} ({open_:,} unfinished), {counts}"


def secondary_indexes(tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the tables' indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint) ORDER BY indexname",
            [list(tables)],
        )
        return cursor.fetchall()


@contextmanager
def bulk_load(tables: tuple[str, ...], *, leave_out: str = "") -> Iterator[None]:
    """Drop the secondary indexes and skip FK triggers while loading; rebuild the indexes after
    (but those whose name contains `leave_out`, when given). PostgreSQL only."""
    indexes = secondary_indexes(tables)
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET session_replication_role = replica")  # the rows are consistent by construction
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        kept = [d for name, d in indexes if not (leave_out and leave_out in name)]
        with timer() as took:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for definition in kept:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
    left = f" ({len(indexes) - len(kept)} with '{leave_out}' left out)" if len(kept) < len(indexes) else ""
    print(f"  {len(kept)} secondary indexes built in {took['seconds']:.0f} s{left}")
