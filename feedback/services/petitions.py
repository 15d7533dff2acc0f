"""Petitions (phản ánh, kiến nghị): intake, routing, their own clock and the handling steps.

shared/docs/domain.md, "Citizen feedback": reject within 2 working days, ask for more
information within 5, answer within 15, publish the answer within 2 of it being ready,
each counted in the working calendar of the unit the petition is routed to. The 15 days
restart when the petition is transferred to another unit and when the citizen supplies the
information asked for; while the citizen holds it, it cannot be overdue (docs/rules-766.md).
"""

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dossiers.access import may_handle_petition
from dossiers.calendar import LOCAL_TZ, WORKING_DAYS, compute_due
from dossiers.calendar_store import calendar_for
from dossiers.errors import FORBIDDEN, UNKNOWN_PROCEDURE, UNKNOWN_UNIT, Forbidden, InvalidInput, InvalidTransition
from dossiers.models import Dossier, Procedure, Unit
from dossiers.services.codes import lookup_key_new
from dossiers.services.lookup import public_dossier

from ..models import ANSWER_MAX, CONTENT_MAX, SUBJECT_MAX, Petition, PetitionEvent, PetitionSequence
from ..workflow import PETITION_ACTIONS, PUBLISH, TO_UNIT, allowed_actions

REJECT_DAYS, INFO_DAYS, ANSWER_DAYS, PUBLISH_DAYS = 2, 5, 15, 2

REQUIRED = _("Trường này là bắt buộc.")
TOO_LONG = _("Quá dài: tối đa %(max)d ký tự.")
BAD_PHONE = _("Số điện thoại chỉ gồm 8–15 chữ số.")
BAD_EMAIL = _("Địa chỉ thư điện tử không hợp lệ.")
BAD_ABOUT = _("Nội dung phản ánh về: quy định, đơn vị, cán bộ hoặc hồ sơ.")
NO_UNIT = _("Chưa có Trung tâm Phục vụ hành chính công cấp tỉnh để nhận phản ánh.")
NOT_NOW = _("Không thể thực hiện thao tác này ở trạng thái hiện tại của phản ánh.")
TEXT_REQUIRED = _("Cần nhập nội dung (lý do, thông tin cần bổ sung hoặc nội dung trả lời).")
UNKNOWN_ACTION = _("Thao tác không hợp lệ.")
PETITION_NOT_FOUND = _("Không tìm thấy phản ánh hoặc bạn không có quyền xem.")
SAME_UNIT = _("Phản ánh đang ở đơn vị này; chọn đơn vị khác để chuyển.")

# field: (max length, required)
LIMITS = {
    "subject": (SUBJECT_MAX, True),
    "content": (CONTENT_MAX, True),
    "name": (200, True),
    "phone": (20, False),
    "email": (254, False),
    "officer_name": (200, False),
}


# -- intake -------------------------------------------------------------------------------


def petition_code_new(*, at: datetime) -> str:
    """PAKN-YYMMDD-NNNN: a gapless daily sequence (the row stays locked until commit)."""
    day = at.astimezone(LOCAL_TZ).date()
    table = PetitionSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 (table name is ours)
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        number = cursor.fetchone()[0]
    return f"PAKN-{day:%y%m%d}-{number:04d}"


