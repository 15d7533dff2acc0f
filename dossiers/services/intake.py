"""Receiving dossiers at the counter, by post or online (Decree 118/2025, Mẫu 01–03)."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..access import role_in_unit_sql
from ..calendar_store import VERSION_COLUMNS, Versions, calendar_reader, versions_from_row
from ..db.insert import dossier_insert
from ..db.prepared import execute_prepared, model_from_row, select_list
from ..errors import InvalidInput
from ..models import (
    Channel,
    ClockEntry,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    Procedure,
    ReferenceVersion,
    ResultDelivery,
    Status,
    Unit,
    UnitMembership,
)
from ..roles import COUNTER_CLERK
from .applicants import Applicant
from .clock_sync import SYNCED, clock_apply, dossier_clock_read
from .codes import lookup_key_new
from .events import clock_new, event_new
from .fees import dossier_fee
from .hooks import DossierChange, change_rows, change_rows_all, change_written, dossier_changed
from .lookup import public_answers_forget_on_commit
from .notify import outbox_enqueue, outbox_kick_on_commit, outbox_messages
from .steps import steps_layout
from .timing import effective_time, go_live_of

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ClerkCheck(TypedDict):
    """What `receiving_units` adds to each unit: whose membership it checked, and the answer."""

    clerk_check_user: int
    clerk_check_answer: bool


INCOMPLETE = _("Hồ sơ chưa đủ thành phần: không tiếp nhận, hướng dẫn công dân bổ sung (Mẫu 02).")
NOT_A_CENTRE = _("Chỉ Trung tâm Phục vụ hành chính công hoặc Bộ phận Một cửa được tiếp nhận hồ sơ.")
NOT_CLERK = _("Chỉ cán bộ một cửa của đơn vị tiếp nhận được nhận hồ sơ.")
PROCEDURE_INACTIVE = _("Thủ tục này không còn áp dụng.")
BAD_SET_COUNT = _("Số bộ hồ sơ từ 1 đến 20.")
BAD_DELIVERY = _("Nhận kết quả tại Bộ phận Một cửa, qua bưu chính công ích hoặc trực tuyến.")
COMPETENT_NOT_COMMUNE = _("Cơ quan có thẩm quyền giải quyết phải là một đơn vị cấp xã đang hoạt động.")
COMPETENT_ONLY_COMMUNE = _(
    "Chỉ chọn cơ quan có thẩm quyền cho thủ tục cấp xã; thủ tục này do cơ quan chủ trì giải quyết."
)
COMPETENT_REQUIRED = _(
    "Thủ tục cấp xã nộp tại nơi không phải UBND xã có thẩm quyền: chọn xã, phường có thẩm quyền theo địa chỉ "
    "của người nộp."
)


@dataclass(frozen=True)
class HandedDocument:
    name: str
    copy_kind: str
    count: int = 1
    required_document_id: int | None = None


def missing_documents(procedure: Procedure, handed: list[HandedDocument]) -> list:
    """Mandatory documents of the procedure not in what was handed in."""
    given = {d.required_document_id for d in handed if d.required_document_id}
    return [d for d in procedure.documents.all() if d.is_mandatory and d.pk not in given]


def competent_authority(*, procedure: Procedure, receiving_unit: Unit, competent_unit: Unit | None) -> Unit:
    """Who decides the dossier, and so whose calendar, KPIs and apologies it is (its lead unit).

    Decree 118/2025 lets a citizen file anywhere in the province: a commune-level procedure
    handed in at the provincial centre or at another commune goes to the commune competent for
    the applicant's address, chosen at intake. Without a choice, a commune decides its own."""
    if competent_unit is not None:
        if procedure.level != Procedure.Level.COMMUNE:
            raise _competent_error(COMPETENT_ONLY_COMMUNE)
        if competent_unit.level != Unit.Level.COMMUNE or not competent_unit.is_active:
            raise _competent_error(COMPETENT_NOT_COMMUNE)
        return competent_unit
    decided_here = procedure.lead_agency is not None or receiving_unit.level == Unit.Level.COMMUNE
    if procedure.level == Procedure.Level.COMMUNE and not decided_here:
        raise _competent_error(COMPETENT_REQUIRED)
    return procedure.lead_agency or receiving_unit


