"""Dossier endpoints of /api/v1: receive, list, read, act (shared/docs/api.md)."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Answer

from . import errors
from .auth import StaffRequest, staff_auth
from .calendar_store import Versions
from .idempotency import idempotent_call
from .models import Dossier, Procedure, Unit
from .renderers import to_json_data
from .schemas import (
    ActionIn,
    ApologyIn,
    ApologyOut,
    AssignIn,
    DossierCreatedOut,
    DossierIn,
    DossierOut,
    ErrorOut,
    PageOut,
)
from .services.apologies import apology_issue
from .services.applicants import applicant_clean
from .services.assignment import NOT_AN_OFFICER, dossier_assign
from .services.catalogue import procedure_for_intake
from .services.intake import HandedDocument, dossier_receive, dossier_submit, receiving_units
from .services.routing import dossier_transition
from .services.timing import instant_checked

router = Router(tags=["dossiers"], auth=staff_auth)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
UNIT_REQUIRED = errors.UNKNOWN_UNIT


def _procedure(code: str, versions: Versions) -> Procedure:
    try:
        return procedure_for_intake(code, versions=versions)
    except Procedure.DoesNotExist:
        raise errors.InvalidInput(
            errors.UNKNOWN_PROCEDURE, fields={"procedure_code": errors.UNKNOWN_PROCEDURE}
        ) from None


def _receiving_unit(found: list[Unit]) -> Unit:
    if len(found) != 1:
        raise errors.InvalidInput(UNIT_REQUIRED, fields={"receiving_unit_code": UNIT_REQUIRED})
    return found[0]


def _competent_unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise errors.InvalidInput(errors.UNKNOWN_UNIT, fields={"competent_unit_code": errors.UNKNOWN_UNIT})
    return unit


def _documents(procedure: Procedure, items) -> list[HandedDocument] | None:
    if items is None:
        return None
    by_position = {d.position: d for d in procedure.documents.all()}
    handed = []
    for item in items:
        required = by_position.get(item.required_document_position or -1)
        name = item.name or (required.name if required else "")
        if not name:
            raise errors.InvalidInput(errors.BAD_DOCUMENT, fields={"documents": errors.BAD_DOCUMENT})
        handed.append(HandedDocument(name, item.copy_kind, item.count, required.pk if required else None))
    return handed


@router.post("/dossiers", response={201: DossierCreatedOut, **ERRORS}, summary="Tiếp nhận hồ sơ")
def receive(request: StaffRequest, payload: DossierIn, idempotency_key: str | None = Header(None)):
    user = request.auth

    def create():
        # The catalogue's and the calendar's versions, as of one moment, read before the procedure.
        units, versions = receiving_units(user, payload.receiving_unit_code)
        procedure = _procedure(payload.procedure_code, versions)
        fields = {
            "procedure": procedure,
            "receiving_unit": _receiving_unit(units),
            "applicant": applicant_clean(**payload.applicant.dict()),
            "actor": user,
            "channel": payload.channel,
            "documents": _documents(procedure, payload.documents),
            "received_at": payload.received_at,
            "set_count": payload.set_count,
            "note": payload.note,
            "fee": payload.fee,
            "fee_exempt_reason": payload.fee_exempt_reason,
            "result_delivery": payload.result_delivery,
            "competent_unit": _competent_unit(payload.competent_unit_code),
        }
        submit = payload.submit_only
        dossier = dossier_submit(**fields) if submit else dossier_receive(**fields, versions=versions)
        return 201, to_json_data(DossierCreatedOut.model_validate(dossier).model_dump())

    body = to_json_data(payload.dict()) if idempotency_key else {}  # only hashed with a key
    return Answer(*idempotent_call(user=user, key=idempotency_key, body=body, create=create))


class ListQuery(Schema):
    status: int | None = None
    unit: str = ""
    overdue: bool | None = None
    due_before: str = ""
    q: str = ""
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


@router.get("/dossiers", response={200: PageOut, **ERRORS}, summary="Danh sách hồ sơ")
def list_dossiers(request: StaffRequest, filters: Query[ListQuery]):
    dossiers = _filtered(Dossier.objects.visible_to(request.auth), filters)
    page, size = max(filters.page, 1), min(max(filters.page_size, 1), 200)
    rows = list(dossiers.for_list()[(page - 1) * size : page * size])  # read here, not while validating
    count, exact = dossiers.count_capped()  # past 10,000 a lower bound, said so
    return {"items": rows, "count": count, "count_exact": exact, "page": page, "page_size": size}


def _filtered(dossiers, f: ListQuery):
    if f.status is not None:
        dossiers = dossiers.filter(status=f.status)
    if f.unit:
        dossiers = dossiers.at_unit(f.unit)
    if f.overdue is not None:
        dossiers = dossiers.overdue() if f.overdue else dossiers.not_overdue()
    if f.due_before:
        dossiers = dossiers.due_before(_parse_when(f.due_before))
    return dossiers.search(f.q[:100])


def _parse_when(raw: str):
    from django.utils.dateparse import parse_date, parse_datetime

    try:
        value = parse_datetime(raw.replace(" ", "+")) or parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise errors.InvalidInput(errors.BAD_START, fields={"due_before": errors.BAD_START})
    from datetime import datetime, time

    when = value if isinstance(value, datetime) else datetime.combine(value, time.min)
    when = when if timezone.is_aware(when) else timezone.make_aware(when)
    return instant_checked(when, field="due_before")


def visible_dossier(user, code: str, *, page: bool = False) -> Dossier:
    """The dossier the user may see (404 otherwise); with `page`, loaded as its page shows it."""
    dossiers = Dossier.objects.visible_to(user)
    dossier = (dossiers.for_page() if page else dossiers).filter(code=code).first()
    if dossier is None:
        raise errors.NotFound(errors.NOT_FOUND)
    return dossier


@router.get("/dossiers/{code}", response={200: DossierOut, **ERRORS}, summary="Chi tiết hồ sơ")
def read(request: StaffRequest, code: str):
    return visible_dossier(request.auth, code, page=True)


@router.post("/dossiers/{code}/actions", response={200: DossierOut, **ERRORS}, summary="Xử lý hồ sơ")
def act(request: StaffRequest, code: str, payload: ActionIn):
    dossier = visible_dossier(request.auth, code)
    to_unit = None
    if payload.to_unit_code:
        to_unit = Unit.objects.filter(code=payload.to_unit_code).first()
        if to_unit is None:
            raise errors.InvalidInput(errors.UNKNOWN_UNIT, fields={"to_unit_code": errors.UNKNOWN_UNIT})
    dossier = dossier_transition(
        dossier_id=dossier.pk,
        action=payload.action,
        actor=request.auth,
        reason=payload.reason,
        to_unit=to_unit,
        at=payload.at,
        version=payload.version,
        approved=payload.approved,
        documents=payload.documents,
        handover=payload.handover.dict() if payload.handover else None,
    )
    return Dossier.objects.for_page().get(pk=dossier.pk)


@router.post("/dossiers/{code}/apologies", response={201: ApologyOut, **ERRORS}, summary="Xin lỗi, hẹn lại")
def apologise(request: StaffRequest, code: str, payload: ApologyIn):
    dossier = visible_dossier(request.auth, code)
    apology = apology_issue(
        dossier_id=dossier.pk, actor=request.auth, reason=payload.reason, new_due_at=payload.new_due_at
    )
    return Answer(201, apology)


@router.post("/dossiers/{code}/assign", response={200: DossierOut, **ERRORS}, summary="Nhận, phân công xử lý")
def assign(request: StaffRequest, code: str, payload: AssignIn):
    dossier = visible_dossier(request.auth, code)
    assignee = request.auth
    if payload.assignee and payload.assignee != request.auth.get_username():
        named = get_user_model().objects.filter(username=payload.assignee).first()
        if named is None:
            raise errors.InvalidInput(NOT_AN_OFFICER, fields={"assignee": NOT_AN_OFFICER})
        assignee = named
    dossier = dossier_assign(
        dossier_id=dossier.pk, actor=request.auth, assignee=assignee, reason=payload.reason, version=payload.version
    )
    return Dossier.objects.for_page().get(pk=dossier.pk)
