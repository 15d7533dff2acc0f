"""Large dashboard tables rendered in one pass: the same HTML as a `{% for %}` over every
cell (localized, escaped, None as "—"), without a template node per cell — a province has
about 700 units, so the page has some 17,000 cells."""

import html
from datetime import date

from django import template
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from dossiers.numbers import format_number

register = template.Library()


def _cell(value, plain: str | None) -> str:
    """One cell; `plain`: the decimal separator when numbers are not grouped (None when they are)."""
    kind = type(value)
    if kind is int and plain is not None:  # most cells: first
        return str(value)  # what localize() gives an int without thousand separators, ~10× cheaper
    if value is None:
        return "—"
    if kind is str:
        return html.escape(value)  # what conditional_escape() does to a plain str
    if plain is not None and kind is float and "e" not in repr(value):
        return repr(value).replace(".", plain)  # what number_format() gives a float without grouping
    if isinstance(value, date):  # a week's Monday dd/mm/yyyy; a MonthStart as its month, mm/yyyy
        return value.strftime(getattr(value, "display", "%d/%m/%Y"))
    return conditional_escape(localize(value))


@register.filter
def table_rows(rows) -> str:
    """`<tr><td>…</td>…</tr>` for each row."""
    plain = None if settings.USE_THOUSAND_SEPARATOR else get_format("DECIMAL_SEPARATOR", get_language(), use_l10n=True)
    parts = []
    for row in rows:
        cells = "</td><td>".join([_cell(c, plain) for c in row])
        parts.append(f"<tr><td>{cells}</td></tr>" if row else "<tr></tr>")
    return mark_safe("".join(parts))


@register.filter
def num(value, decimals=0) -> str:
    """A figure in the reader's number format (vi: 1.234,5), None as "—"."""
    return format_number(value, int(decimals))


def _text(value) -> str:
    """conditional_escape() of a value, without its lazy-string check for a plain str (~700 units)."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


@register.simple_tag
def unit_options(units, selected) -> str:
    """`<option>`s of (pk, code, label) rows, `selected` the chosen unit's pk (or None)."""
    parts = []
    for pk, code, label in units:
        mark = " selected" if selected is not None and pk == selected else ""
        parts.append(f'<option value="{_text(code)}"{mark}>{_text(label)}</option>')
    return mark_safe("".join(parts))


@register.filter
def pct(value, decimals=1) -> str:
    """A rate as a percentage in the reader's number format (vi: "92,5 %"), None as "—"."""
    return "—" if value is None else f"{format_number(value, int(decimals))} %"
