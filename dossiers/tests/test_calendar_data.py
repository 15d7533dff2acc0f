"""The working calendar as data: seeding, admin edits, per-unit overrides and the cache."""

from datetime import date, datetime, time

import holidays
import pytest
from django.db import transaction

from dossiers import calendar_store
from dossiers.calendar import LOCAL_TZ, WORKING_DAYS, compute_due
from dossiers.calendar_store import calendar_for, calendar_version
from dossiers.models import CalendarChange, CalendarDay
from dossiers.services.calendar_days import calendar_day_remove, calendar_day_set, calendar_seed_holidays
from dossiers.tests.factories import CentreFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_calendar_cache():
    # The cache is process-wide and keyed by version; test databases reuse ids.
    calendar_store._CACHE.clear()
    yield
    calendar_store._CACHE.clear()


@pytest.fixture
def seeded():
    calendar_seed_holidays(years=[2026])


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def test_does_load_every_package_day_when_seeding_a_year():
    data = holidays.country_holidays("VN", years=[2026], language="vi")
    created = calendar_seed_holidays(years=[2026])
    assert created == len(data) + len([d for d in data.weekend_workdays if d.year == 2026])
    row = CalendarDay.objects.get(date=date(2026, 2, 17), unit=None)
    assert (row.is_working, row.name, row.source) == (False, "Tết Nguyên Đán", CalendarDay.Source.PACKAGE)
    assert CalendarDay.objects.get(date=date(2026, 8, 22)).is_working


def test_does_nothing_when_seeding_the_same_year_twice(seeded):
    version = calendar_version()
    assert calendar_seed_holidays(years=[2026]) == 0
    assert calendar_version() == version


def test_does_keep_an_admins_edit_when_seeding_afterwards():
    calendar_day_set(day=date(2026, 4, 27), is_working=True, name="Làm việc theo quyết định của tỉnh")
    calendar_seed_holidays(years=[2026])
    assert CalendarDay.objects.get(date=date(2026, 4, 27), unit=None).is_working
    assert calendar_for().is_working_day(date(2026, 4, 27))


def test_does_reproduce_the_worked_examples_when_the_calendar_is_seeded(seeded):
    cal = calendar_for()
    assert compute_due(cal, at(2026, 3, 9, 10), 5, WORKING_DAYS) == at(2026, 3, 16, 10)
    assert compute_due(cal, at(2026, 2, 12, 9), 3, WORKING_DAYS) == at(2026, 2, 24, 9)
    assert compute_due(cal, at(2026, 4, 24, 16), 2, WORKING_DAYS) == at(2026, 4, 29, 16)
    assert compute_due(cal, at(2026, 8, 21, 10), 1, WORKING_DAYS) == at(2026, 8, 22, 10)


def test_does_shift_due_times_when_a_weekday_becomes_a_day_off(seeded):
    before = calendar_for()
    version = calendar_version()
    calendar_day_set(day=date(2026, 3, 11), is_working=False, name="Nghỉ đột xuất")
    after = calendar_for()
    assert calendar_version() > version
    assert after is not before and after.version == calendar_version()
    assert not after.is_working_day(date(2026, 3, 11))
    assert compute_due(after, at(2026, 3, 9, 10), 5, WORKING_DAYS) == at(2026, 3, 17, 10)


def test_does_return_the_cached_calendar_when_nothing_changed(seeded):
    assert calendar_for() is calendar_for()


def test_does_restore_a_working_day_when_the_exception_is_removed(seeded):
    row = calendar_day_set(day=date(2026, 3, 11), is_working=False, name="Nghỉ đột xuất")
    version = calendar_version()
    calendar_day_remove(row=row)
    assert calendar_version() > version
    assert calendar_for().is_working_day(date(2026, 3, 11))


def test_does_apply_a_unit_override_only_to_that_unit_when_it_works_on_a_holiday(seeded):
    centre, other = CentreFactory(), UnitFactory()
    version = calendar_version()
    calendar_day_set(day=date(2026, 4, 27), is_working=True, name="Trực tiếp nhận hồ sơ", unit=centre)
    assert calendar_version() > version
    assert calendar_for(centre).is_working_day(date(2026, 4, 27))
    assert not calendar_for(other).is_working_day(date(2026, 4, 27))
    assert not calendar_for().is_working_day(date(2026, 4, 27))
    assert compute_due(calendar_for(centre), at(2026, 4, 24, 16), 2, WORKING_DAYS) == at(2026, 4, 28, 16)


def test_does_apply_a_unit_day_off_only_to_that_unit_when_the_day_is_a_weekday(seeded):
    centre, other = CentreFactory(), UnitFactory()
    calendar_day_set(day=date(2026, 3, 11), is_working=False, name="Sự kiện địa phương", unit=centre)
    assert not calendar_for(centre).is_working_day(date(2026, 3, 11))
    assert calendar_for(other).is_working_day(date(2026, 3, 11))


def test_does_open_saturday_mornings_when_a_unit_lists_them(seeded):
    centre = CentreFactory()
    calendar_day_set(day=date(2026, 3, 14), is_working=True, name="Tiếp nhận sáng thứ Bảy", unit=centre)
    assert calendar_for(centre).is_working_day(date(2026, 3, 14))
    assert compute_due(calendar_for(centre), at(2026, 3, 13, 10), 1, WORKING_DAYS) == at(2026, 3, 14, 10)


def test_does_use_the_units_office_hours_when_the_unit_keeps_its_own(seeded):
    unit = UnitFactory(afternoon_closes=time(17, 0), morning_opens=time(7, 0), morning_closes=time(11, 0))
    cal = calendar_for(unit)
    assert cal.closing() == time(17, 0)
    assert compute_due(cal, at(2026, 3, 9, 7), 1, WORKING_DAYS) == at(2026, 3, 9, 17, 0)


def test_does_record_who_and_what_when_the_calendar_changes(django_user_model):
    admin = django_user_model.objects.create_user("quantri")
    calendar_day_set(day=date(2026, 3, 11), is_working=False, name="Nghỉ đột xuất", by=admin)
    change = CalendarChange.objects.get()
    assert change.changed_by == admin
    assert change.dates == ["2026-03-11"]
    assert "11/03/2026" in change.summary


def test_cannot_serve_a_rolled_back_calendar_when_a_later_change_reuses_its_version():
    # A change cached inside a transaction that is then rolled back must not survive it.
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_day_set(day=date(2026, 3, 11), is_working=False, name="Sẽ bị hủy")
        assert not calendar_for().is_working_day(date(2026, 3, 11))
        raise RuntimeError
    calendar_day_set(day=date(2026, 3, 12), is_working=False, name="Nghỉ đột xuất")
    cal = calendar_for()
    assert not cal.is_working_day(date(2026, 3, 12))
    assert cal.is_working_day(date(2026, 3, 11))
