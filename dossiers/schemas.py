"""API schemas: explicit In/Out shapes (shared/docs/api.md)."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema


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
