"""The pure deadline engine (shared/docs/domain.md, "Deadlines"): no database needed."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import holidays
import pytest
from django.utils import translation

from dossiers.calendar import (
    CALENDAR_DAYS,
    LOCAL_TZ,
    MONTHS,
    WORKING_DAYS,
    WORKING_HOURS,
    CalendarError,
    CalendarRangeError,
    Pause,
    WorkCalendar,
    compute_due,
    explain_due,
    working_seconds_between,
)

HOUR = 3600


def vn_calendar(years=range(2023, 2029), **kwargs) -> WorkCalendar:
    """Vietnam's calendar as the `holidays` package knows it (Vietnamese names)."""
    data = holidays.country_holidays("VN", years=list(years), language="vi")
    swaps = {d: "Ngày làm việc bù" for d in data.weekend_workdays if d.year in data.years}
    return WorkCalendar(days_off=dict(data.items()), extra_working=swaps, **kwargs)


VN = vn_calendar()


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def due(start, amount, unit=WORKING_DAYS, cal=VN, **kwargs):
    return compute_due(cal, start, amount, unit, **kwargs)


def explain(start, amount, unit=WORKING_DAYS, cal=VN, **kwargs) -> str:
    with translation.override("vi"):
        lines = explain_due(
            cal, start, due(start, amount, unit, cal, **kwargs), amount=amount, time_unit=unit, **kwargs
        )
    return "\n".join(lines)


# -- the worked examples of domain.md ----------------------------------------
def test_does_reproduce_example_1_when_five_working_days_from_monday():
    assert due(at(2026, 3, 9, 10), 5) == at(2026, 3, 16, 10)


def test_does_reproduce_example_2_when_crossing_the_tet_break():
    assert due(at(2026, 2, 12, 9), 3) == at(2026, 2, 24, 9)


def test_does_reproduce_example_3_when_a_supplement_pauses_the_clock():
    start = at(2026, 5, 4, 8)
    assert due(start, 10) == at(2026, 5, 18, 8)
    pause = Pause(at(2026, 5, 7, 8), at(2026, 5, 12, 14))
    assert working_seconds_between(VN, start, pause.start) == 24 * HOUR
    assert due(start, 10, pauses=[pause]) == at(2026, 5, 21, 14)


def test_does_reproduce_example_4_when_gio_to_on_sunday_gives_monday_off():
    assert not VN.is_working_day(date(2026, 4, 27))
    assert due(at(2026, 4, 24, 16), 2) == at(2026, 4, 29, 16)


def test_does_return_local_time_when_start_is_given_in_utc():
    result = due(datetime(2026, 3, 9, 3, 0, tzinfo=UTC), 5)
    assert result == at(2026, 3, 16, 10)
    assert result.utcoffset() == timedelta(hours=7)


# -- closing time, outside hours, half days ------------------------------------
def test_does_end_at_closing_when_the_last_hour_ends_at_1730():
    assert due(at(2026, 3, 9, 7, 30), 1) == at(2026, 3, 9, 17, 30)
    assert due(at(2026, 3, 9, 13, 30), 4, WORKING_HOURS) == at(2026, 3, 9, 17, 30)


def test_does_end_at_1130_when_the_last_hour_ends_at_noon_closing():
    assert due(at(2026, 3, 9, 7, 30), 4, WORKING_HOURS) == at(2026, 3, 9, 11, 30)
    assert due(at(2026, 3, 9, 10, 30), 1, WORKING_HOURS) == at(2026, 3, 9, 11, 30)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 3, 9, 18, 0), at(2026, 3, 10, 8, 30)),  # evening
        (at(2026, 3, 9, 17, 30), at(2026, 3, 10, 8, 30)),  # exactly at closing
        (at(2026, 3, 9, 6, 15), at(2026, 3, 9, 8, 30)),  # before opening
        (at(2026, 3, 9, 12, 0), at(2026, 3, 9, 14, 30)),  # lunch break
        (at(2026, 3, 7, 10, 0), at(2026, 3, 9, 8, 30)),  # Saturday
        (at(2026, 3, 8, 10, 0), at(2026, 3, 9, 8, 30)),  # Sunday
        (at(2026, 4, 30, 9, 0), at(2026, 5, 4, 8, 30)),  # 30/4 and 1/5, then the weekend
    ],
)
def test_does_start_at_the_next_working_minute_when_received_outside_office_hours(received, expected):
    assert due(received, 1, WORKING_HOURS) == expected


