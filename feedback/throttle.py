"""Per-address (and per-code) throttling of the anonymous feedback endpoints and pages."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dossiers.errors import RateLimited
from dossiers.ratelimit import Limit, client_ip, rate_limit_hit

RATE_LIMITED = _("Bạn đã gửi quá nhiều yêu cầu từ địa chỉ này. Vui lòng thử lại sau.")


def rating_rate() -> str:
    # A rating checks a lookup key: the same budget per address as the status lookup.
    return getattr(settings, "FEEDBACK_RATING_RATE", settings.PORTAL_LOOKUP_RATE)


def code_rate() -> str:
    return getattr(settings, "FEEDBACK_CODE_RATE", "10/m")


def petition_rate() -> str:
    return getattr(settings, "FEEDBACK_PETITION_RATE", "5/h")


def throttle(request, *, scope: str, rate: str, code: str | None = None) -> None:
    """Count one hit per address (and per code when a key is checked); RateLimited (429) past a limit.

    Both counters are always hit, so the limiter tells nothing about the code; the per-code
    limit keeps guessing one code's key slow from many addresses.
    """
    wait = rate_limit_hit(scope=f"{scope}-ip", ident=client_ip(request), limit=Limit.parse(rate))
    if code is not None:
        ident = hashlib.blake2b(code.strip()[:48].encode(), digest_size=12).hexdigest()
        wait = max(wait, rate_limit_hit(scope=f"{scope}-code", ident=ident, limit=Limit.parse(code_rate())))
    if wait:
        raise RateLimited(RATE_LIMITED, fields={"retry_after": str(wait)})
