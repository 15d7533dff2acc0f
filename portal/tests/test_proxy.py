"""Behind a reverse proxy: limits key on the client's address as the trusted proxy saw it."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from dossiers.ratelimit import client_ip

PROXY = "10.0.0.5"


def _ip(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        ([], "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no proxy configured: the header is ignored
        ([PROXY], "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # a peer that is no trusted proxy
        ([PROXY], PROXY, "198.51.100.1", "198.51.100.1"),
        ([PROXY], PROXY, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own entry is not read
        (["10.0.0.0/24"], PROXY, "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two proxies, right to left
        ([PROXY], PROXY, "198.51.100.1, 2001:db8::1", "2001:db8::1"),
        ([PROXY], PROXY, "", PROXY),  # nothing forwarded: the proxy itself
        ([PROXY], PROXY, "not-an-address", PROXY),
    ],
)
def test_does_key_on_the_address_the_trusted_proxy_saw_when_reading_x_forwarded_for(
    settings, trusted, remote, forwarded, client
):
    settings.PORTAL_TRUSTED_PROXIES = trusted
    assert _ip(remote, forwarded) == client


@pytest.mark.django_db
def test_cannot_escape_the_lookup_limit_when_a_client_behind_the_proxy_forges_x_forwarded_for(
    client, settings, receive
):
    settings.PORTAL_TRUSTED_PROXIES = [PROXY]
    settings.PORTAL_LOOKUP_RATE, settings.PORTAL_LOOKUP_CODE_RATE = "2/m", "100/m"
    dossier = receive()
    url = reverse("lookup-result", args=[dossier.code]) + "?key=WRONGKEY"
    forged = [f"1.2.3.{n}, 198.51.100.1" for n in range(3)]  # nginx appends the real peer on the right
    answers = [client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f) for f in forged]
    assert [a.status_code for a in answers] == [404, 404, 429] and answers[-1]["Retry-After"] == "30"
    neighbour = client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert neighbour.status_code == 404  # another client behind the same proxy has its own budget
