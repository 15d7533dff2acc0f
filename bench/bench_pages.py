"""Benchmark: staff list pages over 100,000 dossiers — SQL queries per page size, and page time.

Generates the dossiers with bench/datagen.py (synthetic catalogue of 700 units and 100
procedures) on a PostgreSQL database of its own, then measures, with the test Client:

* the work queue `staff:home` (/can-bo/) on each of its tabs (`?tab=…`),
* the register `staff:register` (/can-bo/so-theo-doi/, Mẫu 07),
* the API list `GET /api/v1/dossiers`,
* the search box (`staff:home?q=`) for a full name typed without accents and for a dossier code,

as a counter clerk of the busiest centre and as a superuser, at page sizes 10, 50 and
200: the number of SQL queries (it must not grow with the page: no N+1) and the median
and p95 time over `--repeat` requests. The pages' sizes are module constants
(`dossiers.views.staff.PAGE_SIZE`, `dossiers.printing.REGISTER_PAGE_SIZE`), set here for
each run; the API takes `?page_size=`.

Goal (issue 17): every median under 100 ms and query counts independent of the page size;
exit status 1 otherwise. The load average is printed before and after: the figures mean
little on a busy machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/bench_pages.py \
        [--dossiers 100000] [--repeat 20] [--keep motcua_pages_bench] [--only register --only home]

`--keep NAME` builds the data once into the database NAME and reuses it on the next runs
(migrated to the branch's schema each time); drop it by hand when done
(`psql … -c 'DROP DATABASE NAME'`). Without it the database is thrown away at the end.
"""

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench_pages needs PostgreSQL: set DATABASE_URL=postgres://…")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench import common  # noqa: E402
from bench.datagen import catalogue_synthesise, dossiers_generate  # noqa: E402
from dossiers.models import Dossier, Unit, UnitMembership  # noqa: E402
from dossiers.roles import COUNTER_CLERK, roles_sync  # noqa: E402

SIZES = (10, 50, 200)
GOAL_MS = 100  # median, every page and size (issue 17)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (Linux), or "?" elsewhere."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def data_build(count: int) -> None:
    catalogue_synthesise(units=700, procedures=100)
    with common.timer() as took:
        totals = dossiers_generate(count=count)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"datagen {totals} in {took['seconds']:.1f} s")


def user_get(username: str, *, superuser: bool = False):
    model = get_user_model()
    user = model.objects.filter(username=username).first()
    if user is not None:
        return user
    if superuser:
        return model.objects.create_superuser(username, f"{username}@example.com", None)
    return model.objects.create_user(username, password=None)


def users() -> dict[str, object]:
    """A counter clerk of the busiest centre, and a superuser (made once in a kept database)."""
    groups = roles_sync()
    busiest = (
        Dossier.objects.values_list("receiving_unit", flat=True)
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    clerk = user_get("bench.clerk")
    clerk.groups.add(groups[COUNTER_CLERK])
    UnitMembership.objects.get_or_create(user=clerk, unit=Unit.objects.get(pk=busiest))
    return {"clerk": clerk, "superuser": user_get("bench.admin", superuser=True)}


def targets(only: list[str]) -> list[tuple[str, str, str]]:
    """(label, URL, how the page size is set) for every page to measure; `only`: label substrings."""
    from dossiers import queues

    found = [
        (f"home ?tab={q.key}", f"{reverse('staff:home')}?tab={q.key}", "dossiers.views.staff:PAGE_SIZE")
        for q in queues.QUEUES
    ]
    found.append(("register", reverse("staff:register"), "dossiers.printing:REGISTER_PAGE_SIZE"))
    found.append(("API list", "/api/v1/dossiers", "?page_size"))
    for label, q in search_terms():
        url = f"{reverse('staff:home')}?{urlencode({'q': q})}"
        found.append((f"search {label}", url, "dossiers.views.staff:PAGE_SIZE"))
    return [t for t in found if not only or any(word in t[0] for word in only)]


def search_terms() -> list[tuple[str, str]]:
    """The staff search box: a full name from the middle of the data typed without accents, and a code."""
    from dossiers.textsearch import fold

    last = Dossier.objects.order_by("-id").values_list("id", flat=True).first() or 0
    middle = Dossier.objects.filter(id__gte=last // 2).order_by("id").values_list("applicant_name", "code")[0]
    return [("name", fold(middle[0])), ("code", middle[1])]


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
    parser.add_argument("--keep", metavar="NAME", help="build the data once into this database and reuse it")
    parser.add_argument("--only", action="append", default=[], help="pages whose label contains this (repeatable)")
    args = parser.parse_args()

    with common.bench_database("motcua_bench_pages", args.keep and kept(args.keep)) as where:
        if not Dossier.objects.exists():
            data_build(args.dossiers)
        print(f"database: {where}: {common.data_summary()}")
        print(f"load average before: {load_average()}", flush=True)
        rows = []
        for label_user, user in users().items():
            client = Client()
            client.force_login(user)
            client.get(reverse("staff:home"))  # once-per-process work (URL resolvers, caches) is not counted
            for label, url, how in targets(args.only):
                results = [measure(client, set_size(how, url, size), args.repeat) for size in SIZES]
                rows.append((label_user, label, results))
        print(f"load average after: {load_average()}")
        print(f"{args.repeat} requests per cell after one counted request; times in ms (median / p95)")
        report(rows)
    return verdict(rows)


def kept(name: str) -> str:
    """The kept database, created empty the first time (the data is generated into it)."""
    if not common.database_exists(name):
        common._admin_sql(f'CREATE DATABASE "{name}"')
    return name


def verdict(rows: list[tuple]) -> int:
    flat = all(len({r[0] for r in results}) == 1 for _u, _l, results in rows)
    print("query counts independent of page size" if flat else "QUERY COUNT GROWS WITH PAGE SIZE")
    medians = [r[1] for _u, _l, results in rows for r in results]
    slow = sum(m >= GOAL_MS for m in medians)
    print(f"goal (median < {GOAL_MS} ms): " + (f"MISSED in {slow} of {len(medians)} cells" if slow else "met"))
    return 0 if flat and not slow else 1


if __name__ == "__main__":
    sys.exit(main())
