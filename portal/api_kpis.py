"""GET /api/v1/kpis (shared/docs/api.md): Decision 766 figures for supervisors."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from dossiers.auth import staff_auth
from dossiers.calendar import LOCAL_TZ
from dossiers.errors import FORBIDDEN, UNKNOWN_UNIT, Forbidden, InvalidInput
from dossiers.models import Unit
from dossiers.schemas import ErrorOut
from dossiers.services.timing import day_checked

from .kpis import GROUPS, is_kpi_reader, kpi_rows, kpi_scope

router = Router(tags=["kpis"], auth=staff_auth)
BAD_DATE = _("Ngày không hợp lệ: dùng dạng YYYY-MM-DD hoặc dd/mm/yyyy.")
BAD_PERIOD = _("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
PERIOD_TOO_LONG = _("Khoảng thời gian tối đa là 366 ngày.")
BAD_GROUP = _("group_by phải là một trong: unit, procedure, field, day.")
MAX_DAYS = 366


class KpiQuery(Schema):
    unit: str | None = None
    date_from: str | None = Field(None, alias="from")
    date_to: str | None = Field(None, alias="to")
    group_by: str = "unit"


class KpiRowOut(Schema):
    code: str
    name: str
    received: int
    finished: int
    early: int
    on_time: int
    late: int
    open: int
    open_overdue: int
    open_on_time: int
    on_time_rate: float | None
    online_rate: float | None
    apologies: int
    late_without_apology: int
    satisfaction_rate: float | None
    received_with_fee: int


class KpiOut(Schema):
    unit: str | None
    date_from: date = Field(..., alias="from")
    date_to: date = Field(..., alias="to")
    group_by: str
    items: list[KpiRowOut]


def parse_day(value: str | None, *, field: str, default: date) -> date:
    """A day typed YYYY-MM-DD or dd/mm/yyyy within the working calendar's years (422 on `field`)."""
    if not value:
        return default
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return day_checked(datetime.strptime(value, fmt).replace(tzinfo=LOCAL_TZ).date(), field=field)
        except ValueError:
            continue
    raise InvalidInput(BAD_DATE, fields={field: BAD_DATE})


def parse_period(date_from: str | None, date_to: str | None) -> tuple[date, date]:
    today = timezone.localdate()
    start = parse_day(date_from, field="from", default=today.replace(day=1))
    end = parse_day(date_to, field="to", default=today)
    if start > end:
        raise InvalidInput(BAD_PERIOD, fields={"from": BAD_PERIOD})
    if end - start >= timedelta(days=MAX_DAYS):
        raise InvalidInput(PERIOD_TOO_LONG, fields={"to": PERIOD_TOO_LONG})
    return start, end


def parse_unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise InvalidInput(UNKNOWN_UNIT, fields={"unit": UNKNOWN_UNIT})
    return unit


def scope_of(user, unit: Unit | None) -> list[int] | None:
    try:
        return kpi_scope(user, unit)
    except PermissionDenied:
        raise Forbidden(FORBIDDEN) from None


@router.get("/kpis", response={200: KpiOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}, by_alias=True)
def kpis(request: HttpRequest, q: Query[KpiQuery]):
    """Received, finished, on time… per unit, procedure, field or day over [from, to]."""
    if not is_kpi_reader(request.user):
        raise Forbidden(FORBIDDEN)  # 403 before anything is parsed
    if q.group_by not in GROUPS:
        raise InvalidInput(BAD_GROUP, fields={"group_by": BAD_GROUP})
    start, end = parse_period(q.date_from, q.date_to)
    unit = parse_unit(q.unit)
    unit_ids = scope_of(request.user, unit)
    items = kpi_rows(unit_ids=unit_ids, start=start, end=end, group_by=q.group_by)
    return {"unit": q.unit, "from": start, "to": end, "group_by": q.group_by, "items": items}
