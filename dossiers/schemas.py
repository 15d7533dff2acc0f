"""API schemas: explicit In/Out shapes (shared/docs/api.md)."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


class RequiredDocumentOut(Schema):
    name: str
    copy_kind: str
    copy_kind_label: str
    count: int
    is_mandatory: bool


class ProcedureOut(Schema):
    code: str
    name: str
    field: str
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
    required_documents: list[RequiredDocumentOut]


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    address: str


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
    unit_code: str
    unit_name: str
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


class ApologyOut(Schema):
    number: str
    unit_code: str
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
    procedure_code: str
    procedure_name: str
    channel: str
    applicant_name: str
    receiving_unit_code: str
    current_unit_code: str
    received_at: datetime | None
    due_at: datetime | None
    is_overdue: bool
    version: int
    channel_code: int


class HandoverIn(Schema):
    """How the result was handed over (return_result); nothing given: at the counter, to the applicant."""

    method: Literal["counter", "postal", "online"] = "counter"
    by_proxy: bool = False
    recipient_name: str = Field("", max_length=200)
    recipient_id_number: str = Field("", max_length=20)
    tracking_number: str = Field("", max_length=64)
    result_url: str = Field("", max_length=500)


class HandoverOut(HandoverIn):
    method: str


class DossierOut(DossierCreatedOut):
    procedure_code: str
    procedure_name: str
    channel: str
    result_delivery: str
    applicant: ApplicantIn
    receiving_unit_code: str
    lead_unit_code: str
    current_unit_code: str
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
    count: int
    page: int
    page_size: int
