"""The public lookup answers the same to a wrong key and an unknown code."""

import pytest

from dossiers.ratelimit import Limit, rate_limit_hit
from dossiers.services.lookup import lookup_failures_today, public_dossier

pytestmark = pytest.mark.django_db


def test_does_find_the_dossier_when_the_key_or_id_number_matches(receive):
    dossier = receive()
    assert public_dossier(code=dossier.code, key=dossier.lookup_key) == dossier
    assert public_dossier(code=dossier.code, key=dossier.lookup_key.lower()) == dossier
    assert public_dossier(code=dossier.code, key="056190001234") == dossier


def test_cannot_find_the_dossier_when_the_key_is_wrong_or_empty(receive):
    dossier = receive()
    for key in ("", "AAAAAAAA", dossier.lookup_key[:-1], "056190001235"):
        assert public_dossier(code=dossier.code, key=key) is None
    assert public_dossier(code="000.00.01.H56-260101-9999", key=dossier.lookup_key) is None
    assert lookup_failures_today() == 5


def test_does_refuse_hits_beyond_the_limit_then_serve_again_within_seconds():
    import time_machine

    limit = Limit.parse("3/m")  # a burst of 3, then one every 20 s
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert [rate_limit_hit(scope="t", ident="1.2.3.4", limit=limit) for _ in range(3)] == [0, 0, 0]
        assert rate_limit_hit(scope="t", ident="1.2.3.4", limit=limit) == 20
        assert rate_limit_hit(scope="t", ident="5.6.7.8", limit=limit) == 0  # another address is served
        for _ in range(50):  # hammering while refused costs nothing more
            rate_limit_hit(scope="t", ident="1.2.3.4", limit=limit)
        clock.shift(20)
        assert rate_limit_hit(scope="t", ident="1.2.3.4", limit=limit) == 0
        assert rate_limit_hit(scope="t", ident="1.2.3.4", limit=limit) == 20


@pytest.mark.redis
def test_does_limit_atomically_on_redis(settings, redis_url):
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": redis_url}}
    caches["default"].clear()
    limit = Limit.parse("2/s")
    results = [rate_limit_hit(scope="redis", ident="9.9.9.9", limit=limit) for _ in range(4)]
    assert results[:2] == [0, 0] and all(r >= 1 for r in results[2:])


def test_does_answer_the_lookup_when_the_cache_server_is_down(client, settings, receive):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on port 9
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    caches["default"]  # the new, unreachable cache
    dossier = receive()
    found = client.get(f"/api/v1/public/dossiers/{dossier.code}", {"key": dossier.lookup_key})
    wrong = client.get(f"/api/v1/public/dossiers/{dossier.code}", {"key": "WRONGKEY"})
    assert found.status_code == 200 and found.json()["code"] == dossier.code
    assert wrong.status_code == 404


def test_does_spend_nothing_in_one_limit_when_another_refuses():
    import time_machine

    from dossiers.ratelimit import rate_limits_hit

    per_ip, per_code = Limit.parse("3/m"), Limit.parse("1/m")
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        assert rate_limits_hit(checks=[("ip", "1.1.1.1", per_ip), ("code", "A", per_code)]) == 0
        for _ in range(10):  # refused by the code limit: the address limit is not spent
            assert rate_limits_hit(checks=[("ip", "1.1.1.1", per_ip), ("code", "A", per_code)]) > 0
        assert rate_limits_hit(checks=[("ip", "1.1.1.1", per_ip), ("code", "B", per_code)]) == 0
        clock.shift(60)
        assert rate_limits_hit(checks=[("ip", "1.1.1.1", per_ip), ("code", "A", per_code)]) == 0
