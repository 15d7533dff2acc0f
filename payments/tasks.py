"""Celery tasks of the payments app: thin wrappers around services (ids in)."""

from celery import shared_task
from django.db import DatabaseError

from .services import payment_refund_send, payment_refunds_pending


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=5,
    soft_time_limit=120,  # one gateway call, with its own timeout
    time_limit=180,
)
def payment_refund_task(payment_id: int) -> str | None:
    """Enqueued after a refund request commits."""
    payment = payment_refund_send(payment_id=payment_id)
    return payment.status if payment else None


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def payment_refunds_pending_task() -> int:
    """Every five minutes: refunds requested but not sent (broker or gateway down)."""
    return payment_refunds_pending()
