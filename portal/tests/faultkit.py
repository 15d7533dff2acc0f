"""Tools for the fault tests: private Redis and PostgreSQL servers, Celery processes, a recording gateway.

The servers are throwaway instances on free ports, so a test can stop and restart them
without touching the shared services. The gateway (an SMS backend and an email backend)
appends one JSON line per send to $FAULTKIT_GATEWAY: that file is what "went out".

`python -m portal.tests.faultkit worker|beat …` runs `celery -A portal worker|beat …` with the
production configuration, plus the two overrides a test needs and settings cannot take from
the environment (a short Redis visibility timeout, a one-second watch schedule), and records
each task run in $FAULTKIT_TASKS.
"""

import itertools
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
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parents[2]


# The gateway ---------------------------------------------------------------------------------


def append_json(path: str | Path, entry: dict) -> None:
    with open(path, "a", encoding="utf-8") as f:  # one short O_APPEND write per line: safe across processes
        f.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def read_json_lines(path: str | Path) -> list[dict]:
    path = Path(path)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def _record(event: str, channel: str, recipient: str) -> None:
    entry = {"event": event, "channel": channel, "to": recipient, "pid": os.getpid(), "at": time.time()}
    append_json(os.environ["FAULTKIT_GATEWAY"], entry)


def sends(gateway: Path, channel: str) -> list[dict]:
    return [e for e in read_json_lines(gateway) if e["event"] == "sent" and e["channel"] == channel]


