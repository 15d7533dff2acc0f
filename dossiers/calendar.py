"""The deadline engine: legal due times counted in working time.

Pure functions over a `WorkCalendar` (no database access here; `dossiers.calendar_store`
loads calendars). Rules, from shared/docs/domain.md:

- Working days are Monday–Friday minus public holidays, plus swapped working days;
  each has the unit's office hours (default 07:30–11:30, 13:30–17:30), so a working
  day is 8 working hours and half-days work (ours, as provincial systems do).
- The clock starts at the next working minute after receipt.
- A deadline whose last working hour ends at closing time is due at closing time.
- Same-day procedures use a 15:00 cut-off: received at or before it, due the same day;
  after it, the next working day (15:00 itself is today's; the time is configurable).
- Calendar days and months count from the day after receipt and roll forward to a
  working day, due at closing time (Civil Code 2015 art. 147–148).
- Pauses (waiting for the citizen) stop the clock; time already used still counts.

Working time is handled as a *position*: the number of working seconds since an
epoch. Converting an instant to its position and back is a binary search over the
working days, so a due time costs O(log days) whatever the amount.
"""

from __future__ import annotations

import calendar as pycalendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

# Vietnam keeps UTC+7 all year (no daylight saving), so local arithmetic is exact.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30)))
DEFAULT_CUTOFF = time(15, 0)
HOURS_PER_WORKING_DAY = 8
FIRST_YEAR, LAST_YEAR = 2000, 2060

WORKING_HOURS = "working_hours"
WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
MONTHS = "months"
TIME_UNITS = (WORKING_HOURS, WORKING_DAYS, CALENDAR_DAYS, MONTHS)


class CalendarError(ValueError):
    """A deadline cannot be computed from these inputs."""


class CalendarRangeError(CalendarError):
    """A date falls outside the years the calendar covers."""


