"""Benchmark: creating a dossier through the real API against a minimal insert view.

Both endpoints run in the same gunicorn server, on the same throwaway database, in the
same run: `POST /api/v1/dossiers` (Bearer token, validation, code and daily sequence,
documents, routing steps, clock, events, outbox) and `POST /bench/minimal-create/`, a
bench-only view doing a plain `Dossier.objects.create(...)` of the same row with no
validation, steps or events. The server's URLconf is this module: portal.urls plus the
minimal view. Requests are fired sequentially, then from 4 concurrent client threads
(loopback only); the bench prints requests/s for both and the ratio API/minimal.

    .venv/bin/python bench/bench_create.py [--requests 500] [--clients 4] [--workers 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/bench_create.py

With DATABASE_URL the bench creates and drops a database of its own on that server;
without it a temporary SQLite file. The server keeps database connections open
(DJANGO_CONN_MAX_AGE=60), as a production deployment would.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Judged on the concurrent line (--clients), as deployed: a margin over 0.5× so noise does not flip it.
GOAL_RATIO = 0.6
PROCEDURE = "2.000488"  # Cấp Phiếu lý lịch tư pháp: led by Sở Tư pháp, province level
CENTRE = "000.00.01.H56"
CLERK = "motcua.tiepnhan"
MINIMAL_PATH = "/bench/minimal-create/"
API_PATH = "/api/v1/dossiers"


# -- the server side: this module is its URLconf -----------------------------------------------


def minimal_create(request):
    """The baseline: parse the same body and insert the same row, nothing else."""
    from django.http import JsonResponse
    from django.utils import timezone

    from dossiers.models import Dossier, Procedure, Unit

    body = json.loads(request.body)
    applicant = body["applicant"]
    procedure = Procedure.objects.only("pk", "lead_agency_id").get(national_code=body["procedure_code"])
    unit = Unit.objects.only("pk").get(code=body["receiving_unit_code"])
    now = timezone.now()
    dossier = Dossier.objects.create(
        code=f"BENCH-{uuid.uuid4().hex[:24]}",
        lookup_key=uuid.uuid4().hex[:8].upper(),
        procedure=procedure,
        receiving_unit=unit,
        lead_unit_id=procedure.lead_agency_id or unit.pk,
        current_unit=unit,
        channel=body["channel"],
        status=2,
        applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"],
        applicant_phone=applicant["phone"],
        applicant_address=applicant.get("address", ""),
        submitted_at=now,
        received_at=now,
    )
    return JsonResponse({"code": dossier.code, "status": dossier.status}, status=201)


def __getattr__(name: str):
    """`urlpatterns`, built on first use: the module is imported before Django is set up."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    return [path(MINIMAL_PATH.strip("/") + "/", csrf_exempt(minimal_create)), path("", include("portal.urls"))]


def server_app():
    """gunicorn "bench.bench_create:server_app()": the portal with this module as URLconf."""
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = __name__.replace("__main__", "bench.bench_create")
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# -- the client side ---------------------------------------------------------------------------


def payload(i: int) -> bytes:
    return json.dumps(
        {
            "procedure_code": PROCEDURE,
            "receiving_unit_code": CENTRE,
            "channel": "counter",
            "applicant": {
                "name": "Nguyễn Thị Thu Hà",
                "id_number": f"056{190000000 + i:09d}",
                "phone": "0905123456",
                "address": "12 Lê Thánh Tôn, phường Nha Trang, tỉnh Khánh Hòa",
            },
        }
    ).encode()


def post(port: int, path: str, body: bytes, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def fire(port: int, path: str, headers: dict, *, requests: int, clients: int, offset: int) -> float:
    """`requests` POSTs split over `clients` threads; requests per second."""

    def client(k: int) -> None:
        for i in range(k, requests, clients):
            status = post(port, path, payload(offset + i), headers)
            if status != 201:
                raise RuntimeError(f"{path}: HTTP {status}")

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    return requests / (time.perf_counter() - began)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_env(connection) -> dict:
    """The server's database settings: the same database as this process's."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {}  # the embedded default, var/portal.sqlite3, with its lock timeout
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {"DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}


def start_server(database: dict, port: int, workers: int, var_dir: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | database
    env |= {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_CONN_MAX_AGE": "60",
        "PORTAL_VAR_DIR": var_dir,
    }
    command = [sys.executable, "-m", "gunicorn", "bench.bench_create:server_app()", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning", "--chdir", str(ROOT)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/units")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("the server did not start")


def seed() -> str:
    """Units, catalogue, calendar and the clerk; returns the clerk's bearer token."""
    from django.contrib.auth import get_user_model

    from dossiers.demo.seed import demo_catalogue_seed, demo_staff_seed, demo_units_seed
    from dossiers.services.calendar_days import calendar_seed_holidays
    from dossiers.services.tokens import api_token_create

    demo_units_seed()
    calendar_seed_holidays(years=range(2024, 2031))
    demo_catalogue_seed()
    demo_staff_seed(password="bench-only-password-2026")
    return api_token_create(user=get_user_model().objects.get(username=CLERK))[1]


def measure(port: int, token: str, args) -> list[tuple[str, float, float]]:
    api_headers = {"Authorization": f"Bearer {token}"}
    offset = 0
    for path, headers in ((MINIMAL_PATH, {}), (API_PATH, api_headers)):  # warm-up: imports, caches
        fire(port, path, headers, requests=20, clients=2, offset=offset)
        offset += 20
    results = []
    for clients in sorted({1, args.clients}):
        rates = []
        for path, headers in ((MINIMAL_PATH, {}), (API_PATH, api_headers)):
            rates.append(fire(port, path, headers, requests=args.requests, clients=clients, offset=offset))
            offset += args.requests
        results.append((f"{clients} client{'s' if clients > 1 else ''}", *rates))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from django.db import connection

    from bench import common

    # SQLite: the file the embedded settings open in PORTAL_VAR_DIR (the bench's temporary folder).
    with common.throwaway_database("portal" if connection.vendor == "sqlite" else "motcua_bench_create") as where:
        token = seed()
        port = free_port()
        server = start_server(database_env(connection), port, args.workers, str(common.TMP_DIR))
        connection.close()
        try:
            results = measure(port, token, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(f"database: {where}; gunicorn, {args.workers} sync workers; {args.requests} requests per line")
        print(f"{'':<10} {'minimal req/s':>14} {'API req/s':>10} {'API/minimal':>12}")
        for label, minimal, api in results:
            print(f"{label:<10} {minimal:14.1f} {api:10.1f} {api / minimal:11.2f}×")
        _label, minimal, api = results[-1]  # the concurrent line
        met = api / minimal >= GOAL_RATIO
    print(f"goal: API ≥ {GOAL_RATIO}× the minimal insert with {args.clients} clients — {'met' if met else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