def _first_slow_send() -> bool:
    """True for the first caller of a run only (a file created exclusively), so a retry is fast."""
    try:
        os.close(os.open(os.environ["FAULTKIT_GATEWAY"] + ".slow", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


class SlowSms:
    """An SMS gateway whose first send takes $FAULTKIT_SMS_DELAY seconds before it accepts the message."""

    def send(self, *, phone: str, text: str) -> None:
        _record("begin", "sms", phone)
        if _first_slow_send():
            time.sleep(float(os.environ.get("FAULTKIT_SMS_DELAY", "0")))
        _record("sent", "sms", phone)


class RecordingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            _record("sent", "email", ",".join(message.to))
        return len(email_messages)


# Processes -----------------------------------------------------------------------------------


def binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    return str(candidates[-1]) if candidates else None


def require(*names: str) -> None:
    """Skip (fail in CI, where nothing may skip) when a server binary is missing."""
    missing = [name for name in names if binary(name) is None]
    if os.geteuid() == 0 and "initdb" in names and not shutil.which("runuser"):
        missing.append("runuser (initdb refuses to run as root)")
    if not missing:
        return
    reason = f"needs {', '.join(missing)} to start private servers"
    if IN_CI:
        pytest.fail(f"CI=true and a binary is missing: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.3):
        return True
    return False


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.1) -> float:
    """Poll until `predicate()` is true; the seconds it took. Fails the test at the deadline."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return time.monotonic() - started


class Processes:
    """Every process a test starts, each in its own session, stopped (then killed) at the end."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[subprocess.Popen] = []

    def spawn(self, name: str, args: list[str], env: dict, *, server: bool = False) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 — closed with the process
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log, proc.server = log, server
        self.started.append(proc)
        return proc

    def stop(self, *procs: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Signal them all, then wait for each; kill what is left at the deadline."""
        running = [proc for proc in procs if proc.poll() is None]
        for proc in running:
            proc.send_signal(sig)
        deadline = time.monotonic() + timeout
        for proc in running:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # its own session: our process and its children only
                proc.wait(timeout=5)
        for proc in procs:
            proc.log.close()

    def close(self) -> None:
        """The clients first, then the servers (a restarted server is newer than its clients)."""
        clients = [proc for proc in self.started if not proc.server]
        self.stop(*clients)
        self.stop(*(proc for proc in self.started if proc.server))

    def tail(self, lines: int = 30) -> str:
        return "\n".join(
            f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
            for log in sorted(self.logs.glob("*.log"))
        )


def celery(procs: Processes, name: str, env: dict, *args: str) -> subprocess.Popen:
    """Start `celery -A portal <args>` through the launcher below."""
    env = {**env, "FAULTKIT_READY": str(procs.logs / f"{name}.ready")}
    return procs.spawn(name, [sys.executable, "-m", "portal.tests.faultkit", *args], env)


WORKER = ("worker", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO")


def workers(procs: Processes, env: dict, *names: str, pool=("--pool=solo",)) -> list[subprocess.Popen]:
    """Start Celery workers side by side and wait until each consumes."""
    started = [celery(procs, name, env, *WORKER, *pool) for name in names]
    ready = [procs.logs / f"{name}.ready" for name in names]
    wait_for(
        lambda: all(r.exists() for r in ready) or any(p.poll() is not None for p in started),
        timeout=30,
        what=f"{', '.join(names)} to be ready",
    )
    assert all(p.poll() is None for p in started), procs.tail()
    return started


# Servers -------------------------------------------------------------------------------------


class RedisServer:
    def __init__(self, workdir: Path, procs: Processes):
        self.workdir, self.procs, self.port = workdir, procs, free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self) -> None:
        args = [binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.proc = self.procs.spawn(f"redis-{self.port}", args, dict(os.environ), server=True)
        wait_for(lambda: port_open(self.port), timeout=10, what="the private Redis")

    def stop(self) -> None:
        """Stop it the way an outage does (`redis-cli shutdown nosave`): every client is cut off."""
        with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
            s.recv(64)  # the server closes the connection instead of answering
        self.procs.stop(self.proc)
        wait_for(lambda: not port_open(self.port), timeout=10, what="the private Redis to stop")


class PostgresCluster:
    """A throwaway cluster (initdb), owned by the postgres OS user when we are root."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="faultkit-pg-"))
        self.data, self.port = self.base / "data", free_port()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")

    def _run(self, *args: str, timeout: float = 60) -> None:
        owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run([*owner, *args], capture_output=True, text=True, timeout=timeout, check=False)
        assert result.returncode == 0, f"{args[0]} failed: {result.stdout}{result.stderr}{self.log()}"

    def log(self) -> str:
        log = self.base / "postgres.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def init(self) -> None:
        self._run(binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.base / "postgres.log")
        self._run(binary("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def destroy(self) -> None:
        with suppress(AssertionError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def broker(app, url: str, transport_options: dict):
    """Point this process's Celery app at another broker, and back."""

    def use(url, options):
        # Celery's broker_url prefers the CELERY_BROKER_URL variable (set by .ci/run) over app.conf.
        if url is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = url
        app.conf.broker_url, app.conf.broker_transport_options = url, options
        app._pool = None
        app.amqp._producer_pool = None

    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved = app.conf.broker_url, app.conf.broker_transport_options
    use(url, transport_options)
    try:
        yield
    finally:
        use(saved[0], saved[1])
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


# Load ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    path: str
    started: float
    finished: float
    status: int | str  # the HTTP status, or the name of the error when there was no answer
    body: dict | None
    retry_after: str | None


class Trickle(threading.Thread):
    """A steady trickle of GETs (one every `pause` seconds, the paths in turn), every answer recorded."""

    def __init__(self, base_url: str, paths: list[str], pause: float = 0.05):
        super().__init__(daemon=True)
        self.base_url, self.paths, self.pause = base_url, paths, pause
        self.answers: list[Answer] = []
        self.done = threading.Event()

    def run(self) -> None:
        import requests

        with requests.Session() as session:
            for i in itertools.count():
                if self.done.is_set():
                    return
                self.answers.append(self._get(session, self.paths[i % len(self.paths)]))
                self.done.wait(self.pause)

    def _get(self, session, path: str) -> Answer:
        import requests

        started = time.monotonic()
        try:
            response = session.get(self.base_url + path, timeout=5)
        except requests.RequestException as exc:
            return Answer(path, started, time.monotonic(), type(exc).__name__, None, None)
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
        return Answer(path, started, time.monotonic(), response.status_code, body, response.headers.get("Retry-After"))

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=10)


# The launcher (runs in the Celery subprocess) ------------------------------------------------


def _record_tasks(path: str) -> None:
    from celery.signals import task_postrun, task_prerun

    started: dict[str, float] = {}

    @task_prerun.connect(weak=False)
    def before(task_id, task, **kwargs):
        started[task_id] = time.time()

    @task_postrun.connect(weak=False)
    def after(task_id, task, args, retval, state, **kwargs):
        entry = {"task": task.name, "args": list(args), "state": state, "origin": task.request.origin}
        entry["pid"] = os.getpid()
        entry |= {"start": started.pop(task_id, None), "end": time.time(), "retval": retval}
        append_json(path, entry)


def _signal_ready(path: str) -> None:
    from celery.signals import worker_ready

    @worker_ready.connect(weak=False)
    def ready(**kwargs):
        Path(path).touch()


def _configure(app) -> None:
    from django.conf import settings

    if visibility := os.environ.get("FAULTKIT_VISIBILITY_TIMEOUT"):
        # The production hour, shortened; the restore sweep runs every second to match.
        app.conf.broker_transport_options = {
            **settings.REDIS_TRANSPORT_OPTIONS,
            "visibility_timeout": float(visibility),
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
    if every := os.environ.get("FAULTKIT_BEAT_EVERY"):
        app.conf.beat_schedule = {"watch-flag": {"task": "dossiers.tasks.watch_flag_task", "schedule": float(every)}}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from portal.celery import app

    _configure(app)
    if os.environ.get("FAULTKIT_TASKS"):
        _record_tasks(os.environ["FAULTKIT_TASKS"])
    if os.environ.get("FAULTKIT_READY"):
        _signal_ready(os.environ["FAULTKIT_READY"])
    app.start(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
