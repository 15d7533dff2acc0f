"""API schemas: explicit In/Out shapes (shared/docs/api.md).

The Out schemas read the models themselves: a field named as the model's attribute reads it, an
`alias` names a path to it (`procedure.national_code`), a static `resolve_<field>` works it out
(with the request in `context` where the answer depends on the caller)."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from .people import person_name


class RequiredDocumentOut(Schema):
    name: str
    copy_kind: str
    copy_kind_label: str
    count: int
    is_mandatory: bool

    @staticmethod
    def resolve_copy_kind_label(document) -> str:
        return document.get_copy_kind_display()


class ProcedureOut(Schema):
    code: str = Field(alias="national_code")
    name: str
    field: str = Field(alias="field.name")
    level: str
    processing_time: Decimal
    legal_processing_time: Decimal
    time_unit: str
    same_day: bool
    online_level: str
    online_url: str = ""  # added (issue 16): where to apply online, when the procedure is offered online
    fee: Decimal
    lead_agency_code: str | None
    result_type: str
    legal_basis: str
    required_documents: list[RequiredDocumentOut] = Field(alias="documents")

    @staticmethod
    def resolve_lead_agency_code(procedure) -> str | None:
        return procedure.lead_agency.code if procedure.lead_agency else None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    address: str

    @staticmethod
    def resolve_parent_code(unit) -> str | None:
        return unit.parent.code if unit.parent else None


class DueOut(Schema):
    due_at: datetime | None
    explanation: list[str]


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ApplicantIn(Schema):
    name: str = Field(..., max_length=200)
    # Added (issue 16): the document the number belongs to; CCCD when absent, as before.
    id_type: Literal["cccd", "passport", "other"] = "cccd"
    id_number: str = Field(..., max_length=20)
    phone: str = Field(..., max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)


class HandedDocumentIn(Schema):
    required_document_position: int | None = None
    name: str = Field("", max_length=500)
    copy_kind: Literal["original", "certified", "copy"] = "original"
    count: int = Field(1, ge=1, le=99)


class DossierIn(Schema):
    procedure_code: str = Field(..., max_length=32)
    receiving_unit_code: str | None = Field(None, max_length=32)
    # A commune-level procedure filed elsewhere: the commune competent for the applicant's address.
    competent_unit_code: str | None = Field(None, max_length=32)
    channel: Literal["counter", "online", "postal"] = "counter"
    applicant: ApplicantIn
    received_at: datetime | None = None
    set_count: int = Field(1, ge=1, le=20)
    documents: list[HandedDocumentIn] | None = None
    note: str = Field("", max_length=500)
    submit_only: bool = False
    # What the dossier owes: the procedure's fee unless exempted or reduced, with the reason.
    fee: Decimal | None = Field(None, ge=0, le=Decimal("999999999999"))
    fee_exempt_reason: str = Field("", max_length=300)
    # Added (issue 16): how the citizen chose to receive the result; absent: as the channel.
    result_delivery: Literal["counter", "postal", "online"] | None = None


class DossierCreatedOut(Schema):
    code: str
    status: int
    status_label: str
    received_at: datetime | None
    due_at: datetime | None
    lookup_key: str
    channel_code: int  # KenhThucHien: 1 counter, 2 online, 3 postal


class StepOut(Schema):
    position: int
    name: str
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    budget_hours: Decimal
    started_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    timeliness: str
    is_adhoc: bool


class EventOut(Schema):
    action: str
    from_status: int | None
    to_status: int | None
    actor: str | None
    unit_code: str | None
    effective_at: datetime
    recorded_at: datetime
    reason: str
    data: dict

    @staticmethod
    def resolve_actor(event) -> str | None:
        return person_name(event.actor) or None

    @staticmethod
    def resolve_unit_code(event) -> str | None:
        return event.unit.code if event.unit else None


class ApologyOut(Schema):
    number: str
    unit_code: str = Field(alias="unit.code")
    reason: str
    original_due_at: datetime
    new_due_at: datetime
    issued_at: datetime | None
    issued_after_due: bool
    status: str
    review_comment: str = ""


class ApologyIn(Schema):
    reason: str = Field(..., max_length=2000)
    new_due_at: datetime


class DossierListOut(Schema):
    code: str
    status: int
    status_label: str
    procedure_code: str = Field(alias="procedure.national_code")
    procedure_name: str = Field(alias="procedure.name")
    channel: str
    applicant_name: str
    receiving_unit_code: str = Field(alias="receiving_unit.code")
    current_unit_code: str = Field(alias="current_unit.code")
    received_at: datetime | None
    due_at: datetime | None
    is_overdue: bool
    version: int
    channel_code: int

    @staticmethod
    def resolve_is_overdue(dossier) -> bool:
        return dossier.is_overdue(timezone.now())


class _Handover(Schema):
    method: str
    by_proxy: bool = False
    recipient_name: str = Field("", max_length=200)
    recipient_id_number: str = Field("", max_length=20)
    tracking_number: str = Field("", max_length=64)
    result_url: str = Field("", max_length=500)


class HandoverIn(_Handover):
    """How the result was handed over (return_result); nothing given: at the counter, to the applicant."""

    method: Literal["counter", "postal", "online"] = "counter"


class HandoverOut(_Handover):
    method: str  # as stored, whatever it is (an answer does not validate it)


class DossierOut(DossierCreatedOut):
    """A dossier loaded with `Dossier.objects.for_page()`; `allowed_actions` are the caller's."""

    procedure_code: str = Field(alias="procedure.national_code")
    procedure_name: str = Field(alias="procedure.name")
    channel: str
    result_delivery: str
    applicant: ApplicantIn
    receiving_unit_code: str = Field(alias="receiving_unit.code")
    lead_unit_code: str = Field(alias="lead_unit.code")
    current_unit_code: str = Field(alias="current_unit.code")
    due_at_original: datetime | None
    paused_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    timeliness: str
    timeliness_766: str
    is_overdue: bool
    supplement_count: int
    fee: Decimal
    fee_exempt_reason: str
    supplements_make_late: bool  # Decision 766: more than one supplement request counts as late
    handover: HandoverOut | None
    version: int
    assignee: str | None = None
    allowed_actions: list[str]
    steps: list[StepOut]
    events: list[EventOut]
    apologies: list[ApologyOut]

    @staticmethod
    def resolve_applicant(dossier) -> ApplicantIn:
        return ApplicantIn(
            name=dossier.applicant_name,
            id_type=dossier.applicant_id_type,
            id_number=dossier.applicant_id_number,
            phone=dossier.applicant_phone,
            email=dossier.applicant_email,
            address=dossier.applicant_address,
        )

    @staticmethod
    def resolve_is_overdue(dossier) -> bool:
        return dossier.is_overdue(timezone.now())

    @staticmethod
    def resolve_handover(dossier) -> HandoverOut | None:
        if not dossier.return_method:
            return None
        return HandoverOut(
            method=dossier.return_method,
            by_proxy=dossier.return_by_proxy,
            recipient_name=dossier.return_recipient_name,
            recipient_id_number=dossier.return_recipient_id_number,
            tracking_number=dossier.return_tracking_number,
            result_url=dossier.return_result_url,
        )

    @staticmethod
    def resolve_assignee(dossier) -> str | None:
        return dossier.assignee.get_username() if dossier.assignee else None

    @staticmethod
    def resolve_allowed_actions(dossier, context) -> list[str]:
        from .presenters import actions_for

        return actions_for(context["request"].auth, dossier)


