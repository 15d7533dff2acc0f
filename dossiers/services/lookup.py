"""The citizen's status lookup: code plus a second factor, learning nothing from failures.

Codes are guessable (`<unit>-YYMMDD-NNNN`), so a lookup needs the key printed on the
receipt or the number of the applicant's ID document (CCCD, passport, other), as stored:
without spaces, in capitals. An unknown code and a wrong key take the
same path (one query, two constant-time comparisons) and give the same answer.

`public_dossier` is the one check behind every entry point: the lookup page and Open311
(through `dossier_lookup`), the API (through `public_answer`, whose cached answers are stored
only after it said yes), payments and feedback.
"""

import hashlib
import hmac
import logging
from collections.abc import Callable, Sequence
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from ..models import Dossier
from ..ratelimit import Limit, client_ip, rate_limits_hit_then_read, raw_cache_bump, raw_cache_set

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
        Dossier.objects.select_related("procedure", "current_unit", "receiving_unit", "lead_unit__parent")
        .filter(code=code)
        .first()
    )
    secrets = (dossier.lookup_key, dossier.applicant_id_number) if dossier else None
    return dossier if _matches(key, secrets) else None


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


def lookup_throttled(request, *, code: str, read: Sequence[str] = ()) -> tuple[int, list[bytes | None]]:
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


def dossier_lookup(request, *, code: str, key: str) -> tuple[Dossier | None, int]:
    """(dossier or None, seconds to wait): the lookup page's and Open311's entry point."""
    retry_after, _ = lookup_throttled(request, code=code)
    if retry_after:
        return None, retry_after
    return public_dossier(code=code, key=key), 0


# -- the API's answers, cached ---------------------------------------------------
# An answer, as bytes, under a keyed digest of (code, key): the lookup reads it in the same round
# trip to Redis as its rate limits, and on a hit answers without the database. It is stored only
# after `public_dossier` said yes, under both keys that open the dossier (the lookup key and the ID
# number), so a hit is that same check; neither ever sits in a cache key or value in clear. A
# wrong key finds nothing and takes the uncached path, so it costs what an unknown code costs.
# Every write path that changes what the public sees of a dossier (a transition, a signed apology,
# a calendar recompute, a payment) calls `public_answers_forget_on_commit` itself: once it commits,
# the code's generation is bumped, and an answer stored at an older one (a read that began before
# the bump) is never served.
ANSWER_SECONDS = 300
GENERATION_SECONDS = 24 * 3600  # outlives any answer of the generation


def _answer_key(code: str, key: str, language: str) -> str:
    secret = settings.SECRET_KEY.encode()[:64]
    digest = hashlib.blake2b(f"{code}\x00{key}".encode(), key=secret, digest_size=16).hexdigest()
    return f"public-answer:{language}:{digest}"


def _generation_key(code: str) -> str:
    return f"public-gen:{code_ident(code)}"


def public_answer(request, *, code: str, key: str, render: Callable[[Dossier], bytes]) -> tuple[bytes | None, int]:
    """(the dossier's public answer as `render` makes it, or None; seconds to wait when over a limit)."""
    language = translation.get_language()
    answer_key = _answer_key(_clean_code(code), _clean_key(key), language)
    retry_after, (entry, stored_generation) = lookup_throttled(
        request, code=code, read=[answer_key, _generation_key(code)]
    )
    if retry_after:
        return None, retry_after
    generation = int(stored_generation or 0)
    if entry:
        stored, body = entry.split(b"|", 1)
        if int(stored) == generation:
            return body, 0
    dossier = public_dossier(code=code, key=key)
    if dossier is None:
        return None, 0
    body = render(dossier)
    for secret in {dossier.lookup_key, dossier.applicant_id_number} - {""}:
        stored_key = _answer_key(dossier.code, secret, language)
        raw_cache_set(stored_key, f"{generation}|".encode() + body, timeout=ANSWER_SECONDS)
    return body, 0


def public_answers_forget(code: str) -> None:
    """After a change of the dossier `code` has committed: its cached answers are no longer served."""
    raw_cache_bump(_generation_key(code), GENERATION_SECONDS)


def public_answers_forget_on_commit(code: str) -> None:
    """`public_answers_forget(code)` once the open transaction commits (at once without one)."""
    transaction.on_commit(partial(public_answers_forget, code))
