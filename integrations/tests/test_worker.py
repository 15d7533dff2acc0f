"""The send task through a real Celery worker process, against the partner on loopback."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from integrations.models import SyncMessage, SyncStatus
from integrations.national.outbox import KICK_KEY
from integrations.tasks import national_sync_send_task

from .conftest import SECRET, TOKEN


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_does_send_through_a_real_worker_when_the_task_is_queued(world, receive, national, settings):
    queue = f"national-sync-test-{uuid.uuid4().hex[:8]}"  # ours alone on a broker others share
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PORTAL_VAR_DIR": str(settings.VAR_DIR),
        "PORTAL_NATIONAL_SYNC_URL": national.url,
        "PORTAL_NATIONAL_SYNC_TOKEN": TOKEN,
        "PORTAL_NATIONAL_SYNC_HMAC_SECRET": SECRET,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        cache.set(KICK_KEY, 1)  # no kick to the shared default queue: the run goes to ours below
        first, second = receive(), receive()
        national_sync_send_task.apply_async(queue=queue)
        deadline = time.monotonic() + 120  # a loaded CI machine starts a worker slowly
        while time.monotonic() < deadline and SyncMessage.objects.filter(status=SyncStatus.PENDING).exists():
            time.sleep(0.25)
        assert national.applied_ids() == [(first.code, 1, 2), (second.code, 1, 2)]
        assert list(SyncMessage.objects.values_list("status", flat=True)) == [SyncStatus.SENT] * 2
    finally:
        worker.terminate()
        worker.wait(timeout=20)
