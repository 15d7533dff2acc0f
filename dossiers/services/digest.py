"""The morning digest: each unit leader's overdue dossiers, those due today, drafts to sign.

One email per leader per day, recorded in the outbox under `digest:<user>:<date>` so a
second run the same day (a retried task, two beat processes) sends nothing more, and a
failed send is retried by `outbox_flush` like any other message.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..calendar import LOCAL_TZ
from ..models import Apology, Dossier, OutboxMessage
from ..roles import UNIT_LEADER
from .notify import outbox_deliver

log = logging.getLogger(__name__)
LIST_LIMIT = 50  # per section; the email says how many more there are


def digest_send(*, at: datetime | None = None) -> int:
    """Send today's digest to every active unit leader with something to act on; returns how many were sent."""
    at = at or timezone.now()
    day = timezone.localtime(at, LOCAL_TZ).date()
    leaders = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=UNIT_LEADER)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for leader in leaders:
        message = digest_record(user=leader, at=at, day=day)
        if message is None or message.sent_at is not None:
            continue
        try:
            sent += outbox_deliver(message_id=message.pk)
        except OSError as exc:  # SMTP errors are OSErrors; the row keeps it and outbox_flush retries
            log.warning("digest for user %s not sent yet: %s", leader.pk, exc)
    return sent


def digest_items(*, unit_ids: list[int], at: datetime) -> dict:
    """What a leader of these units should see this morning."""
    end_of_day = datetime.combine(timezone.localtime(at, LOCAL_TZ).date() + timedelta(days=1), time.min, LOCAL_TZ)
    held = Dossier.objects.filter(current_unit__in=unit_ids).select_related("procedure", "current_unit")
    drafts = Apology.objects.waiting_for_signature().filter(unit__in=unit_ids)
    return {
        "overdue": held.overdue(at=at).order_by("due_at", "id"),
        "due_today": held.due_between(at, end_of_day).order_by("due_at", "id"),
        "apologies": drafts.select_related("dossier__procedure", "unit").order_by("original_due_at", "id"),
    }


def _section(queryset) -> dict:
    items = list(queryset[: LIST_LIMIT + 1])
    count = len(items) if len(items) <= LIST_LIMIT else queryset.count()
    return {"items": items[:LIST_LIMIT], "count": count, "more": max(count - LIST_LIMIT, 0)}


@transaction.atomic
def digest_record(*, user: User, at: datetime, day) -> OutboxMessage | None:
    """The day's digest message for `user` (created once); None when there is nothing to report."""
    key = f"digest:{user.pk}:{day.isoformat()}"
    existing = OutboxMessage.objects.filter(dedup_key=key).first()
    if existing is not None:
        return existing
    unit_ids = list(user.memberships.values_list("unit_id", flat=True))
    sections = {name: _section(qs) for name, qs in digest_items(unit_ids=unit_ids, at=at).items()}
    if not any(section["count"] for section in sections.values()):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "day": day, "at": at, "base_url": settings.PORTAL_PUBLIC_BASE_URL, **sections}
        context["supervision_url"] = settings.PORTAL_PUBLIC_BASE_URL + reverse("staff:supervision")
        context["apologies_url"] = settings.PORTAL_PUBLIC_BASE_URL + reverse("staff:apologies")
        body = render_to_string("email/digest.txt", context).strip()
    message, _created = OutboxMessage.objects.get_or_create(
        dedup_key=key,
        defaults={
            "channel": OutboxMessage.Channel.EMAIL,
            "recipient": user.email,
            "subject": body.splitlines()[0][:255],
            "body": body,
        },
    )
    return message
