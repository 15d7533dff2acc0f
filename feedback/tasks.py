"""Celery tasks of the feedback app: thin wrappers around services."""

from celery import shared_task

from .services.watch import petition_flag


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def petition_flag_task() -> int:
    """Flag overdue petitions (beat: every 5 minutes); safe to run twice."""
    return petition_flag()
