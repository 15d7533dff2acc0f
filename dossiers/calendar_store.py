"""Loading `WorkCalendar`s from the database, cached by calendar version."""

from collections.abc import Callable
from datetime import time
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Q

from .calendar import DEFAULT_PERIODS, WorkCalendar
from .models import CalendarDay, ReferenceVersion, Unit

_CACHE: dict[tuple, WorkCalendar] = {}
_CACHE_SIZE = 512


def calendar_version() -> int:
    """The version number people see (v12); caches key on the token too."""
    return versions_read().calendar[0]


# The ReferenceVersion row's fields (and columns) that `Versions` is made of, in this order.
VERSION_COLUMNS = ("number", "token", "catalogue", "catalogue_token")


class Versions(NamedTuple):
    """The calendar's and the catalogue's versions as of one moment, each (number, token);
    token "" when there is no version row yet (nothing may be cached then)."""

    calendar: tuple[int, str]
    catalogue: tuple[int, str]


def versions_read() -> Versions:
    """Both versions from the one ReferenceVersion row, in one plain SELECT (read on every
    `calendar_for` and every receipt: the ORM took ten times longer to build it than the
    database to answer)."""
    table = ReferenceVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(VERSION_COLUMNS)} FROM {table} WHERE id = 1")  # noqa: S608
        return versions_from_row(cursor.fetchone() or (None,) * 4)


def versions_from_row(row) -> Versions:
    """A row of `VERSION_COLUMNS` (of the ReferenceVersion row with id 1) as Versions; a token
    None: no version row (a query joining it may bring the rest without it)."""
    number, token, catalogue, catalogue_token = row
    if token is None:
        return Versions((0, ""), (0, ""))
    # The tokens are only cache keys: their text form differs by database (SQLite: hex without dashes).
    return Versions((number, str(token)), (catalogue, str(catalogue_token)))


def _cutoff() -> time:
    hour, minute = settings.PORTAL_SAME_DAY_CUTOFF.split(":")
    return time(int(hour), int(minute))


def calendar_for(unit: Unit | None = None, *, version: int | None = None) -> WorkCalendar:
    """The working calendar of `unit` (None: the province-wide calendar)."""
    number, token = versions_read().calendar
    return _cached(unit, number if version is None else version, token)


def calendar_reader(versions: Versions | None = None) -> Callable[[Unit | None], WorkCalendar]:
    """`calendar_for` with the version read once (or given, as read by `versions_read`), for work
    that needs several units' calendars as of one moment (receiving a dossier: the counter's
    and the lead agency's)."""
    number, token = (versions or versions_read()).calendar

    def read(unit: Unit | None = None) -> WorkCalendar:
        return _cached(unit, number, token)

    return read


def _cached(unit: Unit | None, version: int, token: str) -> WorkCalendar:
    periods = unit.office_periods if unit else DEFAULT_PERIODS
    key = (unit.pk if unit else None, version, token, periods)
    cal = _CACHE.get(key)
    if cal is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        cal = _CACHE[key] = _load(unit, periods, version)
    return cal


def _load(unit: Unit | None, periods, version: int) -> WorkCalendar:
    rows = CalendarDay.objects.filter(Q(unit__isnull=True) | Q(unit=unit)).order_by("unit_id", "date")
    days_off: dict = {}
    extra: dict = {}
    # Province-wide rows first, then the unit's own, which override them.
    for row in sorted(rows, key=lambda r: r.unit_id is not None):
        keep, drop = (extra, days_off) if row.is_working else (days_off, extra)
        drop.pop(row.date, None)
        keep[row.date] = row.name
    return WorkCalendar(days_off=days_off, extra_working=extra, periods=periods, cutoff=_cutoff(), version=version)


def due_soon_bound(at, *, cal: WorkCalendar | None = None):
    """The end of the "due soon" window: `PORTAL_DUE_SOON_WORKING_DAYS` working days after `at`
    (pass the province calendar when the caller has it, to save the version query)."""
    cal = cal or calendar_for(None)
    return cal.instant(cal.position(at) + settings.PORTAL_DUE_SOON_WORKING_DAYS * cal.day_seconds)