def _clean(values: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    problems: dict[str, str | Promise] = {}
    for name, (limit, required) in LIMITS.items():
        value = (values.get(name) or "").strip()
        if required and not value:
            problems[name] = REQUIRED
        elif len(value) > limit:
            problems[name] = TOO_LONG % {"max": limit}
        cleaned[name] = value
    phone = cleaned["phone"].replace(" ", "").replace(".", "")
    if phone and not (phone.isdigit() and 8 <= len(phone) <= 15):
        problems.setdefault("phone", BAD_PHONE)
    cleaned["phone"] = phone
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            problems.setdefault("email", BAD_EMAIL)
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return cleaned


def provincial_centre() -> Unit:
    centre = Unit.objects.centres().filter(parent=None, level=Unit.Level.PROVINCE, is_active=True).first()
    if centre is None:
        raise InvalidInput(NO_UNIT, fields={"unit_code": NO_UNIT})
    return centre


def petition_route(*, unit_code: str = "", dossier: Dossier | None = None, procedure: Procedure | None = None) -> Unit:
    """The unit concerned: the one named, else the dossier's lead unit, the procedure's agency, the centre."""
    if unit_code:
        unit = Unit.objects.filter(code=unit_code.strip(), is_active=True).first()
        if unit is None:
            raise InvalidInput(UNKNOWN_UNIT, fields={"unit_code": UNKNOWN_UNIT})
        return unit
    if dossier is not None:
        return dossier.lead_unit or dossier.current_unit
    if procedure is not None and procedure.lead_agency is not None:
        return procedure.lead_agency
    return provincial_centre()


def _procedure(code: str) -> Procedure | None:
    if not code:
        return None
    procedure = Procedure.objects.filter(national_code=code.strip()).select_related("lead_agency").first()
    if procedure is None:
        raise InvalidInput(UNKNOWN_PROCEDURE, fields={"procedure_code": UNKNOWN_PROCEDURE})
    return procedure


def _about(about: str, *, dossier_ref: str, officer_name: str, procedure) -> str:
    if about:
        if about not in Petition.About.values:
            raise InvalidInput(BAD_ABOUT, fields={"about": BAD_ABOUT})
        return about
    if dossier_ref:
        return Petition.About.DOSSIER
    if officer_name:
        return Petition.About.OFFICER
    return Petition.About.PROCEDURE if procedure else Petition.About.UNIT


def working_days_after(unit: Unit, start: datetime, days: int) -> datetime:
    # No pauses given, so a due time always (None only while a pause is open).
    return cast(datetime, compute_due(calendar_for(unit), start, days, WORKING_DAYS))


@transaction.atomic
def petition_submit(
    *,
    subject: str,
    content: str,
    name: str,
    phone: str = "",
    email: str = "",
    unit_code: str = "",
    dossier_code: str = "",
    procedure_code: str = "",
    officer_name: str = "",
    about: str = "",
    dossier_key: str = "",
    at: datetime | None = None,
) -> Petition:
    """Receive a citizen's petition, route it and start its clock.

    A dossier is linked (and the petition routed to its agency) only with its lookup key or its
    applicant's ID number, as the status lookup asks: without them a dossier code is kept as typed
    and not looked at, so neither the routing, the deadlines nor the follow page tell whether a
    (guessable) code exists or which agency holds it.
    """
    values = _clean(
        {"subject": subject, "content": content, "name": name, "phone": phone, "email": email}
        | {"officer_name": officer_name}
    )
    dossier_ref = (dossier_code or "").strip()[:48]
    dossier = public_dossier(code=dossier_ref, key=dossier_key) if dossier_ref and dossier_key else None
    procedure = _procedure(procedure_code) or (dossier.procedure if dossier else None)
    unit = petition_route(unit_code=unit_code, dossier=dossier, procedure=procedure)
    at = at or timezone.now()
    petition = Petition.objects.create(
        code=petition_code_new(at=at),
        key=lookup_key_new(),
        about=_about(about, dossier_ref=dossier_ref, officer_name=values["officer_name"], procedure=procedure),
        procedure=procedure,
        dossier_ref=dossier_ref,
        dossier=dossier,
        unit=unit,
        received_at=at,
        **clock_start(unit, at),
        **values,
    )
    _event(petition, "submit", actor=None, at=at, from_status="", text="", data=_clock_data(petition))
    return petition


def clock_start(unit: Unit, at: datetime) -> dict:
    """The deadlines of a petition whose clock (re)starts at `at` with `unit`."""
    return {
        "clock_from": at,
        "reject_by": working_days_after(unit, at, REJECT_DAYS),
        "info_by": working_days_after(unit, at, INFO_DAYS),
        "answer_by": working_days_after(unit, at, ANSWER_DAYS),
    }


def _clock_data(petition: Petition) -> dict:
    """What the history keeps of a (re)started clock: the unit and the answer deadline, so the
    766 §5.2 figures can judge the petition at any past moment (feedback.kpi)."""
    return {"unit": petition.unit_id, "answer_by": petition.answer_by.isoformat()}


def petition_for_citizen(*, code: str, key: str) -> Petition | None:
    """The petition when `key` is its follow-up key; an unknown code takes the same path."""
    code, key = (code or "").strip()[:24], (key or "").strip().upper()[:16]
    row = Petition.objects.filter(code=code).values("pk", "key").first() or {"pk": None, "key": "#" * 8}
    same = hmac.compare_digest(key.encode(), row["key"].encode())
    if row["pk"] is None or not key or not same:
        return None
    return Petition.objects.select_related("unit", "procedure").get(pk=row["pk"])


# -- handling -----------------------------------------------------------------------------


def may_handle(user, petition: Petition) -> bool:
    """Leaders and specialists of the petition's unit (superusers: all): dossiers/access.py."""
    return may_handle_petition(user, petition)


def _event(petition: Petition, action: str, *, actor, at, from_status: str, text: str, data=None) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition,
        action=action,
        from_status=from_status,
        to_status=petition.status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        recorded_at=timezone.now(),
        text=text,
        data=data or {},
    )


def _transition(*, petition_id: int, action: str, actor, text: str, at, apply, data=None) -> Petition:
    """Lock, check, apply the action's changes (`apply` returns the fields it changed and may
    fill `data`, kept on the event), restart the clock where the action's row says so, save, record."""
    petition = Petition.objects.select_for_update().select_related("unit").get(pk=petition_id)
    row = PETITION_ACTIONS[action]
    if not may_handle(actor, petition):
        raise Forbidden(FORBIDDEN)
    if row not in allowed_actions(petition):
        raise InvalidTransition(NOT_NOW)
    text = (text or "").strip()
    if row.text and not text:
        raise InvalidInput(TEXT_REQUIRED, fields={"text": TEXT_REQUIRED})
    if len(text) > ANSWER_MAX:
        raise InvalidInput(TOO_LONG % {"max": ANSWER_MAX}, fields={"text": TOO_LONG % {"max": ANSWER_MAX}})
    at, from_status = at or timezone.now(), petition.status
    petition.status = row.target
    data = {} if data is None else data
    changed = apply(petition, at, text)
    if row.restarts_clock:
        changed = [*changed, *_restart(petition, at, data)]
    petition.save(update_fields=["status", *changed])
    _event(petition, action, actor=actor, at=at, from_status=from_status, text=text, data=data)
    return petition


