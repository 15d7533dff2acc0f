"""Dossier codes `<unit code>-YYMMDD-NNNN` and lookup keys (shared/docs/domain.md)."""

import secrets
from collections.abc import Sequence
from datetime import date

from django.db import connection

from ..calendar import LOCAL_TZ
from ..models import DailySequence
from .bulk import bulk_create_together

# No look-alikes: 0/O, 1/I/L, 2/Z, 5/S, 8/B are left out.
LOOKUP_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LOOKUP_KEY_LENGTH = 8


def provisional_code() -> str:
    """A unique stand-in code a receipt inserts the dossier with, until `dossier_number` (never committed)."""
    return f"~{secrets.token_hex(16)}"


def lookup_key_new() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_KEY_LENGTH))


# The next number of a unit's daily sequence (parameters: unit id, day). One upsert that locks the
# counter row until the surrounding transaction ends: concurrent clerks queue on it, and a
# rolled-back receipt gives its number back, so the sequence has neither duplicates nor gaps.
_SEQUENCE_NEXT = (
    f"INSERT INTO {DailySequence._meta.db_table} (unit_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 (our table)
    f"ON CONFLICT (unit_id, day) DO UPDATE SET last = {DailySequence._meta.db_table}.last + 1 RETURNING last"
)


def sequence_next(*, unit_id: int, day: date) -> int:
    """The next number of the unit's daily sequence (see `_SEQUENCE_NEXT`)."""
    with connection.cursor() as cursor:
        cursor.execute(_SEQUENCE_NEXT, [unit_id, day])
        return cursor.fetchone()[0]


def dossier_code_new(*, unit, at) -> tuple[str, int]:
    day = at.astimezone(LOCAL_TZ).date()
    number = sequence_next(unit_id=unit.pk, day=day)
    return f"{unit.code}-{day:%y%m%d}-{number:04d}", number


def dossier_number(*, dossier, at, along: Sequence[list] = ()) -> None:
    """Give a dossier inserted with a provisional code its real code and register line,
    after inserting the lists of new instances `along` (see `bulk_create_together`).

    The receipt's last write but its notifications: the counter row stays locked from
    here until the transaction ends, so the shorter that tail, the more clerks of one
    centre can receive at once. On PostgreSQL the inserts, the counter and the dossier's
    code are one statement.
    """
    day = at.astimezone(LOCAL_TZ).date()
    unit = dossier.receiving_unit
    if connection.vendor != "postgresql":
        bulk_create_together(*along)
        code, number = dossier_code_new(unit=unit, at=at)
        type(dossier).objects.filter(pk=dossier.pk).update(code=code, register_line=number)
        dossier.code, dossier.register_line = code, number
        return
    dossiers = type(dossier)._meta.db_table
    ctes = [
        ("seq", _SEQUENCE_NEXT),
        (
            "numbered",
            f"UPDATE {dossiers} SET code = %s || lpad(seq.last::text, greatest(4, length(seq.last::text)), '0'), "  # noqa: S608
            f"register_line = seq.last FROM seq WHERE {dossiers}.id = %s RETURNING {dossiers}.code, seq.last",
        ),
    ]
    params = [unit.pk, day, f"{unit.code}-{day:%y%m%d}-", dossier.pk]
    dossier.code, dossier.register_line = bulk_create_together(*along, then=(ctes, params))
