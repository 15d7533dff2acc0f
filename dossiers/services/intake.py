"""Receiving dossiers at the counter, by post or online (Decree 118/2025, Mẫu 01–03)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..models import Channel, ClockEntry, Dossier, DossierDocument, Procedure, Status, Unit
from ..roles import COUNTER_CLERK
from .applicants import Applicant
from .clock_sync import dossier_clock_sync
from .codes import dossier_code_new, lookup_key_new
from .events import clock_record, event_record
from .notify import outbox_enqueue
from .routing import steps_instantiate
from .timing import effective_time

INCOMPLETE = _("Hồ sơ chưa đủ thành phần: không tiếp nhận, hướng dẫn công dân bổ sung (Mẫu 02).")
NOT_A_CENTRE = _("Chỉ Trung tâm Phục vụ hành chính công hoặc Bộ phận Một cửa được tiếp nhận hồ sơ.")
NOT_CLERK = _("Chỉ cán bộ một cửa của đơn vị tiếp nhận được nhận hồ sơ.")
PROCEDURE_INACTIVE = _("Thủ tục này không còn áp dụng.")
BAD_SET_COUNT = _("Số bộ hồ sơ từ 1 đến 20.")


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


def _check_reception(*, procedure: Procedure, unit: Unit, actor, set_count: int) -> None:
    if not procedure.is_active:
        raise InvalidInput(PROCEDURE_INACTIVE, fields={"procedure_code": PROCEDURE_INACTIVE})
    if unit.kind != Unit.Kind.CENTRE:
        raise InvalidInput(NOT_A_CENTRE, fields={"receiving_unit_code": NOT_A_CENTRE})
    clerk_here = actor.memberships.filter(unit=unit, user__groups__name=COUNTER_CLERK)
    if not actor.is_superuser and not clerk_here.exists():
        raise InvalidInput(NOT_CLERK, fields={"receiving_unit_code": NOT_CLERK}, code="forbidden")
    if not 1 <= set_count <= 20:
        raise InvalidInput(BAD_SET_COUNT, fields={"set_count": BAD_SET_COUNT})


@transaction.atomic
def dossier_receive(
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
    submit_only: bool = False,
) -> Dossier:
    """Receive a complete dossier (status 2, clock started) — or, with `submit_only`,
    register an online submission (status 1) that a clerk will accept or refuse."""
    _check_reception(procedure=procedure, unit=receiving_unit, actor=actor, set_count=set_count)
    if documents is None:
        documents = [HandedDocument(d.name, d.copy_kind, d.count, d.pk) for d in procedure.documents.all()]
    elif not submit_only and (missing := missing_documents(procedure, documents)):
        names = "; ".join(d.name for d in missing)
        raise InvalidInput(INCOMPLETE, fields={"documents": names}, code="incomplete")
    at = effective_time(requested=received_at, not_before=None)
    code, number = dossier_code_new(unit=receiving_unit, at=at)
    dossier = Dossier.objects.create(
        code=code,
        lookup_key=lookup_key_new(),
        procedure=procedure,
        receiving_unit=receiving_unit,
        lead_unit=procedure.lead_agency or receiving_unit,
        current_unit=receiving_unit,
        channel=channel,
        status=Status.SUBMITTED,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        set_count=set_count,
        register_line=number,
        submitted_at=at,
        note=note[:500],
    )
    DossierDocument.objects.bulk_create(
        DossierDocument(
            dossier=dossier,
            name=d.name[:500],
            copy_kind=d.copy_kind,
            count=d.count,
            required_document_id=d.required_document_id,
        )
        for d in documents
    )
    event_record(
        dossier=dossier, action="submit", actor=actor, at=at, to_status=Status.SUBMITTED, data={"channel": channel}
    )
    if not submit_only:
        dossier_start(dossier=dossier, actor=actor, at=at)
    return dossier


def dossier_start(*, dossier: Dossier, actor, at) -> Dossier:
    """Status 2: the clock starts, the routing steps are laid out, the citizen is told."""
    procedure = dossier.procedure
    start = clock_record(
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
    dossier.status, dossier.received_at = Status.RECEIVED, at  # saved with the clock sync below
    steps_instantiate(dossier=dossier, actor=actor, at=at)
    dossier_clock_sync(dossier=dossier, at=at, entries=[start])
    event_record(
        dossier=dossier,
        action="receive",
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=Status.RECEIVED,
        data={"due_at": dossier.due_at.isoformat() if dossier.due_at else None},
    )
    outbox_enqueue(dossier=dossier, kind="received", ref="1")
    return dossier
