"""The national portal's outbox: one SyncMessage per dossier creation or status change,
written in the change's transaction (dossiers.services.hooks), sent in order per dossier.

Sending: `sync_messages_send` takes the messages due and first in their dossier's line, locks
each (`skip_locked`, so concurrent runs share the work), POSTs it and marks it sent — or
records the failure and when to try again, with exponential backoff; after
PORTAL_NATIONAL_SYNC_MAX_ATTEMPTS it is dead (the supervisors' page lists it, and a resend puts
it back in line). Its dossier's later messages wait behind it, so the portal never sees a
dossier's changes out of order. A commit that wrote messages kicks a run (`sync_kick`); the
periodic task sends whatever no kick did. Nothing here can fail a receipt or a transition:
with the broker, the cache or the partner down, the rows wait.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import requests
from celery import signature
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dossiers.services.hooks import DossierChange
from dossiers.services.kicks import kick_soon

from ..models import SyncMessage, SyncResend, SyncStatus
from .client import PartnerError, PartnerUnavailable, sync_post
from .contract import dossier_snapshot, message_body

log = logging.getLogger(__name__)
BATCH = 200
# A run stops taking new messages after this long (a slow partner must not outlast the task's limit).
RUN_SECONDS = 120


def sync_enabled() -> bool:
    return bool(settings.PORTAL_NATIONAL_SYNC_URL)


# -- writing (inside the change's transaction) -------------------------------------------------


def sync_rows(change: DossierChange) -> list[SyncMessage]:
    """The hook's rows: one message for the change, numbered after the dossier's last (its row
    is locked by the transition, so two changes of one dossier cannot take the same number;
    the unique constraint would refuse it anyway). None while sync is off."""
    if not sync_enabled():
        return []
    dossier = change.dossier
    sequence = 1 if change.created else _last_sequence(dossier.pk) + 1
    return [
        SyncMessage(
            dossier=dossier,
            sequence=sequence,
            action=change.event.action,
            changed_at=change.event.effective_at,
            payload=dossier_snapshot(dossier=dossier, event=change.event),
            next_attempt_at=timezone.now(),
        )
    ]


def _last_sequence(dossier_id: int) -> int:
    return SyncMessage.objects.filter(dossier_id=dossier_id).aggregate(last=Max("sequence"))["last"] or 0


# The cache key marking a send task published and not started yet (as services.notify's KICK_KEY).
KICK_KEY = "national-sync:send-queued"
KICK_MARK_SECONDS = 120
# By name: integrations.tasks imports this module, so this one must not import it back.
SEND_TASK = "integrations.tasks.national_sync_send_task"


def sync_kick_on_commit() -> None:
    transaction.on_commit(sync_kick_soon)


def sync_kick_soon() -> None:
    """The commit's callback: `sync_kick` on the kicker thread, off the request (services.kicks)."""
    kick_soon(sync_kick)


def sync_kick() -> bool:
    """Publish a send run a moment ahead unless one is queued and not started; True when this
    call published it. Never raises: with the broker or the cache down the periodic run sends."""
    try:
        if not cache.add(KICK_KEY, 1, timeout=KICK_MARK_SECONDS):
            return False
        try:
            signature(SEND_TASK).apply_async(kwargs={"kicked": True}, countdown=1, retry=False)
        except BaseException:
            cache.delete(KICK_KEY)
            raise
    except Exception as exc:  # noqa: BLE001 — broker or cache down: the periodic run sends later
        log.warning("could not publish the national sync run (%s); the periodic run will send", exc)
        return False
    return True


# -- sending ------------------------------------------------------------------------------------


def sync_backoff(attempts: int) -> timedelta:
    """How long after its `attempts`-th failure a message is tried again: the base doubled each
    time, at most the cap (60 s, 2 min, 4 min … 4 h 16 min, then dead after the 10th, by default)."""
    base = settings.PORTAL_NATIONAL_SYNC_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), settings.PORTAL_NATIONAL_SYNC_BACKOFF_MAX_SECONDS))


def sync_due_ids(*, limit: int = BATCH) -> list[int]:
    return list(
        SyncMessage.objects.due(at=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def sync_messages_send(*, kicked: bool = False) -> int:
    """Send the messages due, oldest first, and each dossier's next one once its predecessor
    is acknowledged; how many were acknowledged. `kicked`: run by a kick, whose mark it clears
    first (a message committed from then on kicks a new run)."""
    if kicked:
        cache.delete(KICK_KEY)
    if not sync_enabled():
        return 0
    run = _Run(stop_at=time.monotonic() + RUN_SECONDS)
    with requests.Session() as session:
        while run.going():
            before = run.sent
            for message_id in sync_due_ids():
                run.deliver(message_id, session=session)
                if not run.going():
                    break
            if run.sent == before:  # nothing acknowledged: nothing new became due either
                break
    return run.sent


@dataclass
class _Run:
    stop_at: float  # time.monotonic() after which no new message is taken
    sent: int = 0
    partner_down: bool = False

    def going(self) -> bool:
        return not self.partner_down and time.monotonic() < self.stop_at

    def deliver(self, message_id: int, *, session: requests.Session) -> None:
        try:
            self.sent += sync_message_deliver(message_id=message_id, session=session)
        except PartnerUnavailable:
            self.partner_down = True  # the rest wait for the next run; this one's failure is on its row


def sync_message_deliver(*, message_id: int, session: requests.Session) -> bool:
    """Send one message if it is still due and first in line; True when the partner acknowledged it.

    The row stays locked while it is sent, so no other run sends it (nor its successor, which
    waits for it to be `sent`). A failure is recorded on the row in the same transaction; a
    PartnerUnavailable is raised again after it commits, to end the run."""
    with transaction.atomic():
        message = (
            SyncMessage.objects.due(at=timezone.now())
            .filter(pk=message_id)
            .select_related("dossier__national_inbound")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if message is None:
            return False
        try:
            sync_post(message_body(message), session=session)
        except PartnerError as exc:
            failure = exc
            _record_failure(message, str(exc))
        else:
            _record_sent(message)
            return True
    if isinstance(failure, PartnerUnavailable):
        raise failure
    return False


def _record_sent(message: SyncMessage) -> None:
    message.status, message.sent_at, message.last_error = SyncStatus.SENT, timezone.now(), ""
    message.attempts += 1
    message.save(update_fields=["status", "sent_at", "last_error", "attempts"])


def _record_failure(message: SyncMessage, error: str) -> None:
    message.attempts += 1
    message.last_error = error[:500]
    if message.attempts >= settings.PORTAL_NATIONAL_SYNC_MAX_ATTEMPTS:
        message.status = SyncStatus.DEAD
        log.error("national sync message %s is dead after %s attempts: %s", message.message_id, message.attempts, error)
    else:
        message.next_attempt_at = timezone.now() + sync_backoff(message.attempts)
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


# -- resending ----------------------------------------------------------------------------------


class NotDead(Exception):
    """Only a dead message can be sent again."""


@transaction.atomic
def sync_message_resend(*, message_id: int, actor) -> SyncMessage:
    """Put a dead message back in line, from scratch (its attempts count again from zero), and
    record who did it and what had failed. The same message id goes again: if the portal did
    take it after all, it applies it once."""
    message = SyncMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.status != SyncStatus.DEAD:
        raise NotDead(message_id)
    SyncResend.objects.create(message=message, actor=actor, attempts=message.attempts, last_error=message.last_error)
    message.status, message.attempts, message.next_attempt_at = SyncStatus.PENDING, 0, timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    sync_kick_on_commit()
    return message
