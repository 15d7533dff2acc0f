"""The transactional outbox: written with the change, sent once, survives a broker outage."""

import os
import subprocess
import sys
import time

import pytest
from django.core import mail
from django.db import DatabaseError, connection

from dossiers.models import OutboxMessage
from dossiers.services.notify import KICK_KEY, outbox_deliver, outbox_kick, outbox_pending_ids, outbox_send_waiting
from dossiers.tasks import outbox_flush_task, outbox_send_task
from portal.celery import app as celery_app


@pytest.fixture
def unreachable_broker(settings, monkeypatch):
    """Point Celery at a Redis that is down (nothing listens on port 9), then restore."""
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")  # Celery prefers it to its conf

    def reset(url, options):
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = url, options
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset("redis://127.0.0.1:9/0", settings.REDIS_TRANSPORT_OPTIONS)
    yield
    reset(*saved)


@pytest.mark.django_db
def test_does_send_each_message_once_when_delivered_twice(world, receive):
    message = OutboxMessage.objects.get(dossier=receive(), channel="email")
    assert outbox_deliver(message_id=message.pk) is True
    assert outbox_deliver(message_id=message.pk) is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["binh@example.vn"]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


@pytest.mark.django_db
def test_does_write_no_message_when_the_change_rolls_back(world, receive):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        receive()
        raise RuntimeError("rolled back")
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_does_receive_and_send_later_when_the_broker_is_down(
    world, receive, django_capture_on_commit_callbacks, unreachable_broker
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive()
    assert time.monotonic() - started < 3  # the clerk is not kept waiting
    assert dossier.status == 2 and len(outbox_pending_ids()) == 2 and mail.outbox == []
    # Once the broker is back the periodic flush sends what is waiting, once.
    OutboxMessage.objects.update(created_at=dossier.submitted_at.replace(year=2000))
    assert outbox_flush_task() == 2 and outbox_flush_task() == 0
    assert len(mail.outbox) == 1 and outbox_pending_ids() == []


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_does_deliver_through_a_real_worker(world, receive, settings):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PORTAL_VAR_DIR": str(settings.VAR_DIR),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        dossier = receive()  # committed: on_commit enqueues the delivery
        deadline = time.monotonic() + 120  # a loaded CI machine starts a worker slowly
        while time.monotonic() < deadline and OutboxMessage.objects.filter(dossier=dossier, sent_at=None).exists():
            time.sleep(0.25)
        sent = OutboxMessage.objects.filter(dossier=dossier).exclude(sent_at=None)
        assert sent.count() == 2 and all(m.attempts == 1 for m in sent)
    finally:
        worker.terminate()
        worker.wait(timeout=20)


@pytest.mark.django_db
def test_does_publish_one_send_task_for_a_burst_and_a_new_one_once_it_has_started(world, receive):
    from django.core.cache import cache

    assert outbox_kick() is True and cache.get(KICK_KEY) == 1  # published, marked queued
    dossiers = [receive() for _ in range(3)]  # their kicks ride on the queued task
    assert [outbox_kick() for _ in range(3)] == [False] * 3
    assert outbox_send_task() == 6 and outbox_pending_ids() == []  # 3 dossiers × SMS and email
    assert cache.get(KICK_KEY) is None  # cleared as the task started: the next change publishes again
    assert outbox_kick() is True
    sent = OutboxMessage.objects.filter(dossier__in=dossiers).exclude(sent_at=None)
    assert sent.count() == 6 and len(mail.outbox) == 3


@pytest.mark.django_db
def test_does_receive_and_leave_no_queued_mark_when_the_kick_cannot_be_published(
    world, receive, django_capture_on_commit_callbacks, unreachable_broker
):
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive()
    assert dossier.pk and cache.get(KICK_KEY) is None  # so the next change tries to publish again
    assert outbox_kick() is False and len(outbox_pending_ids()) == 2


@pytest.mark.django_db
def test_does_send_the_other_messages_when_one_fails_and_that_one_later(world, receive, settings):
    settings.SMS_BACKEND = "dossiers.tests.test_outbox.BrokenSms"
    dossier = receive()
    assert outbox_send_task() == 1  # the email; the SMS failed
    sms = OutboxMessage.objects.get(dossier=dossier, channel="sms")
    assert sms.sent_at is None and sms.attempts == 1 and "gateway down" in sms.last_error
    settings.SMS_BACKEND = "dossiers.services.notify.LoggingSmsBackend"
    OutboxMessage.objects.update(created_at=dossier.submitted_at.replace(year=2000))
    assert outbox_flush_task() == 1 and outbox_pending_ids() == []


@pytest.mark.django_db
def test_does_stop_the_run_for_the_task_to_retry_when_the_database_fails(world, receive, settings):
    from django.db import OperationalError

    settings.SMS_BACKEND = "dossiers.tests.test_outbox.DatabaseDownSms"
    receive()
    with pytest.raises(OperationalError):
        outbox_send_waiting(kicked=True)  # the email, after the SMS, is left for the retry
    assert len(mail.outbox) == 0 and len(outbox_pending_ids()) == 2
    assert DatabaseError in outbox_send_task.autoretry_for


@pytest.mark.django_db
def test_does_record_a_failed_attempt_and_send_on_the_next(world, receive, settings):
    settings.SMS_BACKEND = "dossiers.tests.test_outbox.BrokenSms"
    message = OutboxMessage.objects.get(dossier=receive(), channel="sms")
    with pytest.raises(OSError):
        outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.attempts == 1 and "gateway down" in message.last_error and message.sent_at is None
    settings.SMS_BACKEND = "dossiers.services.notify.LoggingSmsBackend"
    assert outbox_deliver(message_id=message.pk) is True
    message.refresh_from_db()
    assert message.attempts == 2 and message.sent_at is not None and message.last_error == ""


@pytest.mark.django_db
def test_does_stop_the_run_without_blaming_the_message_when_the_soft_time_limit_strikes(world, receive, settings):
    from celery.exceptions import SoftTimeLimitExceeded

    settings.SMS_BACKEND = "dossiers.tests.test_outbox.SlowSms"
    message = OutboxMessage.objects.get(dossier=receive(), channel="sms")
    with pytest.raises(SoftTimeLimitExceeded):
        outbox_send_waiting(kicked=True)  # not logged and skipped like a failed send: the run ends
    message.refresh_from_db()
    assert message.attempts == 0 and message.last_error == "" and len(outbox_pending_ids()) == 2
    assert outbox_send_task.soft_time_limit < outbox_send_task.time_limit


class SlowSms:
    def send(self, *, phone: str, text: str) -> None:
        from celery.exceptions import SoftTimeLimitExceeded

        raise SoftTimeLimitExceeded()  # what the worker raises in the task when its soft limit passes


class DatabaseDownSms:
    def send(self, *, phone: str, text: str) -> None:
        from django.db import OperationalError

        raise OperationalError("connection to server at 127.0.0.1:5432 failed")


class BrokenSms:
    def send(self, *, phone: str, text: str) -> None:
        raise OSError("gateway down")
