"""Faults, scripted: a worker killed mid-send, Redis and PostgreSQL restarted, two beats at once.

Each test runs real processes against private Redis and PostgreSQL servers (faultkit), so it
can stop them without disturbing anyone else, and asserts on the database and on what the
gateway recorded: nothing lost, nothing done twice. See docs/operations.md.
"""

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
import requests
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent, OutboxMessage, WatchLevel
from dossiers.services.notify import outbox_pending_ids
from dossiers.services.tokens import api_token_create
from dossiers.tasks import outbox_flush_task, watch_flag_task
from dossiers.tests.fixtures import API_DOSSIER_BODY as BODY
from portal.celery import app as celery_app
from portal.tests.faultkit import (
    ROOT,
    PostgresCluster,
    Processes,
    RedisServer,
    Trickle,
    broker,
    celery,
    free_port,
    read_json_lines,
    require,
    sends,
    wait_for,
    workers,
)

TEST_LIMIT = 90  # seconds: a hung test fails instead of hanging CI
SMS_KIT = "portal.tests.faultkit.SlowSms"
EMAIL_KIT = "portal.tests.faultkit.RecordingEmailBackend"


@pytest.fixture(autouse=True)
def _hard_limit():
    def expired(signum, frame):
        raise TimeoutError(f"fault test ran past {TEST_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def procs(tmp_path):
    processes = Processes(tmp_path)
    try:
        yield processes
    finally:
        processes.close()
        print(processes.tail())  # shown by pytest when the test failed


@pytest.fixture
def redis_server(tmp_path, procs):
    require("redis-server")
    server = RedisServer(tmp_path, procs)
    server.start()
    return server


@pytest.fixture
def gateway(tmp_path, monkeypatch, settings):
    """Sends from this process and from the workers are recorded in one file."""
    path = tmp_path / "gateway.jsonl"
    monkeypatch.setenv("FAULTKIT_GATEWAY", str(path))
    settings.SMS_BACKEND, settings.EMAIL_BACKEND = SMS_KIT, EMAIL_KIT
    return path


@pytest.fixture
def celery_env(redis_server, gateway, tmp_path):
    """The environment of a worker or beat: the test database, the private Redis, the recording gateway."""
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_server.url(0),
        "REDIS_URL": redis_server.url(1),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PORTAL_SMS_BACKEND": SMS_KIT,
        "DJANGO_EMAIL_BACKEND": EMAIL_KIT,
        "FAULTKIT_TASKS": str(tmp_path / "tasks.jsonl"),
    }


@pytest.fixture
def private_broker(redis_server, settings):
    """This process publishes to the private Redis too (on_commit deliveries, the flush)."""
    with broker(celery_app, redis_server.url(0), settings.REDIS_TRANSPORT_OPTIONS):
        yield


def task_runs(env: dict, name: str) -> list[dict]:
    return [run for run in read_json_lines(env["FAULTKIT_TASKS"]) if run["task"] == name]


def all_sent(dossier) -> bool:
    return not OutboxMessage.objects.filter(dossier=dossier, sent_at=None).exists()


def drained(redis_server) -> bool:
    """The broker holds nothing: no queued and no unacknowledged message."""
    client = redis_server.client()
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def assert_sent_once(dossier, gateway) -> None:
    messages = OutboxMessage.objects.filter(dossier=dossier)
    assert {(m.channel, m.attempts) for m in messages} == {("sms", 1), ("email", 1)}
    assert all(m.sent_at and not m.last_error for m in messages)
    assert len(sends(gateway, "sms")) == 1 and len(sends(gateway, "email")) == 1
    assert outbox_flush_task() == 0 and outbox_pending_ids() == []


def backdate_outbox(dossier) -> None:
    """The flush leaves messages younger than 30 s to their own task; make these old enough."""
    OutboxMessage.objects.filter(dossier=dossier).update(created_at=F("created_at") - timedelta(minutes=5))


# 1. kill -9 ---------------------------------------------------------------------------------


