"""Dossier codes `<unit code>-YYMMDD-NNNN`: the unit's daily number (shared/docs/domain.md)."""

import secrets
from datetime import date

from django.db import connection

from ..calendar import LOCAL_TZ
from ..models import DailySequence


def provisional_code() -> str:
    """A unique stand-in for the code of a dossier not numbered yet (`dossier_insert`), never stored."""
    return f"~{secrets.token_hex(16)}"


# The next number of a unit's daily sequence (parameters: unit id, day). One upsert that locks the
# counter row until the surrounding transaction ends: concurrent clerks queue on it, and a
# rolled-back receipt gives its number back, so the sequence has neither duplicates nor gaps.
SEQUENCE_NEXT = (
    f"INSERT INTO {DailySequence._meta.db_table} (unit_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 (our table)
    f"ON CONFLICT (unit_id, day) DO UPDATE SET last = {DailySequence._meta.db_table}.last + 1 RETURNING last"
)


def sequence_next(*, unit_id: int, day: date) -> int:
    """The next number of the unit's daily sequence (see `SEQUENCE_NEXT`)."""
    with connection.cursor() as cursor:
        cursor.execute(SEQUENCE_NEXT, [unit_id, day])
        return cursor.fetchone()[0]


def code_prefix(unit, day: date) -> str:
    """`<unit code>-YYMMDD-`, followed by the day's number, at least four digits."""
    return f"{unit.code}-{day:%y%m%d}-"


def code_day(at) -> date:
    """The local day a dossier received at `at` is numbered in."""
    return at.astimezone(LOCAL_TZ).date()


def dossier_code_new(*, unit, at) -> tuple[str, int]:
    day = code_day(at)
    number = sequence_next(unit_id=unit.pk, day=day)
    return f"{code_prefix(unit, day)}{number:04d}", number
