"""Rate limits as GCRA (a token bucket kept as one timestamp per key), on the cache.

"20/m" lets 20 requests through at once, then one every 3 s: a client that stops
hammering is served again within seconds, not at the end of a fixed window, and
refused requests cost nothing. On Redis the check-and-update is one atomic Lua call;
other caches (the embedded mode, one host) use get/set.
"""

import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# KEYS[1]: the bucket; ARGV: now (ms), emission interval (ms), burst tolerance (ms).
# Returns 0 when allowed (and moves the theoretical arrival time on), else the ms to wait.
GCRA_LUA = """
local now, interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait > 0 then return wait end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now) + 1000)
return 0
"""


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        """'20/m', '5/s', '100/h', '1000/d'."""
        count, per = text.split("/")
        return cls(int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[per.strip()[0]])

    @property
    def interval_ms(self) -> float:
        return self.seconds * 1000 / self.count

    @property
    def tolerance_ms(self) -> float:
        return self.interval_ms * (self.count - 1)


def rate_limit_hit(*, scope: str, ident: str, limit: Limit) -> int:
    """Count one hit; 0 when allowed, else the whole seconds to wait (at least 1)."""
    key = f"rl:{scope}:{ident}"
    now = time.time() * 1000
    wait_ms = _redis_hit(key, now, limit) if _redis_client() else _cache_hit(key, now, limit)
    return math.ceil(wait_ms / 1000) if wait_ms > 0 else 0


def _redis_client():
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if hasattr(backend, "get_client") else None


def _redis_hit(key: str, now: float, limit: Limit) -> float:
    client = _redis_client()
    try:
        return float(client.eval(GCRA_LUA, 1, cache.make_key(key), int(now), limit.interval_ms, limit.tolerance_ms))
    except (RedisError, OSError) as exc:
        # Redis down: serve rather than fail (the lookup itself is still constant-time and keyed).
        log.warning("rate limit not applied, cache unavailable: %s", exc)
        return 0


def _cache_hit(key: str, now: float, limit: Limit) -> float:
    tat = max(cache.get(key, now), now)
    wait = tat - limit.tolerance_ms - now
    if wait > 0:
        return wait
    cache.set(key, tat + limit.interval_ms, timeout=math.ceil((tat + limit.interval_ms - now) / 1000) + 1)
    return 0


def client_ip(request) -> str:
    """The client's address (REMOTE_ADDR; a reverse proxy must set it, e.g. gunicorn --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR", "unknown")
