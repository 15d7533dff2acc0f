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
