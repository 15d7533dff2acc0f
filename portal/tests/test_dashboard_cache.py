"""The dashboard's body is shared through the cache for a minute: per scope, filters and language."""

import pytest
import time_machine
from django.test.utils import CaptureQueriesContext

from dossiers.kpi.facts import kpi_facts_rebuild
from dossiers.models import Dossier
from dossiers.tests.conftest import local
from dossiers.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/giam-sat/chi-so/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def cached(settings):
    settings.PORTAL_KPI_SNAPSHOT_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kpi-frag"}}


@pytest.fixture
def readers(world, receive):
    """Supervisors of two agencies, each with a dossier of its own."""
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        receive()
        theirs = receive()
    Dossier.objects.filter(pk=theirs.pk).update(lead_unit=world["other_agency"], current_unit=world["other_agency"])
    kpi_facts_rebuild()
    return {
        "a": UserFactory(username="sup-a", roles=["supervisor"], units=[world["agency"]]),
        "b": UserFactory(username="sup-b", roles=["supervisor"], units=[world["other_agency"]]),
    }


def _page(client, user, **headers) -> str:
    client.force_login(user)
    with time_machine.travel(local(2026, 3, 20, 12, 0, 20), tick=False):
        response = client.get(PAGE, MARCH, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_cannot_see_another_scopes_cached_body_when_two_supervisors_read_in_the_same_minute(
    client, world, readers, cached
):
    mine, theirs = world["agency"].code, world["other_agency"].code
    first_a = _page(client, readers["a"])
    first_b = _page(client, readers["b"])
    assert mine in first_a and theirs not in first_a
    assert theirs in first_b and mine not in first_b
    again_a, again_b = _page(client, readers["a"]), _page(client, readers["b"])
    assert mine in again_a and theirs not in again_a
    assert theirs in again_b and mine not in again_b


def test_does_serve_the_other_language_when_the_reader_switches_within_the_minute(client, readers, cached):
    vietnamese = _page(client, readers["a"], HTTP_ACCEPT_LANGUAGE="vi")
    english = _page(client, readers["a"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Tải về (XLSX)" in vietnamese and "Download (XLSX)" not in vietnamese
    assert "Download (XLSX)" in english and "Tải về (XLSX)" not in english


def test_does_render_the_body_once_a_minute_when_the_same_scope_asks_again(client, readers, cached):
    from django.db import connection

    client.force_login(readers["a"])
    counts = []
    for minute, second in ((0, 10), (0, 50), (1, 10)):  # 12:00:10 and 12:00:50 share a minute; 12:01:10 does not
        at = local(2026, 3, 20, 12, minute, second)
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as q:
            body = client.get(PAGE, MARCH).content
        counts.append(len(q))
        assert b"000.00.02.H56" in body
    assert counts[1] < counts[0] and counts[2] > counts[1]  # the next minute computes it again