RESTARTED = ["clock_from", "reject_by", "info_by", "answer_by", "overdue_flagged_at"]


def _restart(petition: Petition, at, data: dict) -> list[str]:
    """The 15 working days start again at `at` in the calendar of the petition's (new) unit; the
    overdue flag is cleared."""
    for name, value in clock_start(petition.unit, at).items():
        setattr(petition, name, value)
    petition.overdue_flagged_at = None
    data.update(_clock_data(petition))
    return RESTARTED


@transaction.atomic
def petition_supply_info(*, petition_id: int, actor, text: str, at: datetime | None = None) -> Petition:
    """The citizen supplied the information asked for: back with the unit, 15 days from now."""
    return _transition(
        petition_id=petition_id, action="supply_info", actor=actor, text=text, at=at, apply=lambda *a: []
    )


@transaction.atomic
def petition_transfer(*, petition_id: int, actor, to_unit_code: str, text: str, at: datetime | None = None) -> Petition:
    """Send the petition to the unit competent for it; that unit's 15 days start now."""
    unit = Unit.objects.filter(code=(to_unit_code or "").strip(), is_active=True).first()
    if unit is None:
        raise InvalidInput(UNKNOWN_UNIT, fields={"to_unit_code": UNKNOWN_UNIT})
    data: dict = {}

    def apply(petition: Petition, at, text: str) -> list[str]:
        if petition.unit_id == unit.pk:
            raise InvalidInput(SAME_UNIT, fields={"to_unit_code": SAME_UNIT})
        data["from_unit"] = petition.unit.code
        data["to_unit"] = unit.code
        petition.unit = unit
        return ["unit"]

    return _transition(
        petition_id=petition_id, action="transfer", actor=actor, text=text, at=at, apply=apply, data=data
    )


@transaction.atomic
def petition_reject(*, petition_id: int, actor, text: str, at: datetime | None = None) -> Petition:
    return _transition(petition_id=petition_id, action="reject", actor=actor, text=text, at=at, apply=lambda *a: [])


@transaction.atomic
def petition_request_info(*, petition_id: int, actor, text: str, at: datetime | None = None) -> Petition:
    return _transition(
        petition_id=petition_id, action="request_info", actor=actor, text=text, at=at, apply=lambda *a: []
    )


@transaction.atomic
def petition_answer(
    *, petition_id: int, actor, text: str, publish: bool = True, at: datetime | None = None
) -> Petition:
    """Answer; `publish` says the answer is to be made public (within 2 working days)."""

    def apply(petition: Petition, at, text: str) -> list[str]:
        petition.answer, petition.answered_by, petition.answered_at = text, actor, at
        petition.is_public = publish
        petition.publish_by = working_days_after(petition.unit, at, PUBLISH_DAYS) if publish else None
        petition.overdue_flagged_at = None  # the answer stage is over; the publishing stage has its own flag
        return ["answer", "answered_by", "answered_at", "is_public", "publish_by", "overdue_flagged_at"]

    return _transition(petition_id=petition_id, action="answer", actor=actor, text=text, at=at, apply=apply)


@transaction.atomic
def petition_publish(*, petition_id: int, actor, text: str = "", at: datetime | None = None) -> Petition:
    def apply(petition: Petition, at, text: str) -> list[str]:
        petition.published_at = at
        return ["published_at"]

    return _transition(petition_id=petition_id, action="publish", actor=actor, text=text, at=at, apply=apply)


def petition_act(
    *, petition_id: int, action: str, actor, text: str = "", publish: bool = True, to_unit_code: str = ""
) -> Petition:
    """One entry for the API and the staff page: the action's service, given what its row asks for."""
    row = PETITION_ACTIONS.get(action)
    if row is None:
        raise InvalidInput(UNKNOWN_ACTION, fields={"action": UNKNOWN_ACTION})
    asked: dict[str, object] = {"publish": publish} if PUBLISH in row.asks else {}
    asked |= {"to_unit_code": to_unit_code} if TO_UNIT in row.asks else {}
    return SERVICES[action](petition_id=petition_id, actor=actor, text=text, **asked)


# The write path of each action in feedback.workflow.PETITION_ACTIONS.
SERVICES: dict[str, Callable[..., Petition]] = {
    "reject": petition_reject,
    "request_info": petition_request_info,
    "supply_info": petition_supply_info,
    "transfer": petition_transfer,
    "answer": petition_answer,
    "publish": petition_publish,
}