@dataclass(frozen=True)
class Pause:
    """The clock stopped from `start` to `end` (None: still stopped)."""

    start: datetime
    end: datetime | None = None


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """Working days and office hours of one unit, at one calendar version."""

    days_off: Mapping[date, str] = field(default_factory=dict)
    extra_working: Mapping[date, str] = field(default_factory=dict)
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    cutoff: time = DEFAULT_CUTOFF
    version: int = 0
    # Derived in __post_init__ from the fields above (not constructor arguments).
    _spans: tuple[tuple[int, int], ...] = field(init=False, repr=False)
    _day_seconds: int = field(init=False, repr=False)
    _workdays: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        spans = tuple((_seconds(a), _seconds(b)) for a, b in self.periods)
        if (
            not spans
            or any(a >= b for a, b in spans)
            or any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1))
        ):
            raise CalendarError("office periods must be ordered and non-empty")
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_day_seconds", sum(b - a for a, b in spans))
        object.__setattr__(self, "_workdays", self._build_workdays())

    def _build_workdays(self) -> list[int]:
        first, last = date(FIRST_YEAR, 1, 1).toordinal(), date(LAST_YEAR, 12, 31).toordinal()
        off = {d.toordinal() for d in self.days_off}
        extra = {d.toordinal() for d in self.extra_working}
        # date.fromordinal(n).weekday() == (n - 1) % 7, Monday being 0.
        return [n for n in range(first, last + 1) if n in extra or ((n - 1) % 7 < 5 and n not in off)]

    # -- single days -------------------------------------------------------
    @property
    def day_seconds(self) -> int:
        return self._day_seconds

    def is_working_day(self, d: date) -> bool:
        n = d.toordinal()
        i = bisect_left(self._workdays, n)
        return i < len(self._workdays) and self._workdays[i] == n

    def closing(self) -> time:
        return self.periods[-1][1]

    def opening(self) -> time:
        return self.periods[0][0]

    def _seconds_into_day(self, secs: int) -> int:
        """Working seconds elapsed in a working day before second-of-day `secs`."""
        used = 0
        for a, b in self._spans:
            if secs <= a:
                break
            used += min(secs, b) - a
        return used

    def _clock_time(self, offset: int) -> time:
        """The earliest second-of-day at which `offset` working seconds are done."""
        for a, b in self._spans:
            if offset <= b - a:
                s = a + offset
                return time(s // 3600, s % 3600 // 60, s % 60)
            offset -= b - a
        raise CalendarError("offset beyond the working day")

    # -- positions ---------------------------------------------------------
    def position(self, instant: datetime) -> int:
        """Working seconds from the epoch to `instant`."""
        local = _local(instant)
        n = local.toordinal()
        self._check_range(n)
        i = bisect_left(self._workdays, n)
        pos = i * self._day_seconds
        if i < len(self._workdays) and self._workdays[i] == n:
            pos += self._seconds_into_day(local.hour * 3600 + local.minute * 60 + local.second)
        return pos

    def instant(self, position: int) -> datetime:
        """The earliest instant at `position` (a day's end is its closing time)."""
        if position <= 0:
            raise CalendarRangeError("position before the calendar's range")
        index, offset = divmod(position - 1, self._day_seconds)
        if index >= len(self._workdays):
            raise CalendarRangeError("deadline beyond the calendar's range")
        day = date.fromordinal(self._workdays[index])
        return datetime.combine(day, self._clock_time(offset + 1), LOCAL_TZ)

    def working_day_at(self, index: int) -> date:
        if not 0 <= index < len(self._workdays):
            raise CalendarRangeError("deadline beyond the calendar's range")
        return date.fromordinal(self._workdays[index])

    def working_day_index(self, d: date) -> int:
        """Index of the first working day on or after `d`."""
        return bisect_left(self._workdays, d.toordinal())

    def next_working_day(self, d: date) -> date:
        """`d` itself when it is a working day, else the next one."""
        return self.working_day_at(self.working_day_index(d))

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in [first, last]."""
        return bisect_right(self._workdays, last.toordinal()) - bisect_left(self._workdays, first.toordinal())

    def _check_range(self, ordinal: int) -> None:
        if not date(FIRST_YEAR, 1, 1).toordinal() <= ordinal <= date(LAST_YEAR, 12, 31).toordinal():
            raise CalendarRangeError(f"date outside {FIRST_YEAR}–{LAST_YEAR}")


def _local(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise CalendarError("naive datetime: times must carry their zone")
    try:
        return instant.astimezone(LOCAL_TZ).replace(microsecond=0)
    except OverflowError as exc:  # 0001-01-01 at +08:00 has no local date
        raise CalendarRangeError(f"date outside {FIRST_YEAR}–{LAST_YEAR}") from exc


def amount_in_seconds(amount: Decimal | float | int, time_unit: str, day_seconds: int) -> int:
    """A working-time amount in working seconds (a working day is 8 working hours)."""
    amount = Decimal(str(amount))
    if amount < 0:
        raise CalendarError("amount must not be negative")
    # Round to the second: 1/60 hour is 60 seconds, not 59.999… truncated to 59.
    if time_unit == WORKING_HOURS:
        return int((amount * 3600).to_integral_value(ROUND_HALF_UP))
    if time_unit == WORKING_DAYS:
        return int((amount * day_seconds).to_integral_value(ROUND_HALF_UP))
    raise CalendarError(f"{time_unit} is not a working-time unit")


def working_seconds_between(cal: WorkCalendar, start: datetime, end: datetime) -> int:
    """Working seconds in [start, end] (negative when end is before start)."""
    return cal.position(end) - cal.position(start)


def compute_due(
    cal: WorkCalendar,
    start: datetime,
    amount: Decimal | float | int,
    time_unit: str,
    *,
    pauses: Iterable[Pause] = (),
    same_day: bool = False,
) -> datetime | None:
    """The due time of a period starting at `start`; None while a pause is open."""
    pauses = sorted(pauses, key=lambda p: p.start)
    if same_day:
        return _due_same_day(cal, start, pauses)
    if time_unit in (CALENDAR_DAYS, MONTHS):
        return _due_calendar(cal, start, amount, time_unit, pauses)
    if time_unit not in TIME_UNITS:
        raise CalendarError(f"unknown time unit {time_unit!r}")
    remaining = amount_in_seconds(amount, time_unit, cal.day_seconds)
    cursor = cal.position(start)
    for pause in pauses:
        at = max(cal.position(pause.start), cursor)
        if at - cursor >= remaining:
            break  # finished before this pause began
        remaining -= at - cursor
        if pause.end is None:
            return None
        cursor = max(cal.position(pause.end), at)
    if remaining == 0:  # due when the clock starts, never before receipt
        return cal.instant(cursor + 1) - timedelta(seconds=1)
    return cal.instant(cursor + remaining)


def _due_same_day(cal: WorkCalendar, start: datetime, pauses: list[Pause]) -> datetime | None:
    due = _same_day_due(cal, start)
    for pause in pauses:  # sorted by start
        if pause.start >= due:
            break  # begun after the appointment: it moves nothing
        if pause.end is None:
            return None
        due = _same_day_due(cal, pause.end)  # the day starts again when the citizen is done
    return due


def _same_day_due(cal: WorkCalendar, begin: datetime) -> datetime:
    local = _local(begin)
    index = cal.working_day_index(local.date())
    if cal.working_day_at(index) == local.date() and local.time() > cal.cutoff:
        index += 1  # handed in after the cut-off (15:00 itself is still today's): next working day
    return datetime.combine(cal.working_day_at(index), cal.closing(), LOCAL_TZ)


def _due_calendar(cal, start, amount, time_unit, pauses) -> datetime | None:
    if Decimal(str(amount)) != int(Decimal(str(amount))):
        raise CalendarError("calendar days and months are whole numbers")
    first = cal.instant(cal.position(start) + 1).date()  # the day the clock starts
    last = add_months(first, int(amount)) if time_unit == MONTHS else first + timedelta(days=int(amount))
    due = _closing_on_or_after(cal, last)
    for pause in pauses:  # sorted by start
        if pause.start >= due:
            break  # begun after the appointment: it moves nothing (the period was already over)
        if pause.end is None:
            return None
        last += timedelta(days=(_local(pause.end).date() - _local(pause.start).date()).days)
        due = _closing_on_or_after(cal, last)
    return due


def _closing_on_or_after(cal: WorkCalendar, day: date) -> datetime:
    return datetime.combine(cal.next_working_day(day), cal.closing(), LOCAL_TZ)


def add_months(d: date, months: int) -> date:
    """The same day `months` later, or that month's last day (Civil Code art. 148)."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, pycalendar.monthrange(year, month)[1]))


# -- explanations ----------------------------------------------------------
def _weekday_names():
    from django.utils.translation import gettext as _

    return (_("thứ Hai"), _("thứ Ba"), _("thứ Tư"), _("thứ Năm"), _("thứ Sáu"), _("thứ Bảy"), _("Chủ nhật"))


def format_local(instant: datetime) -> str:
    """`thứ Hai 09/03/2026 10:00` in local time."""
    local = _local(instant)
    return f"{_weekday_names()[local.weekday()]} {local:%d/%m/%Y %H:%M}"


def explain_due(
    cal: WorkCalendar,
    start: datetime,
    due: datetime | None,
    *,
    amount: Decimal | float | int,
    time_unit: str,
    pauses: Iterable[Pause] = (),
    same_day: bool = False,
) -> list[str]:
    """Why the due time is what it is, in the user's language."""
    from django.utils.translation import gettext as _

    lines = [_("Tiếp nhận lúc %(at)s.") % {"at": format_local(start)}]
    clock_start = cal.instant(cal.position(start) + 1) - timedelta(seconds=1)
    if clock_start != _local(start):
        lines.append(_("Tiếp nhận ngoài giờ làm việc: thời hạn tính từ %(at)s.") % {"at": format_local(clock_start)})
    lines.append(_describe_amount(amount, time_unit, same_day, cal))
    if same_day and _local(start).time() > cal.cutoff and cal.is_working_day(_local(start).date()):
        lines.append(
            _("Nhận sau %(cutoff)s: trả kết quả vào ngày làm việc tiếp theo.")
            % {"cutoff": cal.cutoff.strftime("%H:%M")}
        )
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end is None:
            lines.append(
                _(
                    "Tạm dừng tính thời hạn từ %(start)s (chờ công dân bổ sung, thực hiện nghĩa vụ): "
                    "chưa xác định ngày hẹn."
                )
                % {"start": format_local(pause.start)}
            )
        else:
            lines.append(
                _("Tạm dừng tính thời hạn từ %(start)s đến %(end)s: thời gian này không tính.")
                % {"start": format_local(pause.start), "end": format_local(pause.end)}
            )
    if due is not None:
        lines.extend(_describe_days(cal, clock_start.date(), _local(due).date()))
        if time_unit in (WORKING_HOURS, WORKING_DAYS) and not same_day:
            lines.append(
                _("Không tính giờ nghỉ trưa %(start)s–%(end)s.")
                % {"start": cal.periods[0][1].strftime("%H:%M"), "end": cal.periods[-1][0].strftime("%H:%M")}
            )
        if _local(due).time() == cal.closing():
            lines.append(
                _("Hạn trả kết quả là giờ đóng cửa %(closing)s.") % {"closing": cal.closing().strftime("%H:%M")}
            )
        lines.append(_("Ngày hẹn trả: %(at)s.") % {"at": format_local(due)})
    return lines


def _describe_amount(amount, time_unit, same_day, cal) -> str:
    from django.utils.translation import gettext as _

    if same_day:
        return _("Thủ tục trả kết quả trong ngày (tiếp nhận đến %(cutoff)s).") % {
            "cutoff": cal.cutoff.strftime("%H:%M")
        }
    value = f"{Decimal(str(amount)).normalize():f}"
    if time_unit == WORKING_DAYS:
        return _("Thời hạn: %(n)s ngày làm việc (mỗi ngày %(h)s giờ làm việc).") % {
            "n": value,
            "h": cal.day_seconds // 3600,
        }
    if time_unit == WORKING_HOURS:
        return _("Thời hạn: %(n)s giờ làm việc.") % {"n": value}
    unit = _("ngày") if time_unit == CALENDAR_DAYS else _("tháng")
    return _(
        "Thời hạn: %(n)s %(unit)s, tính từ ngày tiếp theo ngày tiếp nhận; nếu ngày cuối là ngày nghỉ "
        "thì hết hạn vào ngày làm việc tiếp theo (Bộ luật Dân sự 2015, điều 147–148)."
    ) % {"n": value, "unit": unit}


def _describe_days(cal: WorkCalendar, first: date, last: date) -> list[str]:
    from django.utils.translation import gettext as _

    lines, weekend = [], 0
    day = first
    while day <= last:
        if day in cal.days_off:
            lines.append(_("Nghỉ %(date)s: %(name)s.") % {"date": f"{day:%d/%m/%Y}", "name": cal.days_off[day]})
        elif day in cal.extra_working:
            lines.append(
                _("Làm việc %(date)s: %(name)s.") % {"date": f"{day:%d/%m/%Y}", "name": cal.extra_working[day]}
            )
        elif day.weekday() >= 5:
            weekend += 1
        day += timedelta(days=1)
    if weekend:
        lines.insert(0, _("Không tính %(n)s ngày thứ Bảy, Chủ nhật.") % {"n": weekend})
    return lines