def _competent_error(message) -> InvalidInput:
    return InvalidInput(message, fields={"competent_unit_code": message})


def _check_reception(*, procedure: Procedure, unit: Unit, actor, set_count: int, result_delivery: str) -> None:
    if not procedure.is_active:
        raise InvalidInput(PROCEDURE_INACTIVE, fields={"procedure_code": PROCEDURE_INACTIVE})
    if unit.kind != Unit.Kind.CENTRE:
        raise InvalidInput(NOT_A_CENTRE, fields={"receiving_unit_code": NOT_A_CENTRE})
    if not actor.is_superuser and not _is_clerk_of(actor, unit):
        raise InvalidInput(NOT_CLERK, fields={"receiving_unit_code": NOT_CLERK}, code="forbidden")
    if not 1 <= set_count <= 20:
        raise InvalidInput(BAD_SET_COUNT, fields={"set_count": BAD_SET_COUNT})
    if result_delivery not in ResultDelivery.values:
        raise InvalidInput(BAD_DELIVERY, fields={"result_delivery": BAD_DELIVERY})


def receiving_units(user, code: str | None) -> tuple[list["WithAnnotations[Unit, ClerkCheck]"], Versions]:
    """The unit with `code`, or else the centres `user` is a member of (a list, for the caller
    to tell none from several: at most two), each knowing whether `user` is one of its counter
    clerks (`clerk_check_answer`), and the calendar's and the catalogue's versions,
    as of one moment. One prepared statement: every receipt through the API starts with it."""
    rows = execute_prepared(_receiving_sql(by_code=bool(code)), [user.pk, COUNTER_CLERK, code or user.pk])
    units = []
    for row in rows:
        if row[len(VERSION_COLUMNS)] is not None:  # no unit: the versions alone
            unit = model_from_row(Unit, row[len(VERSION_COLUMNS) :])
            unit.clerk_check_user, unit.clerk_check_answer = user.pk, row[-1]
            units.append(unit)
    return units, versions_from_row(rows[0][: len(VERSION_COLUMNS)])


@cache
def _receiving_sql(*, by_code: bool) -> str:
    """Parameters: the user's id, the clerks' group, then the code (by_code) or the user's id."""
    units, memberships = Unit._meta.db_table, UnitMembership._meta.db_table
    clerk = role_in_unit_sql("u.id")
    match = (
        "u.code = %s"
        if by_code
        else f"u.kind = '{Unit.Kind.CENTRE.value}' AND EXISTS "
        f"(SELECT 1 FROM {memberships} m WHERE m.unit_id = u.id AND m.user_id = %s)"
    )
    versions = ", ".join(f"v.{column}" for column in VERSION_COLUMNS)
    return (
        f"SELECT {versions}, {select_list(Unit, 'u')}, {clerk} "  # noqa: S608
        f"FROM (SELECT 1) one LEFT JOIN {ReferenceVersion._meta.db_table} v ON v.id = 1 "
        f"LEFT JOIN {units} u ON {match} ORDER BY u.code LIMIT 2"
    )


def _is_clerk_of(actor, unit: Unit) -> bool:
    """Whether `actor` is a counter clerk of `unit`: already known when `receiving_units` fetched
    it, else asked with the same statement."""
    if getattr(unit, "clerk_check_user", None) == actor.pk:
        return cast("WithAnnotations[Unit, ClerkCheck]", unit).clerk_check_answer  # fetched for `actor`
    [checked], _versions = receiving_units(actor, unit.code)
    return checked.clerk_check_answer


