"""The Celery set-up as a worker sees it: our tasks, their time limits, the beat schedule."""

import pytest
from django.conf import settings

from portal.celery import app

OUR_APPS = ("dossiers.", "feedback.", "integrations.", "payments.", "portal.", "citizens.", "edocs.")


@pytest.fixture(scope="module")
def tasks():
    """Every registered task, after the autodiscovery a worker does at start."""
    app.loader.import_default_modules()
    return app.tasks


def ours(tasks):
    return {name: task for name, task in tasks.items() if name.startswith(OUR_APPS)}


def test_does_find_one_tasks_module_per_app(tasks):
    modules = {task.__module__ for task in ours(tasks).values()}
    assert modules == {f"{name}.tasks" for name in ("dossiers", "feedback", "integrations", "payments")}


def test_does_give_every_task_of_ours_a_soft_and_a_hard_time_limit(tasks):
    limits = {name: (task.soft_time_limit, task.time_limit) for name, task in ours(tasks).items()}
    missing = [name for name, (soft, hard) in limits.items() if not soft or not hard or soft >= hard]
    assert len(limits) >= 12 and missing == []


def test_does_name_only_registered_tasks_in_the_beat_schedule(tasks):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(tasks) == set()


def test_does_send_the_outbox_task_by_a_registered_name(tasks):
    from dossiers.services.notify import SEND_TASK
    from integrations.national.outbox import SEND_TASK as SYNC_TASK

    assert {SEND_TASK, SYNC_TASK} <= set(tasks)
