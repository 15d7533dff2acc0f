"""How a procedure's time is written, the same on the public guide, the catalogue and the receipt."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Procedure, TimeUnit


def number_text(value: Decimal) -> str:
    """`10`, `0,5` (Vietnamese decimal comma)."""
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def duration_text(amount: Decimal, time_unit: str) -> str:
    return f"{number_text(amount)} {TimeUnit(time_unit).label}"


def same_day_text() -> str:
    """A same-day procedure: its result the day of receipt, when received before the cut-off."""
    return _("Trả kết quả trong ngày (hồ sơ nhận trước %(cutoff)s)") % {"cutoff": settings.PORTAL_SAME_DAY_CUTOFF}


def processing_time_text(p: Procedure) -> str:
    """The time appointments are computed from (the province's committed time where shorter)."""
    if p.same_day:
        return same_day_text()
    return duration_text(p.processing_time, p.time_unit)


def legal_time_text(p: Procedure) -> str:
    """The time the law sets, as the receipt's item 3 states it."""
    if p.same_day:
        return same_day_text()
    return duration_text(p.legal_processing_time, p.time_unit)


def shortened_legal_time_text(p: Procedure) -> str | None:
    """The legal time, when the province has committed to a shorter one."""
    if p.same_day or p.committed_processing_time is None or p.committed_processing_time >= p.legal_processing_time:
        return None
    return duration_text(p.legal_processing_time, p.time_unit)