class AssignIn(Schema):
    """`assignee`: the officer's username; none (or the caller's own) claims the dossier."""

    assignee: str | None = Field(None, max_length=150)
    reason: str = Field("", max_length=2000)
    version: int | None = None


class ActionIn(Schema):
    action: str = Field(..., max_length=32)
    to_unit_code: str | None = Field(None, max_length=32)
    reason: str = Field("", max_length=2000)
    at: datetime | None = None
    version: int | None = None
    approved: bool = True
    documents: list[str] = Field(default_factory=list, max_length=50)
    handover: HandoverIn | None = None


class PageOut(Schema):
    items: list[DossierListOut]
    count: int = Field(
        description="Số hồ sơ khớp, chính xác tới 10.000; khi nhiều hơn thì là 10.000 và count_exact là false "
        "(matching dossiers, exact up to 10,000)"
    )
    count_exact: bool = Field(
        description="false khi có nhiều hồ sơ khớp hơn count (more match than count: a lower bound)"
    )
    page: int
    page_size: int


class AttachmentOut(Schema):
    # A file attached to a dossier, read from `Attachment`. The answer stored for a repeated
    # Idempotency-Key (and the one just stored) is JSON: it is read back by the fields' own names.
    model_config = ConfigDict(validate_by_name=True)

    id: int
    kind: str
    name: str = Field(alias="original_name")
    size: int
    sha256: str
    uploaded_at: datetime
