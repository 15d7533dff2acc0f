"""Dossier codes `<unit code>-YYMMDD-NNNN` and lookup keys (shared/docs/domain.md)."""

import secrets
from collections.abc import Sequence
from datetime import date

from django.db import connection, transaction

from ..calendar import LOCAL_TZ
from ..models import DailySequence
from .bulk import Children, insert_with_children

# No look-alikes: 0/O, 1/I/L, 2/Z, 5/S, 8/B are left out.
LOOKUP_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LOOKUP_KEY_LENGTH = 8


def provisional_code() -> str:
    """A unique stand-in for the code of a dossier not numbered yet (`dossier_insert_numbered`), never stored."""
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


def _code_prefix(unit, day: date) -> str:
    """`<unit code>-YYMMDD-`, followed by the day's number, at least four digits."""
    return f"{unit.code}-{day:%y%m%d}-"


def dossier_code_new(*, unit, at) -> tuple[str, int]:
    day = at.astimezone(LOCAL_TZ).date()
    number = sequence_next(unit_id=unit.pk, day=day)
    return f"{_code_prefix(unit, day)}{number:04d}", number


def dossier_insert_numbered(*, dossier, at, children: Sequence[Children] = ()) -> None:
    """Insert a new dossier with its real code and register line, and `children`, the lists of
    new instances pointing at it (their `coded` text fields may quote the dossier's provisional
    code, which becomes the real one).

    The unit's daily counter stays locked from taking the number until the transaction ends,
    so the shorter that tail, the more clerks of one centre can receive at once. On PostgreSQL
    it is all one statement (`insert_with_children`), atomic by itself: the counter is locked
    for that statement only, when the caller has no transaction open. Elsewhere (SQLite, one
    writer at a time anyway) the number comes first, then one insert per table, in a transaction.
    """
    day = at.astimezone(LOCAL_TZ).date()
    unit = dossier.receiving_unit
    prefix, provisional = _code_prefix(unit, day), dossier.code
    if connection.vendor == "postgresql":
        computed = [
            ("code", "%s || lpad(head.last::text, greatest(4, length(head.last::text)), '0')", [prefix]),
            ("register_line", "head.last", []),
        ]
        insert_with_children(
            dossier, children, head=(_SEQUENCE_NEXT, [unit.pk, day]), computed=computed, provisional=provisional
        )
        return
    with transaction.atomic(savepoint=False):
        dossier.code, dossier.register_line = dossier_code_new(unit=unit, at=at)
        dossier.save(force_insert=True)
        for child in children:
            child.attach(dossier, provisional=provisional, code=dossier.code)
            if child.objs:
                type(child.objs[0]).objects.bulk_create(child.objs)
