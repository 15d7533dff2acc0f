"""Fixed-window rate limits on the cache (Redis in production: atomic INCR)."""

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        """'20/m', '5/s', '100/h', '1000/d'."""
        count, per = text.split("/")
        return cls(int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[per.strip()[0]])


def rate_limit_hit(*, scope: str, ident: str, limit: Limit) -> int:
    """Count one hit; returns 0 when allowed, else the seconds until the window resets."""
    now = int(time.time())
    window = now // limit.seconds
    key = f"rl:{scope}:{ident}:{window}"
    if cache.add(key, 1, timeout=limit.seconds + 1):
        hits = 1
    else:
        try:
            hits = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.seconds + 1)
            hits = 1
    if hits <= limit.count:
        return 0
    return (window + 1) * limit.seconds - now or 1


def client_ip(request) -> str:
    """The client's address (REMOTE_ADDR; a reverse proxy must set it, e.g. gunicorn --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR", "unknown")
