"""Notifications through a transactional outbox.

Messages are written in the same transaction as the change that causes them and
delivered by Celery after commit. If the broker is down, the periodic
`outbox_flush` task sends them once it is back; a row lock and `sent_at` make
each message go out once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from ..models import OutboxMessage
from .jobs import enqueue_on_commit

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
}


class LoggingSmsBackend:
    """The default SMS backend: logs instead of sending (plug a real gateway in settings)."""

    def send(self, *, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


def outbox_enqueue(*, dossier, kind: str, ref: str, context: dict | None = None) -> list[OutboxMessage]:
    """Queue the messages telling the applicant about `kind` (e.g. 'received')."""
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"dossier": dossier, "base_url": settings.PORTAL_PUBLIC_BASE_URL, **(context or {})}
        body = render_to_string(KINDS[kind], ctx).strip()
        subject = body.splitlines()[0][:255]
    targets = [(OutboxMessage.Channel.SMS, dossier.applicant_phone)]
    if dossier.applicant_email:
        targets.append((OutboxMessage.Channel.EMAIL, dossier.applicant_email))
    # One insert for all channels; the dedup key makes a repeated notification an error, not a resend.
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            dossier=dossier,
            dedup_key=f"{dossier.code}:{kind}:{ref}:{channel}",
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
        )
        for channel, recipient in targets
    )
    from ..tasks import outbox_deliver_task

    for message in messages:  # all new, so none sent
        enqueue_on_commit(outbox_deliver_task, message.pk)
    return messages


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


def outbox_pending_ids(*, older_than: timedelta = timedelta(seconds=0), limit: int = 500) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        OutboxMessage.objects.filter(sent_at=None, created_at__lte=cutoff, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
