"""Who works on a dossier now: an officer of the unit holding it claims it, or the unit's
leader assigns it to one of its officers. The current step's receiver is that officer, so a
late step is attributed to them (services.watch), and the trail records who gave it to whom."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import OFFICERS, grant_of
from ..errors import Forbidden, InvalidInput, InvalidTransition
from ..models import OPEN, Dossier
from ..people import person_name
from ..roles import UNIT_LEADER
from .events import event_record
from .routing import _bump, _lock, current_step

NOT_OPEN = _("Hồ sơ đã kết thúc xử lý: không còn việc để giao.")
NOT_HOLDING = _("Chỉ cán bộ của đơn vị đang giữ hồ sơ được nhận xử lý hồ sơ này.")
NOT_LEADER = _("Chỉ lãnh đạo của đơn vị đang giữ hồ sơ được phân công xử lý.")
NOT_AN_OFFICER = _("Người được phân công phải là cán bộ của đơn vị đang giữ hồ sơ.")
ALREADY = _("Hồ sơ đã được giao cho người này.")


@transaction.atomic
def dossier_assign(*, dossier_id: int, actor: User, assignee, reason: str = "", version: int | None = None) -> Dossier:
    """Give the dossier's current step to `assignee`; `assignee == actor` is a claim."""
    dossier = _lock(dossier_id, version)
    if dossier.status not in OPEN:
        raise InvalidTransition(NOT_OPEN)
    claim = assignee.pk == actor.pk
    _authorise(dossier, actor=actor, assignee=assignee, claim=claim)
    if dossier.assignee_id == assignee.pk:
        raise InvalidInput(ALREADY, fields={"assignee": ALREADY})
    step = current_step(dossier)
    if step is not None:
        step.receiver = assignee
        step.save(update_fields=["receiver"])
    dossier.assignee = assignee
    dossier.save(update_fields=["assignee", "updated_at"])
    event_record(
        dossier=dossier,
        action="claim" if claim else "assign",
        actor=actor,
        at=timezone.now(),
        from_status=dossier.status,
        to_status=dossier.status,
        reason=(reason or "").strip()[:2000],
        data={"assignee": assignee.get_username(), "assignee_name": person_name(assignee), "step": step and step.name},
        is_public=False,
    )
    return _bump(dossier)


def _authorise(dossier: Dossier, *, actor: User, assignee, claim: bool) -> None:
    unit = dossier.current_unit_id
    if claim and not grant_of(actor).acts_in(unit, OFFICERS):
        raise Forbidden(NOT_HOLDING)
    if not claim and not grant_of(actor).acts_in(unit, {UNIT_LEADER}):
        raise Forbidden(NOT_LEADER)
    if not assignee.is_active or not grant_of(assignee).acts_in(unit, OFFICERS):
        raise InvalidInput(NOT_AN_OFFICER, fields={"assignee": NOT_AN_OFFICER})


def assignable_officers(dossier: Dossier):
    """The officers a leader may give the dossier to: active members of the unit holding it
    with an officer role."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__unit_id=dossier.current_unit_id, groups__name__in=sorted(OFFICERS))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
