"""Keyset pagination: a page is the rows after (or before) the last one shown, read off an index.

OFFSET pages read and throw away every row before the page, and a page count needs a COUNT of
every matching row: both grow with the history. A keyset page reads `size + 1` rows from where
the previous page stopped, whatever the table's size (issue 17: the register at 10M dossiers).
The cursor carries the edge row's ordering values and its row number, so the numbering (STT)
goes on from page to page; there is no total and no "page n of m".
"""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

AFTER, BEFORE = "a", "b"


@dataclass(frozen=True)
class Cursor:
    direction: str  # AFTER: the rows after `values`; BEFORE: the rows before them
    values: tuple
    number: int  # the row number of the edge row (1-based)


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    start: int  # the row number of the first row
    next_cursor: str | None
    previous_cursor: str | None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def end(self) -> int:
        return self.start + len(self.object_list) - 1

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def cursor_encode(cursor: Cursor) -> str:
    raw = json.dumps([cursor.direction, cursor.number, [_plain(v) for v in cursor.values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(text: str | None, model, fields: tuple[str, ...]) -> Cursor | None:
    """The cursor, its values typed as the model's fields; None for a missing or mangled one (first page)."""
    if not text:
        return None
    try:
        direction, number, values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        typed = tuple(model._meta.get_field(f).to_python(v) for f, v in zip(fields, values, strict=True))
    except (ValueError, TypeError, ValidationError):  # a mangled cursor reads from the start
        return None
    if direction not in (AFTER, BEFORE) or not isinstance(number, int) or None in typed:
        return None
    return Cursor(direction, typed, max(number, 1))


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def beyond(fields: tuple[str, str], values: tuple, direction: str) -> Q:
    """Rows strictly after (or before) `values` in the order of the two `fields` (the last one unique).

    The bare bound on the first field is redundant but lets the index scan start at the edge row."""
    (first, last), (v1, v2) = fields, values
    op = "gt" if direction == AFTER else "lt"
    edge = "gte" if direction == AFTER else "lte"
    return Q(**{f"{first}__{edge}": v1}) & (Q(**{f"{first}__{op}": v1}) | Q(**{first: v1, f"{last}__{op}": v2}))


def keyset_page(queryset, *, fields: tuple[str, str], size: int, cursor: str | None) -> KeysetPage:
    """One page of `queryset` in ascending `fields` order (the last field unique, e.g. `id`)."""
    at = cursor_decode(cursor, queryset.model, fields)
    if at is None:
        rows = list(queryset.order_by(*fields)[: size + 1])
        return _page(rows[:size], fields, start=1, more_after=len(rows) > size, more_before=False)
    if at.direction == AFTER:
        rows = list(queryset.filter(beyond(fields, at.values, AFTER)).order_by(*fields)[: size + 1])
        return _page(rows[:size], fields, start=at.number + 1, more_after=len(rows) > size, more_before=True)
    descending = [f"-{f}" for f in fields]
    rows = list(queryset.filter(beyond(fields, at.values, BEFORE)).order_by(*descending)[: size + 1])
    more_before = len(rows) > size
    rows = rows[:size][::-1]
    start = at.number - len(rows) if more_before else 1  # the first page numbers from 1 whatever moved
    return _page(rows, fields, start=start, more_after=True, more_before=more_before)


def _page(rows: list, fields, *, start: int, more_after: bool, more_before: bool) -> KeysetPage:
    def edge(row, direction: str, number: int) -> str:
        return cursor_encode(Cursor(direction, tuple(getattr(row, f) for f in fields), number))

    return KeysetPage(
        object_list=rows,
        start=start,
        next_cursor=edge(rows[-1], AFTER, start + len(rows) - 1) if rows and more_after else None,
        previous_cursor=edge(rows[0], BEFORE, start) if rows and more_before else None,
    )
