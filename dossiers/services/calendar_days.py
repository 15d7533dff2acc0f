"""Changing the working calendar. Every change bumps the calendar version."""

from collections.abc import Iterable
from datetime import date

import holidays
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import CalendarChange, CalendarDay, ReferenceVersion, Unit
from .jobs import enqueue_on_commit


def calendar_change_record(*, summary: str, dates: Iterable[date], by=None) -> CalendarChange:
    """Log a change and bump the version (the row lock orders concurrent changes)."""
    ReferenceVersion.objects.bump("number", "token")
    number = ReferenceVersion.objects.values_list("number", flat=True).get(pk=1)
    change = CalendarChange.objects.create(
        version=number, summary=summary[:500], dates=sorted({d.isoformat() for d in dates}), changed_by=by
    )
    from ..tasks import calendar_recompute_task

    enqueue_on_commit(calendar_recompute_task, change.pk)
    return change


@transaction.atomic
def calendar_day_set(
    *,
    day: date,
    is_working: bool,
    name: str,
    unit: Unit | None = None,
    document: str = "",
    source: str = CalendarDay.Source.ADMIN,
    by=None,
) -> CalendarDay:
    """Declare `day` a day off or a working day, province-wide or for one unit."""
    row, _created = CalendarDay.objects.update_or_create(
        date=day,
        unit=unit,
        defaults={"is_working": is_working, "name": name, "document": document, "source": source},
    )
    where = unit.code if unit else _("toàn tỉnh")
    kind = _("làm việc") if is_working else _("nghỉ")
    calendar_change_record(summary=f"{day:%d/%m/%Y} {kind} ({where}): {name}", dates=[day], by=by)
    return row


@transaction.atomic
def calendar_day_remove(*, row: CalendarDay, by=None) -> None:
    day = row.date
    row.delete()
    calendar_change_record(summary=_("Bỏ ngoại lệ ngày %(d)s") % {"d": f"{day:%d/%m/%Y}"}, dates=[day], by=by)


@transaction.atomic
def calendar_seed_holidays(*, years: Iterable[int]) -> int:
    """Load Vietnam's public holidays and swapped working days from `holidays`.

    Labour Code 2019 art. 112; the package also knows the compensatory days and the
    Saturdays worked for bridge days. Rows already present (an admin's edits) win.
    """
    calendar = holidays.country_holidays("VN", years=list(years), language="vi")
    existing = set(CalendarDay.objects.filter(unit__isnull=True).values_list("date", flat=True))
    rows = [
        CalendarDay(date=day, is_working=False, name=name, source=CalendarDay.Source.PACKAGE)
        for day, name in sorted(calendar.items())
        if day not in existing
    ]
    rows += [
        CalendarDay(
            date=day, is_working=True, name=_("Ngày làm việc bù (đổi ngày nghỉ)"), source=CalendarDay.Source.PACKAGE
        )
        for day in sorted(calendar.weekend_workdays)
        if day not in existing and day.year in calendar.years
    ]
    CalendarDay.objects.bulk_create(rows)
    if rows:
        calendar_change_record(
            summary=_("Nạp ngày lễ từ thư viện holidays: %(n)s ngày") % {"n": len(rows)}, dates=[r.date for r in rows]
        )
    return len(rows)