@transaction.atomic
def dossier_receive(
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: Applicant,
    actor: User,
    channel: str = Channel.COUNTER,
    documents: list[HandedDocument] | None = None,
    received_at: datetime | None = None,
    set_count: int = 1,
    note: str = "",
    versions: Versions | None = None,
    fee=None,
    fee_exempt_reason: str = "",
    result_delivery: str | None = None,
    competent_unit: Unit | None = None,
) -> Dossier:
    """Receive a complete dossier: status 2, the clock started, the routing steps laid out, the
    citizen told (Mẫu 01). Everything is checked and worked out first, then written at once
    (`dossier_insert`), numbered.

    `versions`: as read by `versions_read` when the caller fetched the procedure (read here
    otherwise). `fee`: what the dossier owes, the procedure's fee unless exempted or reduced
    (`services.fees`). `result_delivery`: how the citizen chose to receive the result; by default
    the way the dossier came in (a counter dossier at the counter, a postal one by post…).
    `competent_unit`: the commune that decides a commune-level procedure filed elsewhere
    (`competent_authority`).
    """
    draft = _draft(
        procedure=procedure,
        receiving_unit=receiving_unit,
        applicant=applicant,
        actor=actor,
        channel=channel,
        documents=documents,
        received_at=received_at,
        set_count=set_count,
        note=note,
        fee=fee,
        fee_exempt_reason=fee_exempt_reason,
        result_delivery=result_delivery,
        competent_unit=competent_unit,
        complete=True,
    )
    start = _start(dossier=draft.dossier, actor=actor, at=draft.at, versions=versions)
    _insert(draft, start.event, [start.clock, *start.steps], messages=_received_messages)
    outbox_kick_on_commit()
    return draft.dossier


@transaction.atomic
def dossier_submit(
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: Applicant,
    actor,
    channel: str = Channel.COUNTER,
    documents: list[HandedDocument] | None = None,
    received_at=None,
    set_count: int = 1,
    note: str = "",
    fee=None,
    fee_exempt_reason: str = "",
    result_delivery: str | None = None,
    competent_unit: Unit | None = None,
) -> Dossier:
    """Register a submission a clerk will accept or refuse (status 1, no clock yet): an online
    dossier, possibly incomplete (Mẫu 02 asks for the rest). Checked as a receipt is, except for
    the documents; accepting it starts it (`dossier_start`)."""
    draft = _draft(
        procedure=procedure,
        receiving_unit=receiving_unit,
        applicant=applicant,
        actor=actor,
        channel=channel,
        documents=documents,
        received_at=received_at,
        set_count=set_count,
        note=note,
        fee=fee,
        fee_exempt_reason=fee_exempt_reason,
        result_delivery=result_delivery,
        competent_unit=competent_unit,
        complete=False,
    )
    _insert(draft, draft.submitted, [])
    return draft.dossier


@dataclass
class _Draft:
    """A new dossier worked out in memory: its handed documents and the submission's event."""

    dossier: Dossier
    at: datetime
    handed: list[DossierDocument]
    submitted: DossierEvent


def _draft(
    *,
    procedure: Procedure,
    receiving_unit: Unit,
    applicant: Applicant,
    actor,
    channel: str,
    documents: list[HandedDocument] | None,
    received_at,
    set_count: int,
    note: str,
    fee,
    fee_exempt_reason: str,
    result_delivery: str | None,
    competent_unit: Unit | None,
    complete: bool,
) -> _Draft:
    """The checks common to a receipt and a submission (`complete`: all mandatory documents
    handed in), and the dossier they make, in memory, as submitted (status 1)."""
    result_delivery = result_delivery or channel
    _check_reception(
        procedure=procedure, unit=receiving_unit, actor=actor, set_count=set_count, result_delivery=result_delivery
    )
    lead = competent_authority(procedure=procedure, receiving_unit=receiving_unit, competent_unit=competent_unit)
    fee, fee_exempt_reason = dossier_fee(procedure=procedure, amount=fee, exempt_reason=fee_exempt_reason)
    if documents is None:
        documents = [HandedDocument(d.name, d.copy_kind, d.count, d.pk) for d in procedure.documents.all()]
    elif complete and (missing := missing_documents(procedure, documents)):
        names = "; ".join(d.name for d in missing)
        raise InvalidInput(INCOMPLETE, fields={"documents": names}, code="incomplete")
    at = effective_time(
        requested=received_at, not_before=None, field="received_at", earliest=go_live_of(receiving_unit)
    )
    dossier = Dossier(
        lookup_key=lookup_key_new(),
        procedure=procedure,
        receiving_unit=receiving_unit,
        lead_unit=lead,
        current_unit=receiving_unit,
        channel=channel,
        status=Status.SUBMITTED,
        applicant_name=applicant.name,
        applicant_id_type=applicant.id_type,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        set_count=set_count,
        result_delivery=result_delivery,
        submitted_at=at,
        note=note[:500],
        fee=fee,
        fee_exempt_reason=fee_exempt_reason,
    )
    submitted = event_new(
        dossier=dossier, action="submit", actor=actor, at=at, to_status=Status.SUBMITTED, data={"channel": channel}
    )
    return _Draft(dossier=dossier, at=at, handed=_handed(dossier, documents), submitted=submitted)