def mid_send(gateway) -> dict:
    wait_for(lambda: any(e["event"] == "begin" for e in read_json_lines(gateway)), timeout=30, what="an SMS send")
    return next(e for e in read_json_lines(gateway) if e["event"] == "begin")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_does_send_once_when_the_worker_is_killed_mid_send(
    receive, procs, redis_server, gateway, celery_env, private_broker
):
    env = {**celery_env, "FAULTKIT_SMS_DELAY": "60"}
    [first] = workers(procs, env, "worker-1")
    dossier = receive()  # committed: the outbox's send task is published; it sends the SMS, then the email
    mid_send(gateway)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = time.monotonic()
    # Nothing half-done: the send's transaction died with the worker; the task is unacknowledged.
    sms = OutboxMessage.objects.get(dossier=dossier, channel="sms")
    assert sms.sent_at is None and sms.attempts == 0 and sends(gateway, "sms") == []
    assert redis_server.client().hlen("unacked") == 1
    # Recovery as in production, compressed: a new worker (the hour-long visibility timeout
    # shortened to 3 s, so the lost task comes back) and the beat's flush of old messages.
    workers(procs, {**env, "FAULTKIT_VISIBILITY_TIMEOUT": "3"}, "worker-2")
    backdate_outbox(dossier)
    swept = outbox_flush_task()  # races the new worker for the two messages: either may send each
    wait_for(lambda: all_sent(dossier) and drained(redis_server), timeout=30, what="delivery and redelivery")
    redelivered = task_runs(env, "dossiers.tasks.outbox_send_task")  # the killed run never finished
    print(
        f"kill -9: {swept} sent by the flush, the rest by the new worker; lost send task redelivered "
        f"(sent by it: {redelivered[0]['retval'] if redelivered else '-'}); all done "
        f"{time.monotonic() - killed:.1f} s after the kill"
    )
    assert len(redelivered) == 1 and redelivered[0]["state"] == "SUCCESS"
    assert_sent_once(dossier, gateway)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_does_send_once_when_a_pool_process_is_killed_mid_send(
    receive, procs, redis_server, gateway, celery_env, private_broker
):
    env = {**celery_env, "FAULTKIT_SMS_DELAY": "60"}
    workers(procs, env, "worker", pool=("--pool=prefork", "--concurrency=2"))
    dossier = receive()
    child = mid_send(gateway)["pid"]  # the pool process running the send (what the OOM killer picks)
    os.kill(child, signal.SIGKILL)
    killed = time.monotonic()
    # reject_on_worker_lost: the main process puts the task back at once, a new pool process runs it.
    wait_for(lambda: all_sent(dossier) and drained(redis_server), timeout=30, what="the redelivered send")
    print(f"pool process killed: sent {time.monotonic() - killed:.1f} s after the kill")
    assert_sent_once(dossier, gateway)


