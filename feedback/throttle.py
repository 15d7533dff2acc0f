"""Per-address (and per-code) throttling of the anonymous feedback endpoints and pages."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dossiers.errors import RateLimited
from dossiers.ratelimit import Limit, client_ip, rate_limits_hit

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
    checks = [(f"{scope}-ip", client_ip(request), Limit.parse(rate))]
    if code is not None:
        ident = hashlib.blake2b(code.strip()[:48].encode(), digest_size=12).hexdigest()
        checks.append((f"{scope}-code", ident, Limit.parse(code_rate())))
    wait = rate_limits_hit(checks=checks)
    if wait:
        raise RateLimited(RATE_LIMITED, fields={"retry_after": str(wait)})
