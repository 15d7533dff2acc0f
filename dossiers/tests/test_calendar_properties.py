"""Properties of the deadline engine, checked against a naive minute-by-minute walk."""

from datetime import date, datetime, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers.calendar import LOCAL_TZ, WORKING_DAYS, WORKING_HOURS, Pause, WorkCalendar, compute_due

DATA = holidays.country_holidays("VN", years=range(2024, 2029), language="vi")
DAYS_OFF = set(DATA)
SWAPPED = {d for d in DATA.weekend_workdays if d.year in DATA.years}
CAL = WorkCalendar(days_off=dict(DATA.items()), extra_working=dict.fromkeys(SWAPPED, "Ngày làm việc bù"))
MINUTE = timedelta(minutes=1)
# Office hours as minutes of the day: 07:30–11:30 and 13:30–17:30.
OPEN_MINUTES = [(7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60 + 30)]


def naive_is_working_minute(instant: datetime) -> bool:
    """The minute [instant, instant + 1 min) is office time on a working day."""
    day = instant.date()
    working_day = day in SWAPPED or (day.weekday() < 5 and day not in DAYS_OFF)
    minute = instant.hour * 60 + instant.minute
    return working_day and any(a <= minute < b for a, b in OPEN_MINUTES)


def naive_due(start: datetime, minutes: int) -> datetime:
    """Walk minute by minute until `minutes` working minutes have passed."""
    t, counted = start, 0
    while counted < minutes:
        if naive_is_working_minute(t):
            counted += 1
        t += MINUTE
    return t


def naive_working_minutes(start: datetime, end: datetime) -> int:
    t, counted = start, 0
    while t < end:
        counted += naive_is_working_minute(t)
        t += MINUTE
    return counted


starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31, 23, 59)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=LOCAL_TZ)
)
working_minutes = st.integers(min_value=1, max_value=3 * 8 * 60)
hours = st.integers(min_value=0, max_value=120)


@settings(max_examples=150, deadline=None)
@given(start=starts, minutes=working_minutes)
def test_does_agree_with_the_naive_walk_when_amount_is_whole_minutes(start, minutes):
    expected = naive_due(start, minutes)
    assert compute_due(CAL, start, minutes / 60, WORKING_HOURS) == expected


@settings(max_examples=60, deadline=None)
@given(start=starts, minutes=working_minutes)
def test_does_count_exactly_the_amount_of_working_time_when_measured_naively(start, minutes):
    due = compute_due(CAL, start, minutes / 60, WORKING_HOURS)
    assert naive_working_minutes(start, due) == minutes
    assert naive_is_working_minute(due - MINUTE)  # the deadline ends a working minute


@settings(max_examples=300, deadline=None)
@given(a=starts, b=starts, amount=hours)
def test_cannot_give_an_earlier_due_when_start_is_later(a, b, amount):
    early, late = sorted((a, b))
    assert compute_due(CAL, early, amount, WORKING_HOURS) <= compute_due(CAL, late, amount, WORKING_HOURS)


@settings(max_examples=300, deadline=None)
@given(start=starts, a=hours, b=hours)
def test_cannot_give_an_earlier_due_when_amount_is_larger(start, a, b):
    small, large = sorted((a, b))
    assert compute_due(CAL, start, small, WORKING_HOURS) <= compute_due(CAL, start, large, WORKING_HOURS)


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    days=st.integers(min_value=0, max_value=15),
    pause_from=st.integers(min_value=-10_000, max_value=30_000),
    pause_minutes=st.integers(min_value=0, max_value=20_000),
)
def test_cannot_give_an_earlier_due_when_a_pause_is_added(start, days, pause_from, pause_minutes):
    pause_start = start + timedelta(minutes=pause_from)
    pause = Pause(pause_start, pause_start + timedelta(minutes=pause_minutes))
    without = compute_due(CAL, start, days, WORKING_DAYS)
    assert compute_due(CAL, start, days, WORKING_DAYS, pauses=[pause]) >= without


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=hours)
def test_cannot_give_a_due_before_start_when_amount_is_any(start, amount):
    assert compute_due(CAL, start, amount, WORKING_HOURS) >= start


def test_does_walk_the_naive_reference_correctly_when_checked_on_example_2():
    # The reference itself must reproduce a worked example, or the properties prove nothing.
    start = datetime(2026, 2, 12, 9, tzinfo=LOCAL_TZ)
    assert naive_due(start, 3 * 8 * 60) == datetime(2026, 2, 24, 9, tzinfo=LOCAL_TZ)
    assert not naive_is_working_minute(datetime(2026, 2, 17, 9, tzinfo=LOCAL_TZ))
    assert date(2026, 8, 22) in SWAPPED