def test_does_count_half_days_when_amount_is_fractional():
    assert due(at(2026, 3, 9, 10), Decimal("0.5")) == at(2026, 3, 9, 16)
    assert due(at(2026, 3, 9, 10), Decimal("1.5")) == at(2026, 3, 10, 16)
    assert due(at(2026, 3, 9, 7, 30), 0.5) == at(2026, 3, 9, 11, 30)


def test_does_skip_lunch_when_amount_is_in_working_hours():
    assert due(at(2026, 3, 9, 10), 3, WORKING_HOURS) == at(2026, 3, 9, 15)
    assert due(at(2026, 3, 9, 16), 8, WORKING_HOURS) == at(2026, 3, 10, 16)


def test_does_count_the_swapped_saturday_when_it_is_a_working_day():
    assert VN.is_working_day(date(2026, 8, 22))
    assert not VN.is_working_day(date(2026, 8, 31))
    assert due(at(2026, 8, 21, 10), 1) == at(2026, 8, 22, 10)
    # Sat 22/08 worked, Mon 31/08 and 1–2/09 off.
    assert due(at(2026, 8, 28, 10), 1) == at(2026, 9, 3, 10)


# -- same-day procedures -------------------------------------------------------
@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 3, 9, 14, 59), at(2026, 3, 9, 17, 30)),
        (at(2026, 3, 9, 7, 0), at(2026, 3, 9, 17, 30)),
        (at(2026, 3, 9, 15, 0), at(2026, 3, 9, 17, 30)),  # 15:00 itself is still today's
        (at(2026, 3, 9, 15, 0) + timedelta(seconds=1), at(2026, 3, 10, 17, 30)),
        (at(2026, 3, 9, 16, 45), at(2026, 3, 10, 17, 30)),
        (at(2026, 3, 13, 15, 30), at(2026, 3, 16, 17, 30)),  # Friday after the cut-off
        (at(2026, 3, 7, 9, 0), at(2026, 3, 9, 17, 30)),  # Saturday
        (at(2026, 4, 29, 15, 30), at(2026, 5, 4, 17, 30)),  # before 30/4 and 1/5
    ],
)
def test_does_apply_the_1500_cutoff_when_procedure_is_same_day(received, expected):
    assert due(received, 0, WORKING_DAYS, same_day=True) == expected


def test_does_use_the_calendar_cutoff_when_it_is_not_the_default():
    cal = vn_calendar(cutoff=time(16, 0))
    assert due(at(2026, 3, 9, 15, 30), 0, cal=cal, same_day=True) == at(2026, 3, 9, 17, 30)


# -- calendar days and months -------------------------------------------------
def test_does_count_calendar_days_from_the_day_after_receipt_when_unit_is_calendar_days():
    assert due(at(2026, 3, 9, 10), 3, CALENDAR_DAYS) == at(2026, 3, 12, 17, 30)


def test_does_roll_to_the_next_working_day_when_the_last_calendar_day_is_off():
    assert due(at(2026, 3, 9, 10), 5, CALENDAR_DAYS) == at(2026, 3, 16, 17, 30)  # Sat 14/03
    assert due(at(2026, 4, 24, 10), 6, CALENDAR_DAYS) == at(2026, 5, 4, 17, 30)  # 30/04 holiday


def test_does_end_at_the_months_last_day_when_the_day_does_not_exist():
    assert due(at(2024, 1, 31, 10), 1, MONTHS) == at(2024, 2, 29, 17, 30)
    # 30/01/2026 + 1 month = 28/02 (a Saturday): rolls to Monday.
    assert due(at(2026, 1, 30, 10), 1, MONTHS) == at(2026, 3, 2, 17, 30)
    # 31/03/2026 + 1 month = 30/04 (holiday), then 1/5 and a weekend.
    assert due(at(2026, 3, 31, 10), 1, MONTHS) == at(2026, 5, 4, 17, 30)


def test_does_add_paused_days_when_calendar_days_are_paused():
    pause = Pause(at(2026, 3, 10, 9), at(2026, 3, 12, 9))
    assert due(at(2026, 3, 9, 10), 3, CALENDAR_DAYS, pauses=[pause]) == at(2026, 3, 16, 17, 30)


def test_cannot_count_calendar_days_when_amount_is_fractional():
    with pytest.raises(CalendarError):
        due(at(2026, 3, 9, 10), Decimal("1.5"), CALENDAR_DAYS)