# 2. Redis restart ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_does_receive_while_redis_is_down_and_send_once_when_it_is_back(
    world, client, procs, redis_server, gateway, celery_env, private_broker, settings
):
    # As deploy/env.example: the broker and the cache on one Redis, so the outage takes both.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": celery_env["REDIS_URL"]}
    }
    workers(procs, celery_env, "worker")
    token = api_token_create(user=world["clerk"])[1]
    redis_server.stop()
    started = time.monotonic()
    health = client.get("/healthz")
    print(f"Redis down: /healthz answered {health.status_code} in {time.monotonic() - started:.1f} s")
    checks = {name: check["ok"] for name, check in health.json()["checks"].items()}
    assert health.status_code == 503 and checks == {"database": True, "broker": False, "cache": False}
    started = time.monotonic()
    response = client.post(
        "/api/v1/dossiers", BODY, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    took = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert took < 3, f"receiving took {took:.1f} s with Redis down"
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert OutboxMessage.objects.filter(dossier=dossier, sent_at=None).count() == 2  # held, not lost
    redis_server.start()
    restarted = time.monotonic()
    backdate_outbox(dossier)
    outbox_flush_task.delay()  # what beat sends every minute; the reconnected worker runs it
    wait_for(lambda: all_sent(dossier), timeout=40, what="the flush after the restart")
    print(f"Redis down: received in {took:.2f} s; sent {time.monotonic() - restarted:.1f} s after the restart")
    assert client.get("/healthz").status_code == 200
    assert_sent_once(dossier, gateway)


# 3. PostgreSQL restart under load ------------------------------------------------------------


@pytest.fixture
def cluster():
    require("initdb", "pg_ctl")
    pg = PostgresCluster()
    try:
        pg.init()
        pg.start()
        pg.create_database("motcua")
        yield pg
    finally:
        pg.destroy()


def start_web(procs: Processes, pg: PostgresCluster, redis_server: RedisServer, var) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": pg.url("motcua"),
        "DJANGO_CONN_MAX_AGE": "60",  # as deploy/env.example: persistent connections must recover too
        "CELERY_BROKER_URL": redis_server.url(0),
        "REDIS_URL": redis_server.url(1),
        "PORTAL_VAR_DIR": str(var),
        "DJANGO_LOG_FORMAT": "json",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    migrate = [sys.executable, "manage.py", "migrate", "--noinput"]
    done = subprocess.run(migrate, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    web = procs.spawn(
        "gunicorn", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"], env
    )
    return f"http://127.0.0.1:{port}", web


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def answered_ok(trickle: Trickle, since: float) -> bool:
    recent = [a for a in trickle.answers if a.started >= since]
    return all(any(a.path == p and a.status == 200 for a in recent) for p in trickle.paths)


PATHS = ["/api/v1/procedures", "/healthz"]


@pytest.mark.postgres
@pytest.mark.redis
def test_does_answer_503_and_recover_by_itself_when_postgresql_restarts(procs, redis_server, cluster, tmp_path):
    base, web = start_web(procs, cluster, redis_server, tmp_path / "var")
    trickle = Trickle(base, PATHS)
    wait_for(lambda: healthy(base), timeout=30, what="gunicorn to answer")
    trickle.start()
    try:
        time.sleep(2)
        cluster.stop()
        down = time.monotonic()
        time.sleep(4)
        restarting = time.monotonic()
        cluster.start()
        up = time.monotonic()
        wait_for(lambda: answered_ok(trickle, up), timeout=15, what="200s after the restart")
        time.sleep(1)
    finally:
        trickle.stop()
        procs.stop(web, sig=signal.SIGQUIT)  # gunicorn's quick shutdown: the test is over
    answers = trickle.answers
    assert_outage(answers, down, restarting)
    assert_recovery(answers, up)


def assert_outage(answers, down: float, restarting: float) -> None:
    statuses = Counter(a.status for a in answers)
    print(f"PostgreSQL restart: {len(answers)} requests, statuses {dict(statuses)}")
    assert set(statuses) <= {200, 503}, statuses  # never a 500, never a dropped connection
    before = [a for a in answers if a.finished < down - 0.5]
    assert before and all(a.status == 200 for a in before)
    outage = [a for a in answers if a.started > down and a.finished < restarting]
    assert {a.path for a in outage} == set(PATHS) and all(a.status == 503 for a in outage)
    for a in outage:
        assert a.retry_after == "10" or a.path == "/healthz"
        if a.path == "/healthz":
            assert a.body["checks"]["database"]["ok"] is False and a.body["checks"]["broker"]["ok"] is True
        else:
            assert a.body["code"] == "unavailable" and a.body["message"]
    print(f"  {len(outage)} requests answered 503 during the {restarting - down:.1f} s outage")


def assert_recovery(answers, up: float) -> None:
    first_ok = {
        p: min(a.finished for a in answers if a.path == p and a.started >= up and a.status == 200) for p in PATHS
    }
    recovery = max(first_ok.values()) - up
    print(f"  every path answered 200 again {recovery:.2f} s after PostgreSQL accepted connections")
    assert recovery < 5
    settled = [a for a in answers if a.started > max(first_ok.values())]
    assert settled and all(a.status == 200 for a in settled)


# 4. Two beats -------------------------------------------------------------------------------


def stagger_thresholds(dossiers, *, start, step: float) -> None:
    """Thresholds a few seconds ahead, one dossier after another, so flags fall due while both beats run."""
    for i, dossier in enumerate(dossiers):
        soon = start + timedelta(seconds=step * i)
        Dossier.objects.filter(pk=dossier.pk).update(
            watch_level=WatchLevel.NONE,
            soon_at=soon,
            due_at=soon + timedelta(seconds=1),
            late2_at=soon + timedelta(seconds=2),
            late3_at=soon + timedelta(seconds=3),
        )


def overlapping(runs) -> int:
    return sum(1 for a, b in itertools.combinations(runs, 2) if a["start"] < b["end"] and b["start"] < a["end"])


def lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view stays as first read in this transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race_two_runs(dossiers) -> None:
    """Make two watch runs meet on the same rows: hold the rows, let both runs queue on them, let go."""
    past = timezone.now() - timedelta(seconds=10)
    rows = Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
    rows.update(soon_at=past, due_at=past, late2_at=past, late3_at=past)  # due now; the beats are stopped
    with transaction.atomic():
        list(rows.select_for_update())
        watch_flag_task.delay()
        watch_flag_task.delay()
        wait_for(lambda: lock_waiters() == 2, timeout=20, what="both runs to wait on the same rows")


def flag_counts(dossiers) -> Counter:
    flags = DossierEvent.objects.filter(dossier__in=dossiers, action__startswith="flag_")
    return Counter(flags.values_list("dossier", "action"))


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_does_flag_each_level_once_when_two_beats_run_at_once(
    receive, procs, redis_server, gateway, celery_env, private_broker, tmp_path
):
    env = {**celery_env, "FAULTKIT_BEAT_EVERY": "0.5"}
    both = workers(procs, env, "worker-1", "worker-2")
    ticking, raced = [receive() for _ in range(12)], [receive() for _ in range(6)]
    stagger_thresholds(ticking, start=timezone.now() + timedelta(seconds=3), step=0.25)
    beats = [
        celery(procs, f"beat-{n}", env, "beat", "--loglevel=INFO", f"--schedule={tmp_path}/beat-{n}") for n in (1, 2)
    ]
    flagged = Dossier.objects.filter(pk__in=[d.pk for d in ticking], watch_level=WatchLevel.OVERDUE_3X)
    wait_for(lambda: flagged.count() == len(ticking), timeout=40, what="every dossier flagged 3× overdue")
    time.sleep(2)  # a few more ticks of both beats, over nothing new
    procs.stop(*beats)
    wait_for(lambda: drained(redis_server), timeout=20, what="the workers to finish the beats' runs")
    beat_runs = task_runs(env, "dossiers.tasks.watch_flag_task")
    race_two_runs(raced)
    wait_for(
        lambda: len(task_runs(env, "dossiers.tasks.watch_flag_task")) == len(beat_runs) + 2, timeout=20, what="the race"
    )
    procs.stop(*both)
    runs = task_runs(env, "dossiers.tasks.watch_flag_task")
    origins = {r["origin"] for r in beat_runs}
    print(
        f"two beats: {len(beat_runs)} watch runs sent by {len(origins)} beats, {overlapping(beat_runs)} pairs "
        f"overlapping in time; then 2 runs released onto the same {len(raced)} rows at once flagged "
        f"{[sum(r['retval'].values()) for r in runs[len(beat_runs) :]]}"
    )
    assert len(origins) == 2 and all(r["state"] == "SUCCESS" for r in runs)
    assert overlapping(runs[len(beat_runs) :]) == 1
    events = flag_counts(ticking + raced)
    assert len(events) == 4 * len(ticking + raced) and set(events.values()) == {1}
    assert sum(sum(r["retval"].values()) for r in runs) == 4 * len(ticking + raced)  # each flag set by one run only


class _Unreachable:
    @property
    def name(self):
        from django.db import OperationalError

        raise OperationalError("connection failed: Connection refused")


@pytest.mark.parametrize("path", ["/api/v1/procedures", "/tra-cuu/"])
def test_does_answer_503_when_a_schema_meets_the_outage_while_reading_a_model(rf, path):
    """The API's Out schemas read models lazily; pydantic wraps the database's error in a
    ValidationError, which must still answer 503, not 500."""
    from pydantic import BaseModel, ConfigDict, ValidationError

    from portal.observability import ServiceUnavailableMiddleware

    class Out(BaseModel):
        model_config = ConfigDict(from_attributes=True)
        name: str

    with pytest.raises(ValidationError) as caught:
        Out.model_validate(_Unreachable())
    response = ServiceUnavailableMiddleware(lambda request: None).process_exception(rf.get(path), caught.value)
    assert response is not None and response.status_code == 503 and response["Retry-After"] == "10"
    with pytest.raises(ValidationError) as other:
        Out.model_validate({"name": None})  # a plain validation error stays the caller's 500
    assert ServiceUnavailableMiddleware(lambda request: None).process_exception(rf.get(path), other.value) is None
