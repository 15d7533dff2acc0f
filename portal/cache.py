"""A Redis cache that degrades instead of failing: with Redis down, reads miss and writes
are dropped (logged), so pages and lookups still answer; health checks report the outage."""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("portal.cache")
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrade(default):
    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE as exc:
                log.warning("cache unavailable (%s): %s skipped", type(exc).__name__, method.__name__)
                return default(*args, **kwargs) if callable(default) else default

        return call

    return wrap


class ReusingRedisCacheClient(RedisCacheClient):
    """One `redis.Redis` per connection pool instead of one per cache call: redis-py builds its
    table of ~170 response callbacks in every new client, a tenth of a millisecond each time.
    A client is thread-safe (it takes a connection from the pool for each command)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Keyed by the pool itself: with replicas, Django draws a read pool at random on each call.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _degrade(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _degrade({})(RedisCache.get_many)
    set = _degrade(None)(RedisCache.set)
    add = _degrade(False)(RedisCache.add)
    delete = _degrade(False)(RedisCache.delete)
    incr = _degrade(0)(RedisCache.incr)
    touch = _degrade(False)(RedisCache.touch)
