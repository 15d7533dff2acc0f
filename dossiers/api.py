"""The dossiers router of /api/v1 (shared/docs/api.md)."""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from . import errors
from .calendar import TIME_UNITS, CalendarError, CalendarRangeError, compute_due, explain_due
from .calendar_store import calendar_for
from .models import Procedure, Unit
from .schemas import DueOut, ErrorOut, ProcedureOut, UnitOut

router = Router(tags=["dossiers"])


def unit_by_code(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise errors.InvalidInput(errors.UNKNOWN_UNIT, fields={"unit": errors.UNKNOWN_UNIT})
    return unit


@router.get(
    "/procedures", response={200: list[ProcedureOut], 422: ErrorOut}, auth=None, summary="Danh mục thủ tục hành chính"
)
def list_procedures(request: HttpRequest, q: str = "", unit: str = ""):
    procedures = Procedure.objects.active().search(q[:200]).with_details()
    if unit:
        procedures = procedures.for_unit(unit_by_code(unit))
    return list(procedures)  # read here, so that a database outage is the view's error (503)


@router.get("/units", response={200: list[UnitOut], 422: ErrorOut}, auth=None, summary="Danh sách đơn vị")
def list_units(request: HttpRequest, q: str = "", kind: str = ""):
    units = Unit.objects.filter(is_active=True).select_related("parent")
    if q:
        units = units.filter(name__icontains=q[:200]) | units.filter(code__icontains=q[:200])
    if kind:
        units = units.filter(kind=kind)
    return list(units)


class DueQuery(Schema):
    start: str
    amount: str
    time_unit: str
    unit: str = ""
    same_day: bool = False


@router.get("/calendar/due", response={200: DueOut, 422: ErrorOut}, auth=None, summary="Tính ngày hẹn trả")
def calendar_due(request: HttpRequest, params: Query[DueQuery]):
    start, amount = _parse_due_query(params)
    cal = calendar_for(unit_by_code(params.unit))
    try:
        due = compute_due(cal, start, amount, params.time_unit, same_day=params.same_day)
    except CalendarRangeError as exc:
        raise errors.InvalidInput(errors.OUT_OF_RANGE, fields={"start": errors.OUT_OF_RANGE}) from exc
    except CalendarError as exc:
        raise errors.InvalidInput(errors.BAD_AMOUNT, fields={"amount": errors.BAD_AMOUNT}) from exc
    explanation = explain_due(cal, start, due, amount=amount, time_unit=params.time_unit, same_day=params.same_day)
    return {"due_at": due, "explanation": explanation}


def _parse_due_query(params: DueQuery):
    from datetime import datetime
    from decimal import Decimal, InvalidOperation

    problems = {}
    try:
        start = datetime.fromisoformat(params.start.replace("Z", "+00:00").replace(" ", "+"))
        if start.tzinfo is None:
            from django.utils import timezone

            start = timezone.make_aware(start)
    except ValueError:
        problems["start"] = errors.BAD_START
    try:
        amount = Decimal(params.amount)
        if not amount.is_finite() or amount < 0 or amount > 10000:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems["amount"] = errors.BAD_AMOUNT
    if params.time_unit not in TIME_UNITS:
        problems["time_unit"] = errors.BAD_TIME_UNIT
    if problems:
        raise errors.InvalidInput(next(iter(problems.values())), fields=problems)
    return start, amount
