"""Enqueueing Celery work after the transaction commits, tolerating a broker outage."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Send `task(*args)` once the current transaction commits.

    With the broker down the change itself still succeeds; periodic sweeps
    (outbox flush, pending calendar recomputes) pick the work up later.
    """

    def send():
        try:
            task.apply_async(args, retry=False)
        except Exception as exc:  # noqa: BLE001 — any broker failure: the sweep does it later
            log.warning("could not enqueue %s%s (%s); a periodic sweep will run it", task.name, args, exc)

    transaction.on_commit(send)
