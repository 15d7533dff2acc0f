"""Public (anonymous) dossier endpoints of /api/v1: status lookup, Open311 shape.

A failed lookup is one constant 404 whatever failed (unknown code, wrong key);
both limits answer 429 with Retry-After. The read model is the public pages' own
(dossiers.public_status), so the page and the API cannot drift apart.
"""

import json
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from dossiers.errors import error_body
from dossiers.models import Dossier
from dossiers.public_status import public_status
from dossiers.renderers import LocalTimeJSONEncoder
from dossiers.schemas import ErrorOut
from dossiers.services.lookup import LOOKUP_LIMITED, LOOKUP_NOT_FOUND, dossier_lookup, public_answer

router = Router(tags=["public"], auth=None)
ERRORS = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class TimelineItemOut(Schema):
    at: datetime
    action: str
    title: str
    unit: str | None
    reason: str
    documents: list[str]
    due_at: datetime | None


class PublicApologyOut(Schema):
    unit: str
    reason: str
    original_due_at: datetime
    new_due_at: datetime
    issued_at: datetime | None


class WaitingForOut(Schema):
    action: str
    reason: str
    documents: list[str]


class PublicDossierOut(Schema):
    code: str
    procedure: str
    procedure_code: str
    status: int
    status_label: str
    status_text: str
    received_at: datetime | None
    due_at: datetime | None
    paused_since: datetime | None
    current_unit: str
    waiting_for: WaitingForOut | None
    due_explanation: list[str]
    timeline: list[TimelineItemOut]
    apologies: list[PublicApologyOut]


class ServiceRequestOut(Schema):
    """GeoReport v2 `service_requests` fields that fit; the address is personal data and is left out."""

    # Read from the public status (dossiers.public_status), the page's and the lookup API's own.
    service_request_id: str = Field(alias="code")
    status: str
    status_notes: str = Field(alias="status_text")
    service_name: str = Field(alias="procedure")
    service_code: str = Field(alias="procedure_code")
    agency_responsible: str = Field(alias="agency")
    requested_datetime: datetime | None = Field(alias="submitted_at")
    updated_datetime: datetime | None
    expected_datetime: datetime | None = Field(alias="due_at")
    media_url: str | None = None

    @staticmethod
    def resolve_status(status: dict) -> str:
        return "closed" if status["is_finished"] else "open"

    @staticmethod
    def resolve_updated_datetime(status: dict) -> datetime | None:
        timeline = status["timeline"]
        return timeline[-1]["at"] if timeline else status["submitted_at"]


def _refused(response: HttpResponse, retry_after: int) -> Status:
    if retry_after:
        response["Retry-After"] = str(retry_after)
        return Status(429, error_body("rate_limited", LOOKUP_LIMITED))
    return Status(404, error_body("not_found", LOOKUP_NOT_FOUND))


@router.get(
    "/public/dossiers/{code}",
    response={200: PublicDossierOut, **ERRORS},
    summary="Tra cứu tình trạng hồ sơ (mã hồ sơ và mã tra cứu hoặc số định danh)",
)
def public_dossier_get(request: HttpRequest, response: HttpResponse, code: str, key: str = ""):
    # The hot path: bytes validated against the schema and encoded once per change of the dossier.
    body, retry_after = public_answer(request, code=code, key=key, render=_render_status)
    if body is None:
        return _refused(response, retry_after)
    response.content = body
    return response


def _render_status(dossier: Dossier) -> bytes:
    status = public_status(dossier)
    return json.dumps(PublicDossierOut.model_validate(status).model_dump(), cls=LocalTimeJSONEncoder).encode()


@router.get(
    "/open311/requests/{code}.json",
    response={200: list[ServiceRequestOut], **ERRORS},
    summary="Open311 GeoReport v2: một yêu cầu dịch vụ",
)
def open311_request(request: HttpRequest, response: HttpResponse, code: str, key: str = ""):
    return _open311(request, response, code=code, key=key)


@router.get(
    "/open311/requests.json",
    response={200: list[ServiceRequestOut], **ERRORS},
    summary="Open311 GeoReport v2: tra cứu theo service_request_id",
)
def open311_requests(request: HttpRequest, response: HttpResponse, service_request_id: str = "", key: str = ""):
    return _open311(request, response, code=service_request_id, key=key)


def _open311(request: HttpRequest, response: HttpResponse, *, code: str, key: str):
    dossier, retry_after = dossier_lookup(request, code=code, key=key)
    if dossier is None:
        return _refused(response, retry_after)
    return [public_status(dossier)]
