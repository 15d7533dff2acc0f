"""Numbers and moments as people read them: Vietnamese by default (1.234,5), English with
Accept-Language en; moments as dd/mm/yyyy hh:mm in the current time zone."""

from django.utils import timezone
from django.utils.formats import get_format


def format_number(value, decimals: int = 0) -> str:
    """`value` with a thousands separator and `decimals` decimals in the active language's
    separators (vi: "1.234,5"); None as "—"."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return (
        text.replace(",", "\0")
        .replace(".", get_format("DECIMAL_SEPARATOR"))
        .replace("\0", get_format("THOUSAND_SEPARATOR"))
    )


def format_moment(instant) -> str:
    """`instant` as the templates' `date:"d/m/Y H:i"` in the current time zone; None as "—"."""
    return timezone.localtime(instant).strftime("%d/%m/%Y %H:%M") if instant else "—"
