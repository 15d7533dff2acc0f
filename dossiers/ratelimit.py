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

# KEYS: the buckets; ARGV: now (ms), then per bucket its emission interval and burst tolerance (ms).
# Every bucket is checked first and all are spent only if all allow, so a request refused by
# one limit costs nothing in the others. Returns 0 when allowed, else the ms to wait.
GCRA_LUA = """
local now = tonumber(ARGV[1])
local wait, tats = 0, {}
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local w = tat - tonumber(ARGV[2 * i + 1]) - now
  if w > wait then wait = w end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local next_tat = tats[i] + tonumber(ARGV[2 * i])
  redis.call('SET', key, next_tat, 'PX', math.ceil(next_tat - now) + 1000)
end
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
    return rate_limits_hit(checks=[(scope, ident, limit)])


def rate_limits_hit(*, checks: list[tuple[str, str, Limit]]) -> int:
    """One request against several limits (per address, per code…): all or none are spent."""
    keys = [f"rl:{scope}:{ident}" for scope, ident, _ in checks]
    limits = [limit for _, _, limit in checks]
    now = time.time() * 1000
    wait_ms = _redis_hit(keys, now, limits) if _redis_client() else _cache_hit(keys, now, limits)
    return math.ceil(wait_ms / 1000) if wait_ms > 0 else 0


def _redis_client():
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if hasattr(backend, "get_client") else None


def _redis_hit(keys: list[str], now: float, limits: list[Limit]) -> float:
    args = [int(now)] + [v for limit in limits for v in (limit.interval_ms, limit.tolerance_ms)]
    try:
        return float(_redis_client().eval(GCRA_LUA, len(keys), *[cache.make_key(k) for k in keys], *args))
    except (RedisError, OSError) as exc:
        # Redis down: serve rather than fail (the lookup itself is still constant-time and keyed).
        log.warning("rate limit not applied, cache unavailable: %s", exc)
        return 0


def _cache_hit(keys: list[str], now: float, limits: list[Limit]) -> float:
    tats = [max(cache.get(key, now), now) for key in keys]
    wait = max(tat - limit.tolerance_ms - now for tat, limit in zip(tats, limits, strict=True))
    if wait > 0:
        return wait
    for key, tat, limit in zip(keys, tats, limits, strict=True):
        cache.set(key, tat + limit.interval_ms, timeout=math.ceil((tat + limit.interval_ms - now) / 1000) + 1)
    return 0


def client_ip(request) -> str:
    """The client's address (REMOTE_ADDR; a reverse proxy must set it, e.g. gunicorn --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR", "unknown")
