"""Flag overdue petitions, as the dossiers' watch does: set-based, idempotent, with history."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Petition, PetitionEvent


@transaction.atomic
def petition_flag(*, at: datetime | None = None) -> int:
    """Mark the petitions past their stage's deadline and not yet flagged; returns how many."""
    at = at or timezone.now()
    due = Petition.objects.overdue(at=at).filter(overdue_flagged_at=None)
    rows = list(due.select_for_update().values("id", "status", "is_public", "answer_by", "publish_by"))
    Petition.objects.filter(pk__in=[r["id"] for r in rows]).update(overdue_flagged_at=at)
    PetitionEvent.objects.bulk_create(
        PetitionEvent(
            petition_id=r["id"],
            action="flag_overdue",
            from_status=r["status"],
            to_status=r["status"],
            at=_deadline(r),
            recorded_at=at,
            data={"deadline": "publish_by" if r["status"] == Petition.Status.ANSWERED else "answer_by"},
            is_public=False,
        )
        for r in rows
    )
    return len(rows)


def _deadline(row: dict):
    return row["publish_by"] if row["status"] == Petition.Status.ANSWERED else row["answer_by"]
