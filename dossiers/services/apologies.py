"""Apologies and new appointments (Mẫu 04; Decree 61/2018 art. 19 as amended by Decree 107/2021,
kept by Decree 118/2025).

The unit at fault — the one whose routing step overran its budget (services.fault) — drafts
it before (or, late, after) the appointment passes; its head signs (the role in
`PORTAL_APOLOGY_SIGNER_ROLE`), or returns the draft with a comment, or edits it; the citizen
is told by their channel through the outbox; the new appointment enters the clock ledger as
an extension. A dossier gets `PORTAL_MAX_EXTENSIONS` new appointments (1 by default: the
appointment is given again once). `due_at_original` stays, so KPIs still measure lateness
against the first appointment, and every Mẫu 04 names it.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import grant_of
from ..calendar import LOCAL_TZ, CalendarError
from ..calendar_store import calendar_for
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..models import OPEN, Apology, ClockEntry, Dossier, Unit
from ..roles import COUNTER_CLERK, SPECIALIST, UNIT_LEADER
from .clock_sync import dossier_clock_sync
from .events import clock_record, event_record
from .fault import unit_at_fault
from .lookup import public_answers_forget_on_commit
from .notify import outbox_enqueue
from .timing import LAST_INSTANT, instant_checked

NOT_OPEN = _("Chỉ xin lỗi, hẹn lại với hồ sơ đang giải quyết.")
PAUSED = _("Hồ sơ đang tạm dừng chờ công dân: chưa có ngày hẹn để hẹn lại.")
CAP_REACHED = _("Hồ sơ đã được hẹn lại tối đa %(n)s lần.")
NEW_DUE_REQUIRED = _("Nhập ngày hẹn mới hoặc số ngày làm việc gia hạn.")
NEW_DUE_NOT_LATER = _("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm hiện tại.")
NEW_DUE_TOO_LATE = _("Ngày hẹn mới không được quá %(days)s ngày làm việc sau ngày hẹn hiện tại (muộn nhất %(latest)s).")
REASON_REQUIRED = _("Nhập lý do chậm trễ.")
NOT_AT_FAULT = _("Chỉ cán bộ của đơn vị làm trễ hạn (có bước xử lý quá thời gian) được soạn văn bản xin lỗi.")
LEADER_ONLY = _("Chỉ lãnh đạo đơn vị xin lỗi được ký văn bản.")
NOT_DRAFT = _("Văn bản này đã được ký hoặc đã hủy.")
NOT_EDITABLE = _("Chỉ sửa được văn bản chưa ký, bởi đơn vị xin lỗi.")
COMMENT_REQUIRED = _("Nhập ý kiến để người soạn sửa lại văn bản.")


def _lock_dossier(dossier_id: int) -> Dossier:
    dossier = Dossier.objects.select_for_update().select_related("procedure", "lead_unit").filter(pk=dossier_id).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    if dossier.status not in OPEN:
        raise Conflict(NOT_OPEN)
    if dossier.due_at is None:
        raise Conflict(PAUSED)
    return dossier


def _member(user: User, unit_id: int, roles: set[str]) -> bool:
    return grant_of(user).acts_in(unit_id, roles)


DRAFTERS = {COUNTER_CLERK, SPECIALIST, UNIT_LEADER}


def signer_roles() -> set[str]:
    """The role of the head who signs Mẫu 04 for the unit at fault (configurable)."""
    return {settings.PORTAL_APOLOGY_SIGNER_ROLE}


def apology_unit(dossier: Dossier, *, at: datetime | None = None) -> Unit:
    """The unit that apologises: the one whose step overran its budget (services.fault)."""
    return unit_at_fault(dossier, at=at or timezone.now())


def apology_can_draft(user: User, dossier: Dossier) -> bool:
    """Staff of the unit at fault may draft."""
    return _member(user, apology_unit(dossier).pk, DRAFTERS)


def apology_can_sign(user: User, apology: Apology) -> bool:
    """Only the head of the apologising unit signs (or returns), and only a draft."""
    return apology.status == Apology.Status.DRAFT and _member(user, apology.unit_id, signer_roles())


def apology_can_edit(user: User, apology: Apology) -> bool:
    """A draft not yet signed (or one returned) is edited by its unit's staff or head."""
    editable = apology.status in (Apology.Status.DRAFT, Apology.Status.RETURNED)
    return editable and _member(user, apology.unit_id, DRAFTERS | signer_roles())


