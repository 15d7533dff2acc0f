"""When an action counts as taken: now, or back-dated when recorded late."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput

AT_IN_FUTURE = _("Thời điểm thực hiện không được ở tương lai.")
AT_BEFORE_PREVIOUS = _("Thời điểm thực hiện không được trước sự kiện trước đó của hồ sơ.")
AT_NAIVE = _("Thời điểm phải kèm múi giờ, ví dụ 2026-03-09T10:00:00+07:00.")


def effective_time(*, requested: datetime | None, not_before: datetime | None) -> datetime:
    """`requested` checked per the API contract (never in the future, never before the
    previous event), or now. The recording time is kept separately on the event."""
    now = timezone.now()
    if requested is None:
        return max(now, not_before) if not_before else now
    if timezone.is_naive(requested):
        raise InvalidInput(AT_NAIVE, fields={"at": AT_NAIVE})
    if requested > now:
        raise InvalidInput(AT_IN_FUTURE, fields={"at": AT_IN_FUTURE})
    if not_before is not None and requested < not_before:
        raise InvalidInput(AT_BEFORE_PREVIOUS, fields={"at": AT_BEFORE_PREVIOUS})
    return requested
