"""Notifications through a transactional outbox.

Messages are written in the same transaction as the change that causes them and
delivered by a Celery task after commit: the commit "kicks" `outbox_send_task`, which
sends every message waiting. The kick runs on the process's kicker thread (services.kicks),
so the request that committed does not wait for the cache or the broker. A burst of
changes costs one broker message, not one per notification: the first kick publishes the
task a moment ahead (`PORTAL_OUTBOX_BATCH_SECONDS`) and marks it queued in the cache, later kicks see the
mark and leave their messages to it, and the task clears the mark as it starts (before
reading what waits, so nothing committed before a kick is missed). If the broker or the
cache is down, the periodic `outbox_flush` task sends the messages once it is back, and
it also tries failed ones again; a row lock and `sent_at` make each message go out once.
"""

import logging
from datetime import timedelta

from celery import signature
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from ..models import OutboxMessage
from .kicks import kick_soon

log = logging.getLogger(__name__)
# After this many failures a message is held for a person to look at (and held messages are never sent).
MAX_ATTEMPTS = 10

# What the citizen is told, by kind: (email subject, template).
KINDS = {
    "received": "notify/received.txt",
    "supplement": "notify/supplement.txt",
    "result_ready": "notify/result_ready.txt",
    "apology": "notify/apology.txt",
    "refused": "notify/refused.txt",
    "completion": "notify/completion.txt",
}


class LoggingSmsBackend:
    """The default SMS backend: logs instead of sending (plug a real gateway in settings)."""

    def send(self, *, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


def outbox_enqueue(*, dossier, kind: str, ref: str, context: dict | None = None) -> list[OutboxMessage]:
    """Queue the messages telling the applicant about `kind` (e.g. 'received')."""
    # One insert for all channels; the dedup key makes a repeated notification an error, not a resend.
    messages = OutboxMessage.objects.bulk_create(outbox_messages(dossier=dossier, kind=kind, ref=ref, context=context))
    outbox_kick_on_commit()
    return messages


def outbox_messages(*, dossier, kind: str, ref: str, context: dict | None = None) -> list[OutboxMessage]:
    """The messages `outbox_enqueue` queues, not saved (for a caller inserting them with other rows)."""
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"dossier": dossier, "base_url": settings.PORTAL_PUBLIC_BASE_URL, **(context or {})}
        body = render_to_string(KINDS[kind], ctx).strip()
        subject = body.splitlines()[0][:255]
    targets = [(OutboxMessage.Channel.SMS, dossier.applicant_phone)]
    if dossier.applicant_email:
        targets.append((OutboxMessage.Channel.EMAIL, dossier.applicant_email))
    return [
        OutboxMessage(
            dossier=dossier,
            dedup_key=f"{dossier.code}:{kind}:{ref}:{channel}",
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
        )
        for channel, recipient in targets
    ]


# The cache key marking an `outbox_send_task` published and not started yet (see the module's doc).
KICK_KEY = "outbox:send-queued"
# How long the mark may outlive a kick that never runs (lost with the broker): later messages wait
# at most this long for a new kick, and the periodic flush sends them meanwhile anyway.
KICK_MARK_SECONDS = 120
# By name: dossiers.tasks imports this module, so this one must not import it back.
SEND_TASK = "dossiers.tasks.outbox_send_task"


def outbox_kick_on_commit() -> None:
    """Have the new messages of this transaction sent once it commits (`outbox_kick`)."""
    transaction.on_commit(outbox_kick_soon)


def outbox_kick_soon() -> None:
    """The commit's callback: `outbox_kick` on the kicker thread, so the request that committed
    pays no cache or broker round trip (services.kicks)."""
    kick_soon(outbox_kick)


def outbox_kick() -> bool:
    """Make sure an `outbox_send_task` will run: publish one, a moment ahead, unless one is queued
    and not started yet. True when this call published it. Never raises: with the broker or the
    cache down the change itself still succeeds, and the periodic flush sends its messages."""
    try:
        if not cache.add(KICK_KEY, 1, timeout=KICK_MARK_SECONDS):
            return False  # queued, not started: it will read this transaction's messages
        try:
            signature(SEND_TASK).apply_async(countdown=settings.PORTAL_OUTBOX_BATCH_SECONDS, retry=False)
        except BaseException:
            cache.delete(KICK_KEY)
            raise
    except Exception as exc:  # noqa: BLE001 — any broker or cache failure: the flush sends them later
        log.warning("could not publish the outbox's send task (%s); the periodic flush will send", exc)
        return False
    return True


def outbox_send_waiting(*, older_than: timedelta = timedelta(0), kicked: bool = False) -> int:
    """Send the messages waiting (created at least `older_than` ago, not held), oldest first;
    how many this call sent. `kicked`: run by a kick, whose mark it clears first. A message
    whose send fails keeps its failure on its row and is tried again by the next run."""
    if kicked:
        cache.delete(KICK_KEY)  # first: a message committed from now on kicks a new run
    waiting = outbox_pending_ids(older_than=older_than)
    sent = 0
    for message_id in waiting:
        try:
            sent += outbox_deliver(message_id=message_id)
        except (DatabaseError, SoftTimeLimitExceeded):
            raise  # the database or the task's time, not this message: the task's retry or next run
        except Exception as exc:  # noqa: BLE001 — recorded on the row (attempts, last_error)
            log.warning("outbox message %s not sent: %s", message_id, exc)
    if kicked and len(waiting) == OUTBOX_BATCH:
        outbox_kick()  # more than one batch waited: the rest in the next run
    return sent


def outbox_deliver(*, message_id: int) -> bool:
    """Send one message if nobody has; True when this call sent it.

    The row stays locked while sending, so concurrent deliveries skip it; a failure is
    recorded after the lock's transaction ends (so it is not rolled back) and re-raised
    for the task's retry policy.
    """
    with transaction.atomic():
        waiting = OutboxMessage.objects.filter(pk=message_id, sent_at=None, attempts__lt=MAX_ATTEMPTS)
        message = waiting.select_for_update(skip_locked=True).first()
        if message is None:
            return False
        try:
            _send(message)
        except SoftTimeLimitExceeded:
            raise  # the task ran out of time: not this message's failure, nothing to record
        except Exception as exc:  # noqa: BLE001 — recorded below, then re-raised
            failure = exc
        else:
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, sent_at=timezone.now(), last_error=""
            )
            return True
    OutboxMessage.objects.filter(pk=message_id).update(attempts=F("attempts") + 1, last_error=str(failure)[:500])
    raise failure


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
    else:
        import_string(settings.SMS_BACKEND)().send(phone=message.recipient, text=message.body)


def outbox_hold(*, messages, reason: str) -> int:
    """Keep messages from ever being sent (demo data, a withdrawn notice), with the reason."""
    return messages.filter(sent_at=None).update(attempts=MAX_ATTEMPTS, last_error=reason[:500])


OUTBOX_BATCH = 500


def outbox_pending_ids(*, older_than: timedelta = timedelta(seconds=0), limit: int = OUTBOX_BATCH) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        OutboxMessage.objects.filter(sent_at=None, created_at__lte=cutoff, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
