"""Rate limits as GCRA (a token bucket kept as one timestamp per key), on the cache.

"20/m" lets 20 requests through at once, then one every 3 s: a client that stops
hammering is served again within seconds, not at the end of a fixed window, and
refused requests cost nothing. On Redis the check-and-update is one atomic Lua call;
other caches (the embedded mode, one host) use get/set.
"""

import ipaddress
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# KEYS: the buckets, then the keys to read; ARGV: now (ms), the number of buckets, then per bucket
# its emission interval and burst tolerance (ms). Every bucket is checked first and all are spent
# only if all allow, so a request refused by one limit costs nothing in the others. Returns
# {0, the values of the keys to read (false when missing)…} when allowed, else {the ms to wait}:
# a read behind the limits costs no second round trip.
GCRA_LUA = """
local now, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait, tats = 0, {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local w = tat - tonumber(ARGV[2 * i + 2]) - now
  if w > wait then wait = w end
end
if wait > 0 then return {tostring(wait)} end
for i = 1, n do
  local next_tat = tats[i] + tonumber(ARGV[2 * i + 1])
  redis.call('SET', KEYS[i], next_tat, 'PX', math.ceil(next_tat - now) + 1000)
end
local out = {'0'}
for i = n + 1, #KEYS do out[#out + 1] = redis.call('GET', KEYS[i]) end
return out
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
    return rate_limits_hit_then_read(checks=checks)[0]


def rate_limits_hit_then_read(
    *, checks: list[tuple[str, str, Limit]], read: Sequence[str] = ()
) -> tuple[int, list[bytes | None]]:
    """`rate_limits_hit`, and when allowed, the raw values stored under the cache keys `read`
    (see `raw_cache_set`) in the same round trip to Redis: (seconds to wait, values or Nones)."""
    keys = [f"rl:{scope}:{ident}" for scope, ident, _ in checks]
    limits = [limit for _, _, limit in checks]
    now = time.time() * 1000
    if (client := _redis_client()) is not None:
        wait_ms, values = _redis_hit(client, keys, now, limits, list(read))
    else:
        wait_ms = _cache_hit(keys, now, limits)
        found = cache.get_many(read) if read and wait_ms <= 0 else {}
        values = [found.get(key) for key in read]
    return (math.ceil(wait_ms / 1000) if wait_ms > 0 else 0), values


def raw_cache_set(key: str, value: bytes, timeout: int) -> None:
    """Store bytes for `rate_limits_hit_then_read` (as they are on Redis: no pickling)."""
    client = _redis_client()
    if client is None:
        cache.set(key, value, timeout=timeout)
        return
    try:
        client.set(cache.make_key(key), value, ex=timeout)
    except (RedisError, OSError) as exc:
        log.warning("cache unavailable, not stored: %s", exc)


def raw_cache_bump(counter: str, timeout: int, *, delete: Sequence[str] = ()) -> None:
    """Add one to the integer under `counter` (from nothing: 1) and delete the keys `delete`."""
    client = _redis_client()
    try:
        if client is None:
            if not cache.add(counter, 1, timeout=timeout):
                cache.incr(counter)
            cache.delete_many(delete)
            return
        with client.pipeline(transaction=True) as pipe:
            pipe.incr(cache.make_key(counter))
            pipe.expire(cache.make_key(counter), timeout)
            for key in delete:
                pipe.delete(cache.make_key(key))
            pipe.execute()
    except (RedisError, OSError, ValueError) as exc:
        log.warning("cache unavailable, %s not bumped: %s", counter, exc)


def _redis_client():
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if hasattr(backend, "get_client") else None


_script = None


def _redis_hit(client, keys: list[str], now: float, limits: list[Limit], read: list[str]):
    global _script
    args = [int(now), len(limits)] + [v for limit in limits for v in (limit.interval_ms, limit.tolerance_ms)]
    keys = [cache.make_key(k) for k in keys + read]
    try:
        if _script is None:  # EVALSHA from then on (redis-py loads the script again after a restart)
            _script = client.register_script(GCRA_LUA)
        wait, *values = _script(keys=keys, args=args, client=client)
        return float(wait), values or [None] * len(read)
    except (RedisError, OSError) as exc:
        # Redis down: serve rather than fail (the lookup itself is still constant-time and keyed).
        log.warning("rate limit not applied, cache unavailable: %s", exc)
        return 0, [None] * len(read)


def _cache_hit(keys: list[str], now: float, limits: list[Limit]) -> float:
    tats = [max(cache.get(key, now), now) for key in keys]
    wait = max(tat - limit.tolerance_ms - now for tat, limit in zip(tats, limits, strict=True))
    if wait > 0:
        return wait
    for key, tat, limit in zip(keys, tats, limits, strict=True):
        cache.set(key, tat + limit.interval_ms, timeout=math.ceil((tat + limit.interval_ms - now) / 1000) + 1)
    return 0


def client_ip(request) -> str:
    """The client's address, what every limit keys on (and the login lockout).

    REMOTE_ADDR, unless the peer is one of PORTAL_TRUSTED_PROXIES: then X-Forwarded-For read from
    the right, skipping trusted proxies; the first address no trusted proxy vouches for is the
    client. Anything left of it was written by the client and is never read, so no one picks
    the key they are counted under.
    """
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = _trusted_proxies()
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if not is_address(hop):
            return peer  # not written by a trusted proxy: the chain cannot be read further
        if not _is_trusted(hop, trusted):
            return hop
        peer = hop
    return peer


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _trusted_proxies() -> tuple:
    return _networks(tuple(getattr(settings, "PORTAL_TRUSTED_PROXIES", ())))


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