# -- pauses ------------------------------------------------------------------
def test_does_return_none_when_a_pause_is_open():
    open_pause = Pause(at(2026, 3, 10, 9))
    assert due(at(2026, 3, 9, 10), 5, pauses=[open_pause]) is None
    assert due(at(2026, 3, 9, 10), 5, CALENDAR_DAYS, pauses=[open_pause]) is None
    assert due(at(2026, 3, 9, 10), 1, same_day=True, pauses=[Pause(at(2026, 3, 9, 11))]) is None


def test_does_keep_the_due_time_when_the_pause_ends_before_start():
    before = Pause(at(2026, 3, 2, 9), at(2026, 3, 6, 9))
    assert due(at(2026, 3, 9, 10), 5, pauses=[before]) == at(2026, 3, 16, 10)


def test_does_start_the_clock_at_the_pause_end_when_the_pause_spans_the_start():
    spanning = Pause(at(2026, 3, 6, 9), at(2026, 3, 10, 10))
    assert due(at(2026, 3, 9, 10), 5, pauses=[spanning]) == at(2026, 3, 17, 10)


def test_does_count_overlapping_pauses_once_when_they_overlap():
    a = Pause(at(2026, 3, 10, 10), at(2026, 3, 12, 10))
    b = Pause(at(2026, 3, 11, 10), at(2026, 3, 13, 10))
    assert due(at(2026, 3, 9, 10), 5, pauses=[b, a]) == at(2026, 3, 16 + 3, 10)
    inner = Pause(at(2026, 3, 10, 14), at(2026, 3, 11, 9))
    assert due(at(2026, 3, 9, 10), 5, pauses=[a, inner]) == at(2026, 3, 18, 10)


def test_does_ignore_a_pause_when_it_starts_after_the_due_time():
    late = Pause(at(2026, 3, 20, 9))
    assert due(at(2026, 3, 9, 10), 5, pauses=[late]) == at(2026, 3, 16, 10)


def test_does_ignore_a_pause_when_it_lies_outside_office_hours():
    weekend = Pause(at(2026, 3, 13, 18), at(2026, 3, 16, 7))
    assert due(at(2026, 3, 9, 10), 5, pauses=[weekend]) == at(2026, 3, 16, 10)


# -- office hours of a unit ----------------------------------------------------
def test_does_use_the_units_office_hours_when_they_differ_from_the_default():
    cal = vn_calendar(periods=((time(7, 0), time(11, 0)), (time(13, 0), time(17, 0))))
    assert due(at(2026, 3, 9, 7, 0), 1, cal=cal) == at(2026, 3, 9, 17, 0)
    assert due(at(2026, 3, 9, 11, 30), 1, WORKING_HOURS, cal=cal) == at(2026, 3, 9, 14, 0)
    assert due(at(2026, 3, 9, 17, 10), 1, WORKING_HOURS, cal=cal) == at(2026, 3, 10, 8, 0)
    assert due(at(2026, 3, 9, 10), 3, CALENDAR_DAYS, cal=cal) == at(2026, 3, 12, 17, 0)


def test_does_count_a_short_day_as_one_working_day_when_office_hours_are_shorter():
    cal = vn_calendar(periods=((time(8, 0), time(12, 0)), (time(13, 0), time(16, 0))))
    assert cal.day_seconds == 7 * HOUR
    assert due(at(2026, 3, 9, 8, 0), 1, cal=cal) == at(2026, 3, 9, 16, 0)


def test_cannot_build_a_calendar_when_periods_are_unordered():
    with pytest.raises(CalendarError):
        WorkCalendar(periods=((time(13, 30), time(17, 30)), (time(7, 30), time(11, 30))))
    with pytest.raises(CalendarError):
        WorkCalendar(periods=())


# -- bad input --------------------------------------------------------------------
def test_cannot_compute_when_start_is_naive():
    with pytest.raises(CalendarError):
        compute_due(VN, datetime(2026, 3, 9, 10), 5, WORKING_DAYS)


def test_cannot_compute_when_a_pause_is_naive():
    with pytest.raises(CalendarError):
        due(at(2026, 3, 9, 10), 5, pauses=[Pause(datetime(2026, 3, 10, 9), datetime(2026, 3, 11, 9))])


@pytest.mark.parametrize(
    ("start", "amount", "unit"),
    [
        (at(1999, 6, 1, 10), 1, WORKING_DAYS),
        (at(1999, 12, 31, 10), 1, WORKING_DAYS),
        (at(2061, 1, 3, 10), 1, WORKING_DAYS),
        (at(2060, 12, 29, 10), 5, WORKING_DAYS),
        (at(2060, 12, 1, 10), 2, MONTHS),
        (at(2026, 3, 9, 10), 600, MONTHS),
        (at(2060, 12, 20, 10), 30, CALENDAR_DAYS),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8))), 1, WORKING_DAYS),
        (datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))), 1, WORKING_DAYS),
    ],
)
def test_cannot_compute_when_dates_fall_outside_2000_2060(start, amount, unit):
    with pytest.raises(CalendarRangeError):
        due(start, amount, unit)


