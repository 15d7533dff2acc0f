"""The citizen's status lookup: code plus a second factor, learning nothing from failures.

Codes are guessable (`<unit>-YYMMDD-NNNN`), so a lookup needs the key printed on
the receipt or the applicant's ID number. An unknown code and a wrong key take the
same path (one query, two constant-time comparisons) and give the same answer.
"""

import hmac
import logging

from django.core.cache import cache
from django.utils import timezone

from ..models import Dossier

log = logging.getLogger("dossiers.lookup")
_DUMMY = {"pk": None, "lookup_key": "#" * 8, "applicant_id_number": "#" * 12}
FAILURES_KEY = "lookup:failures:{day}"


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def public_dossier(*, code: str, key: str) -> Dossier | None:
    """The dossier when `key` is its lookup key or its applicant's ID number, else None."""
    code, key = (code or "").strip()[:48], (key or "").strip().upper()[:32]
    row = Dossier.objects.filter(code=code).values("pk", "lookup_key", "applicant_id_number").first() or _DUMMY
    # Both comparisons always run, whatever matched, so timing tells nothing.
    by_key = _same(key, row["lookup_key"])
    by_id = _same(key, row["applicant_id_number"])
    if row["pk"] is not None and key and (by_key or by_id):
        return Dossier.objects.select_related("procedure", "current_unit", "receiving_unit").get(pk=row["pk"])
    lookup_failure_count()
    return None


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