def _handed(dossier: Dossier, documents: list[HandedDocument]) -> list[DossierDocument]:
    return [
        DossierDocument(
            dossier=dossier,
            name=d.name[:500],
            copy_kind=d.copy_kind,
            count=d.count,
            required_document_id=d.required_document_id,
        )
        for d in documents
    ]


def _received_messages(dossier: Dossier) -> list:
    return outbox_messages(dossier=dossier, kind="received", ref="1")


def _insert(draft: _Draft, last: DossierEvent, rows: list, *, messages=None) -> None:
    """Write the draft with `rows`, the event `last` after the submission's, and the rows of those
    who hear of every new dossier (the national portal's outbox), all at once."""
    events = [draft.submitted] if last is draft.submitted else [draft.submitted, last]
    subscribed = change_rows(DossierChange(dossier=draft.dossier, event=last, created=True))
    rows = [*draft.handed, *events, *rows, *change_rows_all(subscribed)]
    dossier_insert(dossier=draft.dossier, at=draft.at, rows=rows, messages=messages)
    change_written(subscribed)


@dataclass
class _Start:
    clock: ClockEntry
    steps: list[DossierStep]
    event: DossierEvent


def _start(*, dossier: Dossier, actor, at, versions: Versions | None = None) -> _Start:
    """Status 2 worked out in memory: the clock's start, the routing steps, the appointment."""
    procedure = dossier.procedure
    calendars = calendar_reader(versions)
    clock = clock_new(
        dossier=dossier,
        kind=ClockEntry.Kind.START,
        at=at,
        data={
            "amount": str(procedure.processing_time),
            "time_unit": procedure.time_unit,
            "same_day": procedure.same_day,
        },
    )
    from_status = dossier.status
    dossier.status, dossier.received_at = Status.RECEIVED, at
    steps = steps_layout(dossier=dossier, actor=actor, at=at, calendars=calendars)
    reading = dossier_clock_read(dossier=dossier, entries=[clock], at=at, cal=calendars(dossier.lead_unit))
    clock_apply(dossier=dossier, reading=reading, at=at)
    event = event_new(
        dossier=dossier,
        action="receive",
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=Status.RECEIVED,
        data={"due_at": dossier.due_at.isoformat() if dossier.due_at else None},
    )
    return _Start(clock=clock, steps=steps, event=event)


def dossier_start(*, dossier: Dossier, actor, at) -> Dossier:
    """Status 2 for a saved dossier (an online submission accepted): the clock starts,
    the routing steps are laid out, the citizen is told."""
    start = _start(dossier=dossier, actor=actor, at=at)
    start.clock.save(force_insert=True)
    DossierStep.objects.bulk_create(start.steps)
    dossier.save(update_fields=SYNCED)
    start.event.save(force_insert=True)
    outbox_enqueue(dossier=dossier, kind="received", ref="1")
    dossier_changed(dossier=dossier, event=start.event)
    public_answers_forget_on_commit(dossier.code)
    return dossier