def test_cannot_compute_when_amount_is_negative_or_unit_unknown():
    with pytest.raises(CalendarError):
        due(at(2026, 3, 9, 10), -1)
    with pytest.raises(CalendarError):
        due(at(2026, 3, 9, 10), 1, "weeks")


def test_cannot_give_a_due_time_before_start_when_amount_is_zero_on_a_weekend():
    saturday = at(2026, 3, 7, 10)
    assert due(saturday, 0, WORKING_HOURS) >= saturday


# -- working seconds -------------------------------------------------------------
def test_does_measure_working_seconds_when_the_span_crosses_lunch_and_weekend():
    assert working_seconds_between(VN, at(2026, 3, 9, 11), at(2026, 3, 9, 14)) == HOUR
    assert working_seconds_between(VN, at(2026, 3, 13, 17), at(2026, 3, 16, 8)) == HOUR
    assert working_seconds_between(VN, at(2026, 3, 16, 10), at(2026, 3, 9, 10)) == -5 * 8 * HOUR


def test_does_round_trip_positions_when_the_instant_is_inside_office_hours():
    for instant in (at(2026, 3, 9, 7, 31), at(2026, 3, 9, 11, 30), at(2026, 3, 9, 13, 31), at(2026, 3, 9, 17, 30)):
        assert VN.instant(VN.position(instant)) == instant


# -- explanations --------------------------------------------------------------------
def test_does_name_the_tet_holidays_and_weekends_when_explaining_a_due_across_tet():
    text = explain(at(2026, 2, 12, 9), 3)
    assert "Tết Nguyên Đán" in text
    assert "Nghỉ 17/02/2026: Tết Nguyên Đán." in text
    assert "Không tính 4 ngày thứ Bảy, Chủ nhật." in text
    assert "Thời hạn: 3 ngày làm việc (mỗi ngày 8 giờ làm việc)." in text
    assert text.endswith("Ngày hẹn trả: thứ Ba 24/02/2026 09:00.")


def test_does_name_the_compensatory_day_when_explaining_example_4():
    text = explain(at(2026, 4, 24, 16), 2)
    assert "Nghỉ 27/04/2026: Ngày Giỗ Tổ Hùng Vương (nghỉ bù)." in text
    assert "Không tính 1 ngày thứ Bảy, Chủ nhật." in text


def test_does_mention_the_outside_hours_start_when_received_on_saturday():
    text = explain(at(2026, 3, 7, 10), 1)
    assert "Tiếp nhận lúc thứ Bảy 07/03/2026 10:00." in text
    assert "Tiếp nhận ngoài giờ làm việc: thời hạn tính từ thứ Hai 09/03/2026 07:30." in text
    assert "Hạn trả kết quả là giờ đóng cửa 17:30." in text


def test_does_not_mention_outside_hours_when_received_during_office_hours():
    assert "ngoài giờ" not in explain(at(2026, 3, 9, 10), 1)


def test_does_mention_the_cutoff_when_a_same_day_dossier_arrives_after_1500():
    after = explain(at(2026, 3, 9, 15, 1), 0, same_day=True)
    assert "Nhận sau 15:00: trả kết quả vào ngày làm việc tiếp theo." in after
    assert "Nhận sau 15:00" not in explain(at(2026, 3, 9, 15, 0), 0, same_day=True)


def test_does_list_pauses_when_explaining_a_paused_dossier():
    closed = Pause(at(2026, 5, 7, 8), at(2026, 5, 12, 14))
    text = explain(at(2026, 5, 4, 8), 10, pauses=[closed])
    assert "Tạm dừng tính thời hạn từ thứ Năm 07/05/2026 08:00 đến thứ Ba 12/05/2026 14:00" in text
    text = explain(at(2026, 5, 4, 8), 10, pauses=[Pause(at(2026, 5, 7, 8))])
    assert "chưa xác định ngày hẹn" in text
    assert "Ngày hẹn trả" not in text


def test_does_mention_the_swapped_saturday_when_the_period_crosses_it():
    text = explain(at(2026, 8, 21, 10), 1)
    assert "Làm việc 22/08/2026" in text
