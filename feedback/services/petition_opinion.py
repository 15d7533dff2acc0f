"""The petitioner's opinion of the answer (Decision 766 §5.3: answered petitions count against the
unit when answered late or when the petitioner says the answer does not satisfy them)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.errors import InvalidTransition

from ..models import Petition
from .petitions import _event

NOT_RATEABLE = _("Chỉ đánh giá được phản ánh đã có trả lời, và chỉ một lần.")


@transaction.atomic
def petition_rate_answer(*, petition_id: int, satisfied: bool, at: datetime | None = None) -> Petition:
    """The petitioner's opinion of the answer (766 §5.3): once, after the answer."""
    petition = Petition.objects.select_for_update().get(pk=petition_id)
    if not petition.is_rateable:
        raise InvalidTransition(NOT_RATEABLE)
    at = at or timezone.now()
    petition.citizen_satisfied, petition.citizen_rated_at = satisfied, at
    petition.save(update_fields=["citizen_satisfied", "citizen_rated_at"])
    label = _("Người gửi hài lòng với trả lời") if satisfied else _("Người gửi không hài lòng với trả lời")
    _event(
        petition, "rate_answer", actor=None, at=at, from_status=petition.status, text=str(label),
        data={"satisfied": satisfied},
    )  # fmt: skip
    return petition
