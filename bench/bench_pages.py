"""Benchmark: staff list pages over 100,000 dossiers — SQL queries per page size, and page time.

Generates the dossiers with bench/datagen.py (synthetic catalogue of 700 units and 100
procedures) on a PostgreSQL database of its own, then measures, with the test Client:

* the work queue `staff:home` (/can-bo/) on each of its tabs (`?tab=…`),
* the register `staff:register` (/can-bo/so-theo-doi/, Mẫu 07),
* the API list `GET /api/v1/dossiers`,

as a counter clerk of the busiest centre and as a superuser, at page sizes 10, 50 and
200: the number of SQL queries (it must not grow with the page: no N+1) and the median
and p95 time over `--repeat` requests. The pages' sizes are module constants
(`dossiers.views.staff.PAGE_SIZE`, `dossiers.printing.REGISTER_PAGE_SIZE`), set here for
each run; the API takes `?page_size=`. If the staff pages are not there yet the bench
waits for them (`--wait` minutes), then measures what exists.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/bench_pages.py \
        [--dossiers 100000] [--repeat 20]
"""

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench_pages needs PostgreSQL: set DATABASE_URL=postgres://…")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, clear_url_caches, reverse  # noqa: E402

from bench import common  # noqa: E402
from bench.datagen import catalogue_synthesise, dossiers_generate  # noqa: E402
from dossiers.models import Dossier, Unit, UnitMembership  # noqa: E402
from dossiers.roles import COUNTER_CLERK, roles_sync  # noqa: E402

SIZES = (10, 50, 200)
URLCONFS = ("dossiers.urls_staff", "dossiers.urls_print", "dossiers.urls", "portal.urls")


def pages_ready() -> dict[str, bool]:
    """Whether staff:home and staff:register resolve, re-reading the URLconfs (they may be new)."""
    clear_url_caches()
    for name in URLCONFS:
        try:
            importlib.reload(importlib.import_module(name))
        except Exception as exc:  # noqa: BLE001 — a page being written may not import yet
            print(f"  ({name} does not import yet: {exc.__class__.__name__})")
    ready = {}
    for name in ("staff:home", "staff:register"):
        try:
            reverse(name)
            ready[name] = True
        except NoReverseMatch:
            ready[name] = False
    return ready


def wait_for_pages(minutes: int) -> dict[str, bool]:
    ready = pages_ready()
    deadline = time.monotonic() + minutes * 60
    while not all(ready.values()) and time.monotonic() < deadline:
        print(f"waiting for the staff pages: {ready}")
        time.sleep(60)
        ready = pages_ready()
    return ready


def users() -> dict[str, object]:
    """A counter clerk of the busiest centre, and a superuser."""
    groups = roles_sync()
    busiest = (
        Dossier.objects.values_list("receiving_unit", flat=True)
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    clerk = get_user_model().objects.create_user("bench.clerk", password=None)
    clerk.groups.add(groups[COUNTER_CLERK])
    UnitMembership.objects.create(user=clerk, unit=Unit.objects.get(pk=busiest))
    boss = get_user_model().objects.create_superuser("bench.admin", "admin@example.com", None)
    return {"clerk": clerk, "superuser": boss}


def targets(ready: dict[str, bool]) -> list[tuple[str, str, str]]:
    """(label, URL, how the page size is set) for every page to measure."""
    found = []
    if ready.get("staff:home"):
        from dossiers.views import staff

        for tab, _label in staff.QUEUES:
            found.append((f"home ?tab={tab}", f"{reverse('staff:home')}?tab={tab}", "dossiers.views.staff:PAGE_SIZE"))
    if ready.get("staff:register"):
        found.append(("register", reverse("staff:register"), "dossiers.printing:REGISTER_PAGE_SIZE"))
    found.append(("API list", "/api/v1/dossiers", "?page_size"))
    return found


def set_size(how: str, url: str, size: int) -> str:
    if how.startswith("?"):
        return f"{url}{'&' if '?' in url else '?'}page_size={size}"
    module, name = how.split(":")
    setattr(importlib.import_module(module), name, size)
    return url


def measure(client: Client, url: str, repeat: int) -> tuple[int, float, float, int]:
    """Queries of one request, then median and p95 (nearest rank) in ms over `repeat` requests."""
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries)  # now: the next request clears the log the context reads from
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]
    return count, statistics.median(times), p95, len(response.content)


def report(rows: list[tuple]) -> None:
    print(
        f"{'user':<10} {'page':<18} "
        + " ".join(f"{'q@' + str(s):>6}" for s in SIZES)
        + "  same?  "
        + " ".join(f"{'med/p95 ms @' + str(s):>20}" for s in SIZES)
    )
    for user, label, results in rows:
        counts = [r[0] for r in results]
        same = "yes" if len(set(counts)) == 1 else "NO"
        cells = " ".join(f"{f'{r[1]:.0f} / {r[2]:.0f}':>20}" for r in results)
        print(f"{user:<10} {label:<18} " + " ".join(f"{c:>6}" for c in counts) + f"  {same:<5}  {cells}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--wait", type=int, default=15, help="minutes to wait for the staff pages")
    args = parser.parse_args()

    with common.throwaway_database("motcua_bench_pages") as where:
        catalogue_synthesise(units=700, procedures=100)
        with common.timer() as took:
            totals = dossiers_generate(count=args.dossiers)
        print(f"database: {where}; datagen {totals} in {took['seconds']:.1f} s")
        ready = wait_for_pages(args.wait)
        missing = [name for name, ok in ready.items() if not ok]
        if missing:
            print(f"NOT MEASURED (pages missing after {args.wait} min): {', '.join(missing)}")
        rows = []
        for label_user, user in users().items():
            client = Client()
            client.force_login(user)
            for label, url, how in targets(ready):
                results = [measure(client, set_size(how, url, size), args.repeat) for size in SIZES]
                rows.append((label_user, label, results))
        print(f"{args.repeat} requests per cell after one counted request; times in ms (median / p95)")
        report(rows)
    flat = all(len({r[0] for r in results}) == 1 for _u, _l, results in rows)
    print("query counts independent of page size" if flat else "QUERY COUNT GROWS WITH PAGE SIZE")
    return 0 if flat and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