def _current_due(dossier: Dossier) -> datetime:
    """The appointment an apology moves; a paused dossier has none (its callers check first)."""
    if dossier.due_at is None:
        raise Conflict(PAUSED)
    return dossier.due_at


def new_due_for(dossier: Dossier, extension_days: Decimal):
    """The engine's proposal: the current appointment plus `extension_days` working days."""
    cal = calendar_for(dossier.lead_unit)
    return cal.instant(cal.position(_current_due(dossier)) + int(extension_days * cal.day_seconds))


def latest_new_due(dossier: Dossier):
    """The latest new appointment allowed: PORTAL_MAX_EXTENSION_DAYS working days after the current one
    (the staff form's and the API's limit alike), and within the working calendar's years."""
    try:
        return min(new_due_for(dossier, Decimal(settings.PORTAL_MAX_EXTENSION_DAYS)), LAST_INSTANT)
    except CalendarError:
        return LAST_INSTANT


def new_due_checked(dossier: Dossier, new_due_at):
    """`new_due_at` (any offset) in UTC, later than now and the current appointment, not later than
    `latest_new_due`; else 422 on `new_due_at`."""
    new_due_at = instant_checked(new_due_at, field="new_due_at")
    if new_due_at <= dossier.due_at or new_due_at <= timezone.now():
        raise InvalidInput(NEW_DUE_NOT_LATER, fields={"new_due_at": NEW_DUE_NOT_LATER})
    latest = latest_new_due(dossier)
    if new_due_at > latest:
        local = latest.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
        message = NEW_DUE_TOO_LATE % {"days": settings.PORTAL_MAX_EXTENSION_DAYS, "latest": local}
        raise InvalidInput(message, fields={"new_due_at": message})
    return new_due_at


def _check_draft(dossier: Dossier, *, reason: str) -> None:
    cap = settings.PORTAL_MAX_EXTENSIONS
    if dossier.extension_count >= cap:
        raise Conflict(CAP_REACHED % {"n": cap}, code="extension_cap")
    if not reason:
        raise InvalidInput(REASON_REQUIRED, fields={"reason": REASON_REQUIRED})


def _extended(dossier: Dossier, extension_days) -> object:
    try:
        return new_due_for(dossier, Decimal(extension_days))
    except CalendarError:  # past the calendar's last year: refused as such by new_due_checked
        return LAST_INSTANT + timedelta(days=1)


def _draft_terms(
    dossier: Dossier, *, reason: str, extension_days: Decimal | None, new_due_at: datetime | None
) -> tuple[str, datetime]:
    """A draft's reason, trimmed, and its new due date, given or worked out from `extension_days`:
    checked alike when the draft is written and when it is reworked."""
    if new_due_at is None and extension_days is None:
        raise InvalidInput(NEW_DUE_REQUIRED, fields={"new_due_at": NEW_DUE_REQUIRED})
    reason = (reason or "").strip()
    _check_draft(dossier, reason=reason)
    return reason, new_due_checked(dossier, new_due_at or _extended(dossier, extension_days))


@transaction.atomic
def apology_draft(
    *,
    dossier_id: int,
    actor: User,
    reason: str,
    extension_days: Decimal | None = None,
    new_due_at: datetime | None = None,
) -> Apology:
    """The unit holding the dossier drafts the apology; the new date is computed unless given."""
    dossier = _lock_dossier(dossier_id)
    if not apology_can_draft(actor, dossier):
        raise Forbidden(NOT_AT_FAULT)
    reason, new_due_at = _draft_terms(dossier, reason=reason, extension_days=extension_days, new_due_at=new_due_at)
    now = timezone.now()
    apology = Apology.objects.create(
        dossier=dossier,
        unit=apology_unit(dossier, at=now),
        reason=reason,
        original_due_at=_current_due(dossier),
        extension_days=extension_days,
        new_due_at=new_due_at,
        drafted_by=actor,
        drafted_at=now,
    )
    event_record(
        dossier=dossier,
        action="apology_draft",
        actor=actor,
        at=now,
        reason=reason,
        data={"apology": apology.pk, "new_due_at": new_due_at.isoformat()},
        is_public=False,
    )
    return apology


def _lock_apology(apology_id: int) -> tuple[Apology, Dossier]:
    apology = Apology.objects.select_for_update().filter(pk=apology_id).first()
    if apology is None:
        raise NotFound(_("Không tìm thấy văn bản xin lỗi."))
    return apology, _lock_dossier(apology.dossier_id)


