"""Celery tasks of the dossiers app: thin wrappers around services (ids in)."""

from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError

from .services.notify import outbox_send_waiting
from .services.recompute import calendar_recompute_pending
from .services.watch import watch_flag


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=5, retry_backoff_max=300, max_retries=8)
def outbox_send_task() -> int:
    """Kicked after commits that wrote messages (`outbox_kick`): send every message waiting.
    A failed send stays on its row for the flush; the database out of reach retries the run."""
    return outbox_send_waiting(kicked=True)


@shared_task(acks_late=True)
def outbox_flush_task() -> int:
    """Every minute: send what no kick sent (broker or cache down, worker lost) and try failed
    messages again."""
    return outbox_send_waiting(older_than=timedelta(seconds=30))


@shared_task(acks_late=True)
def watch_flag_task() -> dict[str, int]:
    return watch_flag()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def calendar_recompute_task(change_id: int) -> int:
    """Enqueued after a calendar change commits; handles every pending change."""
    return calendar_recompute_pending()


@shared_task(acks_late=True)
def calendar_recompute_pending_task() -> int:
    """Catch up calendar changes whose recompute was never enqueued (broker down)."""
    return calendar_recompute_pending()
