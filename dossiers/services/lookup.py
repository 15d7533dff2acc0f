"""The citizen's status lookup: code plus a second factor, learning nothing from failures.

Codes are guessable (`<unit>-YYMMDD-NNNN`), so a lookup needs the key printed on the
receipt or the number of the applicant's ID document (CCCD, passport, other), as stored:
without spaces, in capitals. An unknown code and a wrong key take the
same path (one query, two constant-time comparisons) and give the same answer.
"""

import hashlib
import hmac
import logging
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..models import Dossier
from ..ratelimit import Limit, client_ip, rate_limits_hit_then_read

log = logging.getLogger("dossiers.lookup")
LOOKUP_NOT_FOUND = gettext_lazy(
    "Không tìm thấy hồ sơ, hoặc mã tra cứu không đúng. Hãy kiểm tra mã hồ sơ và mã tra cứu "
    "(hoặc số giấy tờ tùy thân của người nộp) trên giấy tiếp nhận."
)
LOOKUP_LIMITED = gettext_lazy("Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút.")

_DUMMY_SECRETS = ("#" * 8, "#" * 12)
FAILURES_KEY = "lookup:failures:{day}"


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class DossierRef(NamedTuple):
    """What a successful lookup needs to answer from the cache: the row's identity and version."""

    pk: int
    code: str
    lookup_key: str
    updated_at: datetime


# PostgreSQL rejects NUL in a query: stripped, or it would be a 500.
def _clean_code(code: str) -> str:
    return (code or "").replace("\x00", "").strip()[:48]


def _clean_key(key: str) -> str:
    """A lookup key or an ID document number as typed: spaces dropped, capitals, as both are stored."""
    return "".join((key or "").replace("\x00", "").split()).upper()[:32]


def code_ident(code: str) -> str:
    """A short fixed-length name for a code as typed, for cache and rate-limit keys."""
    return hashlib.blake2b(_clean_code(code).encode(), digest_size=12).hexdigest()


def _matches(key: str, secrets: tuple[str, str] | None) -> bool:
    # Both comparisons always run, whatever matched, so timing tells nothing.
    by_key = _same(key, (secrets or _DUMMY_SECRETS)[0])
    by_id = _same(key, (secrets or _DUMMY_SECRETS)[1])
    if secrets is not None and key and (by_key or by_id):
        return True
    lookup_failure_count()
    return False


def public_dossier(*, code: str, key: str) -> Dossier | None:
    """The dossier when `key` is its lookup key or its applicant's ID number, else None."""
    code, key = _clean_code(code), _clean_key(key)
    dossier = (
        Dossier.objects.select_related("procedure", "current_unit", "receiving_unit", "lead_unit")
        .filter(code=code)
        .first()
    )
    secrets = (dossier.lookup_key, dossier.applicant_id_number) if dossier else None
    return dossier if _matches(key, secrets) else None


def public_dossier_ref(*, code: str, key: str) -> DossierRef | None:
    """The same check reading five columns of the row and nothing else (the hot path of the lookup)."""
    code, key = _clean_code(code), _clean_key(key)
    row = (
        Dossier.objects.filter(code=code)
        .values_list("pk", "code", "lookup_key", "updated_at", "applicant_id_number")
        .first()
    )
    return DossierRef(*row[:4]) if _matches(key, row and (row[2], row[4])) else None


def lookup_failure_count() -> int:
    """Count a failed lookup for monitoring (per day)."""
    key = FAILURES_KEY.format(day=timezone.localdate().isoformat())
    if cache.add(key, 1, timeout=3 * 86400):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        return 0


def lookup_failures_today() -> int:
    return cache.get(FAILURES_KEY.format(day=timezone.localdate().isoformat()), 0)


def lookup_throttled(request, *, code: str, read: list[str] = ()) -> tuple[int, list[bytes | None]]:
    """Count one lookup per address and per code: (seconds to wait when over a limit else 0,
    the values cached under the keys `read` when allowed).

    Both limits are always checked, whether the code exists or not, so the limiter says
    nothing either; a lookup refused by one limit spends nothing in the other.
    """
    return rate_limits_hit_then_read(
        checks=[
            ("lookup-ip", client_ip(request), Limit.parse(settings.PORTAL_LOOKUP_RATE)),
            ("lookup-code", code_ident(code), Limit.parse(settings.PORTAL_LOOKUP_CODE_RATE)),
        ],
        read=read,
    )


def dossier_lookup(request, *, code: str, key: str) -> tuple[DossierRef | None, int]:
    """(dossier or None, seconds to wait): the entry point of the page and Open311; the API's
    lookup is portal.public.public_answer, the same limits and check behind its cached answers."""
    retry_after, _ = lookup_throttled(request, code=code)
    if retry_after:
        return None, retry_after
    return public_dossier_ref(code=code, key=key), 0


def key_matches(key: str, *, lookup_key: str, id_number_digest: str) -> bool:
    """`key` (as typed) is the lookup key or the ID number of that digest; both always compared."""
    key = _clean_key(key)
    by_key = _same(key, lookup_key)
    by_id = _same(id_number_digest_of(key), id_number_digest)
    return bool(key) and (by_key or by_id)


def id_number_digest_of(id_number: str) -> str:
    """A keyed digest of an ID number, for checking a lookup against a cached answer without the number."""
    secret = settings.SECRET_KEY.encode()[:64]
    return hashlib.blake2b(id_number.encode(), key=secret, digest_size=16).hexdigest()
