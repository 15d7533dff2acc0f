"""Celery tasks of the dossiers app: thin wrappers around services (ids in)."""

from datetime import timedelta

from celery import shared_task

from .services.notify import outbox_deliver, outbox_pending_ids
from .services.recompute import calendar_recompute_pending
from .services.watch import watch_flag


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=600, max_retries=8, acks_late=True)
def outbox_deliver_task(self, message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)


@shared_task(acks_late=True)
def outbox_flush_task() -> int:
    """Send what could not be enqueued at commit time (broker down, worker lost)."""
    sent = 0
    for message_id in outbox_pending_ids(older_than=timedelta(seconds=30)):
        try:
            sent += outbox_deliver(message_id=message_id)
        except OSError:
            continue  # counted on the row (attempts, last_error); tried again next run
    return sent


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
