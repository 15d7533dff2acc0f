"""The petition state machine as data, in the shape of dossiers/workflow.py: one row per action.

A row says which statuses the action leaves and the one it reaches, whether a text is required
(the reason, the information asked for, the answer), whether the petition's 15 working days
start again (shared/docs/domain.md, "Citizen feedback"), what the staff form asks besides the
text, and the staff's words. The services (services.petitions), the API and the staff page read
it; each action keeps its own write path (`petition_<verb>`).
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Petition, PetitionStatus

S = PetitionStatus

# What the staff form asks for besides the text (templates/feedback/staff_petition.html).
PUBLISH = "publish"  # make the answer public on the portal
TO_UNIT = "to_unit"  # the unit competent for the petition
ASKS = (PUBLISH, TO_UNIT)


@dataclass(frozen=True)
class PetitionAction:
    name: str
    sources: frozenset[str]
    target: str
    label: Promise  # the staff's words: button, history
    text: bool = False  # a text is required
    restarts_clock: bool = False  # the 15 working days start again (in the unit it ends up with)
    asks: frozenset[str] = field(default_factory=frozenset)


OPEN = frozenset({S.RECEIVED, S.INFO_REQUESTED})

PETITION_ACTIONS: dict[str, PetitionAction] = {
    a.name: a
    for a in (
        PetitionAction("reject", OPEN, S.REJECTED, _("Từ chối xử lý"), text=True),
        PetitionAction(
            "request_info", frozenset({S.RECEIVED}), S.INFO_REQUESTED, _("Đề nghị bổ sung thông tin"), text=True
        ),
        PetitionAction(
            "supply_info",
            frozenset({S.INFO_REQUESTED}),
            S.RECEIVED,
            _("Ghi nhận thông tin công dân bổ sung"),
            text=True,
            restarts_clock=True,
        ),
        PetitionAction(
            "transfer",
            OPEN,
            S.RECEIVED,
            _("Chuyển đơn vị có thẩm quyền"),
            text=True,
            restarts_clock=True,
            asks=frozenset({TO_UNIT}),
        ),
        PetitionAction("answer", OPEN, S.ANSWERED, _("Trả lời"), text=True, asks=frozenset({PUBLISH})),
        PetitionAction("publish", frozenset({S.ANSWERED}), S.PUBLISHED, _("Công khai trả lời")),
    )
}

# History events that are no transition: the staff's words for them.
PETITION_EVENTS: dict[str, str | Promise] = {
    "submit": _("Gửi phản ánh"),
    "flag_overdue": _("Cảnh báo quá hạn"),
    "rate_answer": _("Người gửi đánh giá trả lời"),
}


def allowed_actions(petition: Petition) -> list[PetitionAction]:
    if petition.status == S.ANSWERED and not petition.is_public:
        return []  # answered privately: nothing left to do
    return [action for action in PETITION_ACTIONS.values() if petition.status in action.sources]


def event_label(code: str) -> str | Promise:
    """The staff's words for a petition's history event (its code when it has none)."""
    action = PETITION_ACTIONS.get(code)
    return action.label if action else PETITION_EVENTS.get(code, code)