@transaction.atomic
def apology_return(*, apology_id: int, actor: User, comment: str) -> Apology:
    """The head sends a draft back to its unit with a comment; nothing is issued."""
    apology, dossier = _lock_apology(apology_id)
    if apology.status != Apology.Status.DRAFT:
        raise Conflict(NOT_DRAFT)
    if not apology_can_sign(actor, apology):
        raise Forbidden(LEADER_ONLY)
    comment = (comment or "").strip()[:2000]
    if not comment:
        raise InvalidInput(COMMENT_REQUIRED, fields={"comment": COMMENT_REQUIRED})
    apology.status, apology.review_comment = Apology.Status.RETURNED, comment
    apology.save(update_fields=["status", "review_comment"])
    _apology_event(dossier, "apology_return", actor, reason=comment, apology=apology)
    return apology


@transaction.atomic
def apology_edit(
    *,
    apology_id: int,
    actor: User,
    reason: str,
    extension_days: Decimal | None = None,
    new_due_at: datetime | None = None,
) -> Apology:
    """Rework a draft (the head's own edit, or the unit's after a return): it waits for signature again."""
    apology, dossier = _lock_apology(apology_id)
    if not apology_can_edit(actor, apology):
        raise Forbidden(NOT_EDITABLE)
    reason, new_due_at = _draft_terms(dossier, reason=reason, extension_days=extension_days, new_due_at=new_due_at)
    before = {"reason": apology.reason, "new_due_at": apology.new_due_at.isoformat()}
    apology.reason, apology.extension_days, apology.new_due_at = reason, extension_days, new_due_at
    apology.original_due_at, apology.status = _current_due(dossier), Apology.Status.DRAFT
    apology.save(update_fields=["reason", "extension_days", "new_due_at", "original_due_at", "status"])
    _apology_event(dossier, "apology_edit", actor, reason=reason, apology=apology, before=before)
    return apology


def _apology_event(dossier: Dossier, action: str, actor: User, *, reason: str, apology: Apology, **data) -> None:
    data = {"apology": apology.pk, "new_due_at": apology.new_due_at.isoformat(), **data}
    event_record(
        dossier=dossier, action=action, actor=actor, at=timezone.now(), reason=reason, data=data, is_public=False
    )


@transaction.atomic
def apology_sign(*, apology_id: int, actor: User) -> Apology:
    """The head signs: the apology is issued, sent, and the appointment moves."""
    apology, dossier = _lock_apology(apology_id)
    if apology.status != Apology.Status.DRAFT:
        raise Conflict(NOT_DRAFT)
    if not apology_can_sign(actor, apology):
        raise Forbidden(LEADER_ONLY)
    new_due_checked(dossier, apology.new_due_at)  # still within the limits (a draft made before them)
    now = timezone.now()
    apology.status, apology.signed_by, apology.issued_at = Apology.Status.SIGNED, actor, now
    apology.issued_after_due = now > apology.original_due_at
    apology.number = f"{apology.pk}/{now:%Y}/VBXL-{apology.unit.code}"
    apology.save()
    clock_record(
        dossier=dossier,
        kind=ClockEntry.Kind.EXTEND,
        at=now,
        data={"due_at": apology.new_due_at.isoformat(), "apology": apology.pk},
    )
    dossier.extension_count += 1
    dossier.version += 1
    dossier.save(update_fields=["extension_count", "version", "updated_at"])
    dossier_clock_sync(dossier=dossier, at=now)
    public_answers_forget_on_commit(dossier.code)
    event_record(
        dossier=dossier,
        action="apology",
        actor=actor,
        at=now,
        reason=apology.reason,
        data={
            "apology": apology.pk,
            "number": apology.number,
            "original_due_at": apology.original_due_at.isoformat(),
            "new_due_at": apology.new_due_at.isoformat(),
        },
    )
    outbox_enqueue(
        dossier=dossier,
        kind="apology",
        ref=str(apology.pk),
        context={"reason": apology.reason, "new_due_at": apology.new_due_at},
    )
    return apology


def apology_issue(*, dossier_id: int, actor: User, reason: str, new_due_at: datetime) -> Apology:
    """Draft and sign in one step (a leader of the unit at fault, e.g. through the API)."""
    with transaction.atomic():
        apology = apology_draft(dossier_id=dossier_id, actor=actor, reason=reason, new_due_at=new_due_at)
        return apology_sign(apology_id=apology.pk, actor=actor)
