"""Celery tasks of the integrations: thin, ids in, one service call, with time limits."""

from celery import shared_task
from django.db import DatabaseError

from .national.outbox import sync_messages_send


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
    soft_time_limit=240,
    time_limit=300,
)
def national_sync_send_task(kicked: bool = False) -> int:
    """Send the national portal's messages that are due (kicked after a commit, and every 30 s
    by beat). Each message's own retries and backoff live on its row; the task retries only
    when the database is out of reach."""
    return sync_messages_send(kicked=kicked)
