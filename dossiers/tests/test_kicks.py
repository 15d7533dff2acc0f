"""The kicker thread: the outbox kick leaves the request, runs soon, once per burst (issue 17 point 4)."""

import threading

import pytest
from celery.canvas import Signature

from dossiers.services.kicks import kick_soon, kicks_drain


def test_does_return_at_once_and_run_the_kick_on_the_kicker_thread():
    release, ran_on = threading.Event(), []

    def kick():
        release.wait(5)
        ran_on.append(threading.current_thread())

    kick_soon(kick)  # returns while the kick waits
    assert ran_on == [] and kicks_drain(timeout=0.05) is False
    release.set()
    assert kicks_drain() and ran_on[0] is not threading.current_thread()


def test_does_run_a_burst_of_the_same_kick_once():
    release, runs = threading.Event(), []

    def busy():
        release.wait(5)

    def kick():
        runs.append(1)

    kick_soon(busy)  # the thread is busy while the burst arrives
    for _ in range(5):
        kick_soon(kick)
    release.set()
    assert kicks_drain() and runs == [1]


def test_does_keep_the_thread_going_when_a_kick_raises(caplog):
    runs = []

    def broken():
        raise RuntimeError("a bug")

    kick_soon(broken)
    assert kicks_drain()
    kick_soon(lambda: runs.append(1))
    assert kicks_drain() and runs == [1] and "a bug" in caplog.text


@pytest.mark.django_db
def test_does_publish_the_send_task_off_the_committing_thread(
    world, receive, django_capture_on_commit_callbacks, monkeypatch
):
    published = []
    monkeypatch.setattr(
        Signature, "apply_async", lambda sig, *a, **kw: published.append((sig.task, threading.current_thread()))
    )
    with django_capture_on_commit_callbacks(execute=True):
        receive()
    assert [task for task, _thread in published] == ["dossiers.tasks.outbox_send_task"]
    assert published[0][1] is not threading.current_thread()
