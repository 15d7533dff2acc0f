"""When an action counts as taken (now, or back-dated when recorded late), and the bounds every
instant or day typed by a user is held to before it reaches the calendar or the database."""

from datetime import UTC, date, datetime, time

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from ..calendar import FIRST_YEAR, LAST_YEAR, LOCAL_TZ
from ..errors import OUT_OF_RANGE, InvalidInput

AT_IN_FUTURE = _("Thời điểm thực hiện không được ở tương lai.")
AT_BEFORE_PREVIOUS = _("Thời điểm thực hiện không được trước sự kiện trước đó của hồ sơ.")
AT_NAIVE = _("Thời điểm phải kèm múi giờ, ví dụ 2026-03-09T10:00:00+07:00.")
BEFORE_GO_LIVE = _("Thời điểm tiếp nhận không được trước ngày đơn vị bắt đầu sử dụng hệ thống (%(day)s).")

# The working calendar's years (dossiers.calendar): nothing outside them can be computed with.
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
FIRST_INSTANT = datetime.combine(FIRST_DAY, time.min, tzinfo=LOCAL_TZ)
LAST_INSTANT = datetime.combine(LAST_DAY, time.max, tzinfo=LOCAL_TZ)


def instant_checked(value: datetime, *, field: str) -> datetime:
    """`value` in UTC when it has a time zone and lies within the calendar's years, else 422 naming
    `field`. An offset of ±23:59 is valid ISO 8601 but beyond what PostgreSQL takes (±15:59): every
    instant is converted here, and one that leaves the calendar doing so (year 9999) is refused."""
    if timezone.is_naive(value):
        raise InvalidInput(AT_NAIVE, fields={field: AT_NAIVE})
    try:
        utc: datetime | None = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not FIRST_INSTANT <= utc <= LAST_INSTANT:
        raise InvalidInput(OUT_OF_RANGE, fields={field: OUT_OF_RANGE})
    return utc


def day_checked(value: date, *, field: str) -> date:
    """A day within the calendar's years, else 422 naming `field`."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidInput(OUT_OF_RANGE, fields={field: OUT_OF_RANGE})
    return value


def calendar_day_validators() -> list:
    """A form's date field kept within the calendar's years."""
    from django.core.validators import MaxValueValidator, MinValueValidator

    return [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


def effective_time(
    *, requested: datetime | None, not_before: datetime | None, field: str = "at", earliest: datetime | None = None
) -> datetime:
    """`requested` checked per the API contract (never in the future, never before the previous
    event, nor before `earliest`), or now. The recording time is kept separately on the event."""
    now = timezone.now()
    if requested is None:
        return max(now, not_before) if not_before else now
    requested = instant_checked(requested, field=field)
    if requested > now:
        raise InvalidInput(AT_IN_FUTURE, fields={field: AT_IN_FUTURE})
    if earliest is not None and requested < earliest:
        message = BEFORE_GO_LIVE % {"day": earliest.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")}
        raise InvalidInput(message, fields={field: message})
    if not_before is not None and requested < not_before:
        raise InvalidInput(AT_BEFORE_PREVIOUS, fields={field: AT_BEFORE_PREVIOUS})
    return requested


def go_live_of(unit) -> datetime:
    """The start of the day `unit` began receiving in the system (Unit.go_live, else PORTAL_GO_LIVE):
    no dossier is received before it."""
    day = unit.go_live or parse_date(settings.PORTAL_GO_LIVE) or FIRST_DAY
    return datetime.combine(max(day, FIRST_DAY), time.min, tzinfo=LOCAL_TZ)
