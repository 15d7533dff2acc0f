"""Benchmark: the public status lookup under load, against a raw Django view and raw psycopg.

PostgreSQL and Redis, both local; all traffic goes to 127.0.0.1, every phase has a fixed
duration or request count, and the whole run stops itself after --budget seconds.

1. A throwaway database (bench/common.py), a small synthetic catalogue and --dossiers
   dossiers (bench/datagen.py); their real (code, key) pairs.
2. gunicorn with deploy/gunicorn.conf.py (gthread, --workers × --threads, persistent DB
   connections as in deploy/env.example) on a free port; the URLconf is bench/load_urls.py:
   portal.urls plus the raw view (one `.values().first()` of the row → JsonResponse).
3. Throughput at --connections connections for --seconds each, rate limits set out of the
   way (1000000/m): (a) `GET /api/v1/public/dossiers/{code}?key=`, (b) the raw view, both
   with wrk rotating through the pairs (a Python load generator when wrk is missing, its
   own ceiling measured first), and (c) the limit: as many psycopg 3 threads running the
   raw view's SELECT directly. Ratios lookup/raw (goal ≥ 0.7×) and lookup/psycopg.
4. Bursts from one address at 10× a limit: the production limits (20/m per address,
   10/m per code) and 50/s per address; counts of 200/429/5xx and how long until a normal
   lookup is answered 200 again (goal ≤ 5 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
        .venv/bin/python bench/bench_load.py [--seconds 15] [--connections 64] [--no-wrk]

REDIS_URL defaults to redis://127.0.0.1:6379/13; the server's cache keys carry a prefix
of this run's own, deleted at the end.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench_load needs PostgreSQL: set DATABASE_URL=postgres://…")

from django.conf import settings  # noqa: E402

from bench import common  # noqa: E402
from bench.load_urls import RAW_FIELDS  # noqa: E402

CACHE_PREFIX = f"bench-load-{os.getpid()}"
settings.CACHES["default"]["KEY_PREFIX"] = CACHE_PREFIX  # read when the cache is first used

API_PATH = "/api/v1/public/dossiers/{code}?key={key}"
RAW_PATH = "/bench/raw/{code}/?key={key}"
UNLIMITED = "1000000/m"
PRODUCTION = {"PORTAL_LOOKUP_RATE": "20/m", "PORTAL_LOOKUP_CODE_RATE": "10/m"}  # settings.py defaults
GOAL_RATIO = 0.7
GOAL_RECOVERY = 5.0
RECOVERY_CAP = 65.0
WRK_LUA = """
local paths = {%s}
local n = 0
function setup(thread) thread:set("first", n * 131); n = n + 1 end
function init(args) i = first or 0 end
function request() i = i %% #paths + 1; return wrk.format("GET", paths[i]) end
function done(s, latency, requests)
  local e = s.errors
  io.write(string.format('BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, '
    .. '"socket_errors": %%d, "non_2xx": %%d}\\n', s.requests, s.duration, latency:percentile(50),
    latency:percentile(95), e.connect + e.read + e.write + e.timeout, e.status))
end
"""
TRIVIAL_SERVER = """
import asyncio, sys
BODY = b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}"
class Echo(asyncio.Protocol):
    def connection_made(self, transport): self.transport = transport
    def data_received(self, data): self.transport.write(BODY * data.count(b"\\r\\n\\r\\n"))
async def main():
    server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", int(sys.argv[1]))
    await asyncio.sleep(float(sys.argv[2]))
