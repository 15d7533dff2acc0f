"""Throttling of the anonymous feedback endpoints and pages; every refusal is a RateLimited (429)
whose `retry_after` becomes the Retry-After header.

A rating checks a dossier's lookup key, as the status lookup does: both spend the lookup's own
budgets (per address and per dossier code), so alternating between the two pages gives no more
guesses at one code's key. Petitions have theirs.
"""

import hashlib

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dossiers.errors import RateLimited
from dossiers.ratelimit import Limit, client_ip, rate_limits_hit
from dossiers.services.lookup import LOOKUP_LIMITED, lookup_throttled

RATE_LIMITED = _("Bạn đã gửi quá nhiều yêu cầu từ địa chỉ này. Vui lòng thử lại sau.")


def code_rate() -> str:
    return getattr(settings, "FEEDBACK_CODE_RATE", "10/m")


def petition_rate() -> str:
    return getattr(settings, "FEEDBACK_PETITION_RATE", "5/h")


def petition_follow_rate() -> str:
    return getattr(settings, "FEEDBACK_PETITION_FOLLOW_RATE", settings.PORTAL_LOOKUP_RATE)


def throttle_dossier_key(request, *, code: str) -> None:
    """One more guess at dossier `code`'s key: the status lookup's budgets (per address, per code)."""
    wait, _values = lookup_throttled(request, code=code)
    if wait:
        raise RateLimited(LOOKUP_LIMITED, retry_after=wait)


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
        raise RateLimited(RATE_LIMITED, retry_after=wait)
