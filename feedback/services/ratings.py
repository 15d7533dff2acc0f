"""Satisfaction ratings of finished dossiers (shared/docs/domain.md, "Citizen feedback")."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dossiers.errors import Conflict, InvalidInput
from dossiers.models import Dossier, OutboxMessage, Status
from dossiers.roles import UNIT_LEADER
from dossiers.services.events import event_record
from dossiers.services.notify import outbox_kick_on_commit

from ..models import COMMENT_MAX, Rating

RATABLE = frozenset({Status.DONE, Status.RETURNED})
CRITERIA = ("attitude", "timeliness", "guidance")
ALREADY_RATED = _("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần.")
NOT_FINISHED = _("Chỉ đánh giá được hồ sơ đã xử lý xong hoặc đã trả kết quả.")
BAD_SCORE = _("Điểm đánh giá phải từ 1 đến 5.")
UNKNOWN_CRITERION = _("Tiêu chí đánh giá không hợp lệ (attitude, timeliness, guidance).")
COMMENT_TOO_LONG = _("Góp ý tối đa 1000 ký tự.")
BAD_SOURCE = _("Nguồn đánh giá không hợp lệ.")


def _clean_criteria(criteria: dict | None) -> dict[str, int | None]:
    criteria = {k: v for k, v in (criteria or {}).items() if v not in (None, "")}
    unknown = set(criteria) - set(CRITERIA)
    if unknown:
        raise InvalidInput(UNKNOWN_CRITERION, fields={"criteria": UNKNOWN_CRITERION})
    cleaned = {}
    for name in CRITERIA:
        value = criteria.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5):
            raise InvalidInput(BAD_SCORE, fields={f"criteria.{name}": BAD_SCORE})
        cleaned[name] = value
    return cleaned


def _check(dossier: Dossier, comment: str, source: str) -> None:
    if source not in Rating.Source.values:
        raise InvalidInput(BAD_SOURCE, fields={"source": BAD_SOURCE})
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(COMMENT_TOO_LONG, fields={"comment": COMMENT_TOO_LONG})
    if dossier.status not in RATABLE:
        raise Conflict(NOT_FINISHED, code="not_finished")
    if Rating.objects.filter(dossier=dossier).exists():
        raise Conflict(ALREADY_RATED, code="already_rated")


@transaction.atomic
def rating_submit(
    *,
    dossier: Dossier,
    satisfied: bool,
    criteria: dict | None = None,
    comment: str = "",
    source: str,
    actor=None,
) -> Rating:
    """Record the applicant's rating of a finished dossier (once); "not satisfied" alerts the leaders."""
    comment = (comment or "").strip()
    scores = _clean_criteria(criteria)
    _check(dossier, comment, source)
    try:
        with transaction.atomic():  # a concurrent second rating loses on the unique constraint
            rating = Rating.objects.create(
                dossier=dossier, unit=dossier.lead_unit, satisfied=satisfied, comment=comment, source=source, **scores
            )
    except IntegrityError as exc:
        raise Conflict(ALREADY_RATED, code="already_rated") from exc
    event_record(
        dossier=dossier,
        action="rating",
        actor=actor,
        at=rating.created_at,
        from_status=dossier.status,
        to_status=dossier.status,
        data={"satisfied": satisfied, "source": source, **{k: v for k, v in scores.items() if v}},
        is_public=False,
    )
    if not satisfied:
        rating_alert_leaders(rating=rating)
    return rating


def unit_leaders(unit):
    return (
        get_user_model()
        .objects.filter(memberships__unit=unit, groups__name=UNIT_LEADER, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def rating_alert_leaders(*, rating: Rating) -> list[OutboxMessage]:
    """Email the leaders of the dossier's lead unit through the outbox (once per leader)."""
    dossier = rating.dossier
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "rating": rating,
            "dossier": dossier,
            "url": settings.PORTAL_PUBLIC_BASE_URL + reverse("staff:dossier", args=[dossier.code]),
        }
        body = render_to_string("feedback/email/rating_not_satisfied.txt", context).strip()
    subject = body.splitlines()[0][:255]
    messages = []
    for leader in unit_leaders(rating.unit):
        message, created = OutboxMessage.objects.get_or_create(
            dedup_key=f"rating:{rating.pk}:{leader.pk}",
            defaults={
                "dossier": dossier,
                "channel": OutboxMessage.Channel.EMAIL,
                "recipient": leader.email,
                "subject": subject,
                "body": body,
                "created_at": timezone.now(),
            },
        )
        if created:
            outbox_kick_on_commit()
        messages.append(message)
    return messages