asyncio.run(main())
"""


class BudgetExceeded(Exception):
    pass


@dataclass
class Throughput:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @classmethod
    def merge(cls, runs: list["Throughput"]) -> "Throughput":
        """Rounds of one load: total requests over total time; latencies, the median round's."""
        p50, p95 = (sorted(getattr(r, f) for r in runs)[len(runs) // 2] for f in ("p50_ms", "p95_ms"))
        requests, seconds = sum(r.requests for r in runs), sum(r.seconds for r in runs)
        return cls(runs[0].name, requests, seconds, p50, p95, sum(r.errors for r in runs))


@dataclass
class Burst:
    name: str
    limit: str
    sent: int = 0
    offered_rps: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    retry_after: Counter = field(default_factory=Counter)
    window_phase: float = 0.0
    recovery: float | None = None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- set-up --------------------------------------------------------------------------------------


def seed(count: int) -> list[tuple[str, str]]:
    """A small synthetic catalogue and `count` dossiers; their (code, key) pairs."""
    from bench.datagen import catalogue_synthesise, dossiers_generate
    from dossiers.models import Dossier

    catalogue_synthesise(units=40, procedures=20)
    dossiers_generate(count=count, months=3)
    return list(Dossier.objects.order_by("?").values_list("code", "lookup_key"))


def probe(pairs: list[tuple[str, str]]) -> dict:
    """In-process, one request each for 20 pairs: statuses, SQL queries per request, bytes."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    found = {}
    limits = {"PORTAL_LOOKUP_RATE": UNLIMITED, "PORTAL_LOOKUP_CODE_RATE": UNLIMITED}
    for name, template, urlconf in (
        ("lookup", API_PATH, "portal.urls"),
        ("lookup again", API_PATH, "portal.urls"),  # the same 20: answered from the cache
        ("raw", RAW_PATH, "bench.load_urls"),
    ):
        statuses, queries, sizes = Counter(), [], []
        with override_settings(ROOT_URLCONF=urlconf, **limits):
            client = Client()
            for code, key in pairs[:20]:
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(template.format(code=code, key=key))
                statuses[response.status_code] += 1
                queries.append(len(captured))
                sizes.append(len(response.content))
        found[name] = (dict(statuses), min(queries), max(queries), sum(sizes) // len(sizes))
    return found


def flush_cache_keys(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


# -- the server ----------------------------------------------------------------------------------


class Server:
    """gunicorn with the deployment's config file, on this run's database and cache prefix."""

    def __init__(self, port: int, args, limits: dict, log: Path):
        self.port, self.args, self.limits, self.log = port, args, limits, log
        self.process: subprocess.Popen | None = None

    def env(self) -> dict:
        from django.db import connection

        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return (
            os.environ
            | self.limits
            | {
                "DATABASE_URL": url,
                "DJANGO_CONN_MAX_AGE": "60",  # deploy/env.example
                "BENCH_CACHE_PREFIX": CACHE_PREFIX,
                "PORTAL_VAR_DIR": str(common.TMP_DIR),
                "DJANGO_SETTINGS_MODULE": "portal.settings",
            }
        )

    def __enter__(self) -> "Server":
        command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "bench.load_urls:application()"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.args.workers)]
        command += ["--threads", str(self.args.threads), "--max-requests", "0"]  # no recycling mid-run
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status < 500:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start; see {self.log}:\n{self.log.read_text()[-2000:]}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- load generators -----------------------------------------------------------------------------


def wrk_run(name: str, port: int, paths: list[str], seconds: float, connections: int) -> Throughput:
    script = Path(tempfile.mkstemp(suffix=".lua", dir=common.TMP_DIR)[1])
    script.write_text(WRK_LUA % ", ".join(json.dumps(p) for p in paths))
    threads = min(connections, os.cpu_count() or 1)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    r = json.loads(line[6:])
    errors = r["socket_errors"] + r["non_2xx"]
    return Throughput(name, r["requests"], r["duration_us"] / 1e6, r["p50_us"] / 1e3, r["p95_us"] / 1e3, errors)


def python_run(name: str, port: int, paths: list[str], seconds: float, connections: int) -> Throughput:
    """The fallback: one thread per connection, http.client with keep-alive."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    deadline = time.perf_counter() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = k * 131
        while (began := time.perf_counter()) < deadline:
            i += 1
            status, _retry = fetch(conn, paths[i % len(paths)])
            if time.perf_counter() > deadline:
                break  # as wrk: only what completed within the duration
            latencies[k].append(time.perf_counter() - began)
            errors[k] += not isinstance(status, int) or status >= 300
        conn.close()

    run_threads(client, connections)
    flat = [x for per in latencies for x in per]
    p50, p95 = percentile(flat, 0.5) * 1e3, percentile(flat, 0.95) * 1e3
    return Throughput(name, len(flat), seconds, p50, p95, sum(errors))


def run_threads(target, count: int) -> float:
    threads = [threading.Thread(target=target, args=(k,), daemon=True) for k in range(count)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began


def python_ceiling(seconds: float, connections: int) -> Throughput:
    """The fallback generator against a trivial asyncio server (no Django): its own ceiling."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", TRIVIAL_SERVER, str(port), str(seconds + 10)])
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        return python_run("fallback ceiling", port, ["/"], seconds, connections)
    finally:
        server.terminate()
        server.wait(timeout=10)


def psycopg_run(pairs: list[tuple[str, str]], seconds: float, connections: int) -> Throughput:
    """The limit: the raw view's SELECT straight through psycopg 3, one connection per thread."""
    import psycopg
    from django.db import connection

    from dossiers.models import Dossier

    db = connection.settings_dict
    conninfo = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    conninfo |= {"dbname": db["NAME"], "password": db["PASSWORD"] or None}
    sql = f"SELECT {', '.join(RAW_FIELDS)} FROM {Dossier._meta.db_table} WHERE code = %s LIMIT 1"
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    start: list[float] = []
    ready = threading.Barrier(connections + 1, action=lambda: start.append(time.perf_counter()))

    def client(k: int) -> None:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            ready.wait()
            i = k * 131
            while (began := time.perf_counter()) < start[0] + seconds:
                code, key = pairs[(i := i + 1) % len(pairs)]
                row = conn.execute(sql, (code,), prepare=True).fetchone()
                errors[k] += row is None or row[1] != key
                latencies[k].append(time.perf_counter() - began)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(connections)]
    for t in threads:
        t.start()
    ready.wait(timeout=60)
    for t in threads:
        t.join()
    took = time.perf_counter() - start[0]
    flat = [x for per in latencies for x in per]
    p50, p95 = percentile(flat, 0.5) * 1e3, percentile(flat, 0.95) * 1e3
    return Throughput("(c) psycopg SELECT", len(flat), took, p50, p95, sum(errors))


# -- bursts --------------------------------------------------------------------------------------


def burst(burst_: Burst, port: int, paths: list[str], *, rate: float, total: int, senders: int = 8) -> float:
    """`total` requests paced at `rate` from `senders` keep-alive connections; returns when it ended.

    A server slower than the pace gets fewer requests: sending stops at 3× the planned duration.
    """
    lock = threading.Lock()
    t0 = time.perf_counter()
    stop = t0 + 3 * total / rate

    def sender(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for i in range(k, total, senders):
            time.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
            if time.perf_counter() > stop:
                break
            status, retry = fetch(conn, paths[i % len(paths)])
            with lock:
                burst_.statuses[status] += 1
                if retry:
                    burst_.retry_after[int(retry)] += 1
        conn.close()

    run_threads(sender, senders)
    ended = time.perf_counter()
    burst_.sent = sum(burst_.statuses.values())
    burst_.offered_rps = burst_.sent / (ended - t0)
    return ended


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int | str, str | None]:
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Retry-After")
    except (OSError, http.client.HTTPException):
        conn.close()
        return "error", None


def fetch_all(port: int, paths: list[str], clients: int = 8) -> tuple[Counter, float]:
    """`paths` fetched once each, split over `clients` keep-alive connections: (statuses, seconds)."""
    counts, lock = Counter(), threading.Lock()

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path in paths[k::clients]:
            status, _ = fetch(conn, path)
            with lock:
                counts[status] += 1
        conn.close()

    return counts, run_threads(client, clients)


def warm(port: int, path: str, clients: int = 8) -> None:
    """A few requests from several connections, so that most workers have loaded the URLconf."""
    fetch_all(port, [path] * 4 * clients, clients)


def recovery(port: int, path: str, ended: float) -> float | None:
    """Seconds from the burst's end until `path` (a code the burst did not use) answers 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        while (now := time.perf_counter()) - ended < RECOVERY_CAP:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return time.perf_counter() - ended
            time.sleep(max(0.0, 0.1 - (time.perf_counter() - now)))
        return None
    finally:
        conn.close()


def burst_phase(name: str, limits: dict, port: int, pairs, args, log: Path) -> Burst:
    """10× what the per-address window allows, from one address, then the time back to a 200."""
    from dossiers.ratelimit import Limit

    limit = Limit.parse(limits["PORTAL_LOOKUP_RATE"])
    # A per-second window gets 10× its allowance every second of the burst.
    total = int(10 * limit.count * max(1.0, args.burst_seconds / limit.seconds))
    paths = [API_PATH.format(code=c, key=k) for c, k in pairs[:-1]]
    result = Burst(name, f"{limits['PORTAL_LOOKUP_RATE']} per address, {limits['PORTAL_LOOKUP_CODE_RATE']} per code")
    with Server(port, args, limits, log):
        warm(port, RAW_PATH.format(code=pairs[0][0], key=pairs[0][1]))
        if limit.seconds > 1 and not args.no_align:
            # Start 1 s into a fresh window: the worst case of a fixed window, give or take 1 s.
            time.sleep((1.0 - time.time()) % limit.seconds)
        flush_cache_keys(os.environ["REDIS_URL"])
        result.window_phase = time.time() % limit.seconds
        ended = burst(result, port, paths, rate=total / args.burst_seconds, total=total)
        result.recovery = recovery(port, API_PATH.format(code=pairs[-1][0], key=pairs[-1][1]), ended)
    return result


# -- the run -------------------------------------------------------------------------------------


def first_lookups(port: int, paths: list[str], clients: int = 8) -> None:
    """Every dossier looked up once: its status is rendered (and cached) on the first lookup after
    each change, so the rounds below measure lookups of dossiers that did not change since."""
    counts, seconds = fetch_all(port, paths, clients)
    print(
        f"first lookup of each of the {len(paths):,} dossiers (renders its status): {len(paths) / seconds:.0f} req/s"
        f" with {clients} connections, HTTP {dict(counts)}"
    )


def throughput_phase(port: int, pairs, args, log: Path) -> list[list[Throughput]]:
    """Rounds of (a), (b), (c) in turn, so a change in the machine's load hits all three alike."""
    run = wrk_run if shutil.which("wrk") and not args.no_wrk else python_run
    limits = {"PORTAL_LOOKUP_RATE": UNLIMITED, "PORTAL_LOOKUP_CODE_RATE": UNLIMITED}
    loads = [
        (name, [template.format(code=c, key=k) for c, k in pairs])
        for name, template in (("(a) lookup API", API_PATH), ("(b) raw Django view", RAW_PATH))
    ]
    each = args.seconds / args.rounds
    flush_cache_keys(os.environ["REDIS_URL"])
    rounds = []
    with Server(port, args, limits, log):
        first_lookups(port, loads[0][1])
        for _name, paths in loads:
            run("warm-up", port, paths, args.warmup, args.connections)
        for _ in range(args.rounds):
            done = [run(name, port, paths, each, args.connections) for name, paths in loads]
            rounds.append([*done, psycopg_run(pairs, each, args.connections)])
    return rounds


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def report_throughput(rounds: list[list[Throughput]], generator: str) -> bool:
    print(f"\nthroughput: {generator}")
    results = [Throughput.merge(list(runs)) for runs in zip(*rounds, strict=True)]
    print(f"{'':<22} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'requests':>9} {'errors':>7}")
    for r in results:
        print(f"{r.name:<22} {r.rps:9.1f} {r.p50_ms:8.1f} {r.p95_ms:8.1f} {r.requests:9d} {r.errors:7d}")
    lookup, raw, limit = (r.rps for r in results)
    met = ratio(lookup, raw) >= GOAL_RATIO and not results[0].errors
    print(
        f"lookup/raw     {ratio(lookup, raw):.2f}×  goal ≥ {GOAL_RATIO}× without errors — {'met' if met else 'NOT MET'}"
    )
    print(f"lookup/psycopg {ratio(lookup, limit):.3f}×  raw/psycopg {ratio(raw, limit):.3f}×")
    per_round = "  ".join(f"{ratio(a.rps, b.rps):.2f}" for a, b, _c in rounds)
    print(f"lookup/raw per round: {per_round}  (rounds of {rounds[0][0].seconds:.0f} s, a→b→c in turn)")
    return met


def report_bursts(bursts: list[Burst]) -> bool:
    print("\nbursts from one address (127.0.0.1), 10× the per-address limit:")
    ok = True
    for b in bursts:
        s = b.statuses
        fivexx = sum(n for code, n in s.items() if isinstance(code, int) and code >= 500)
        other = b.sent - s[200] - s[429] - fivexx
        retry = f"{min(b.retry_after)}–{max(b.retry_after)} s" if b.retry_after else "none"
        took = f"not within {RECOVERY_CAP:.0f} s" if b.recovery is None else f"{b.recovery:.2f} s"
        print(
            f"{b.name}: {b.limit}; {b.sent} requests offered at {b.offered_rps:.0f}/s,"
            f" starting {b.window_phase:.1f} s into the window"
        )
        print(f"  200: {s[200]}  429: {s[429]}  5xx: {fivexx}  other/errors: {other}  Retry-After: {retry}")
        limited = s[429] > 0 and fivexx == 0
        recovered = b.recovery is not None and b.recovery <= GOAL_RECOVERY
        print(
            f"  429s and no 5xx — {'met' if limited else 'NOT MET'};"
            f" back to 200 after {took} — goal ≤ {GOAL_RECOVERY:.0f} s {'met' if recovered else 'NOT MET'}"
        )
        ok = ok and limited and recovered
    return ok


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15, help="per throughput run")
    parser.add_argument("--rounds", type=int, default=3, help="the seconds are split into rounds of a, b, c")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn gthread workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (deploy default)")
    parser.add_argument("--burst-seconds", type=float, default=4)
    parser.add_argument("--budget", type=int, default=290, help="hard stop, seconds")
    parser.add_argument("--burst-limit", default="5/s", help="the second burst's per-address limit")
    parser.add_argument("--no-align", action="store_true", help="do not start a per-minute burst 1 s into a window")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator")
    return parser.parse_args()


def generator_name(args) -> str:
    threads = min(args.connections, os.cpu_count() or 1)
    if shutil.which("wrk") and not args.no_wrk:
        return f"wrk, {threads} threads, {args.connections} connections × {args.seconds:.0f} s, rotating over the pairs"
    print("wrk is not installed (apt-get install -y wrk), or --no-wrk: using the Python load generator")
    ceiling = python_ceiling(min(args.seconds, 5), args.connections)
    return (
        f"Python http.client, {args.connections} threads × {args.seconds:.0f} s; its own ceiling against a"
        f" trivial asyncio server: {ceiling.rps:.0f} req/s (p50 {ceiling.p50_ms:.1f} ms)"
    )


def run(args) -> int:
    from django.db import connection

    with common.throwaway_database("motcua_bench_load") as where:
        with common.timer() as took:
            pairs = seed(args.dossiers)
        print(f"database: {where}; {len(pairs):,} dossiers in {took['seconds']:.1f} s; cache {os.environ['REDIS_URL']}")
        for name, (statuses, low, high, size) in probe(pairs).items():
            print(f"  {name:<12} in-process, 20 requests: HTTP {statuses}, {low}–{high} SQL queries, ~{size} bytes")
        connection.close()
        log = common.TMP_DIR / "gunicorn.log"
        port = free_port()
        print(
            f"gunicorn -c deploy/gunicorn.conf.py: gthread, {args.workers} workers × {args.threads} threads,"
            f" 127.0.0.1:{port}, --max-requests 0, DJANGO_CONN_MAX_AGE=60"
        )
        generator = generator_name(args)
        met = report_throughput(throughput_phase(port, pairs, args, log), generator)
        per_second = {
            "PORTAL_LOOKUP_RATE": args.burst_limit,
            "PORTAL_LOOKUP_CODE_RATE": PRODUCTION["PORTAL_LOOKUP_CODE_RATE"],
        }
        bursts = [
            burst_phase("production", PRODUCTION, port, pairs, args, log),
            burst_phase("per second", per_second, port, pairs, args, log),
        ]
        met = report_bursts(bursts) and met
    return 0 if met else 1


def main() -> int:
    args = parse_args()

    def stop(signum, _frame):
        raise BudgetExceeded(f"stopped by signal {signum} (budget {args.budget} s)")

    signal.signal(signal.SIGALRM, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.alarm(args.budget)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    try:
        return run(args)
    finally:
        signal.alarm(0)
        flush_cache_keys(os.environ["REDIS_URL"])
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
