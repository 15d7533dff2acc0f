"""Rate limits of the feedback pages and endpoints: Retry-After on every 429, one budget per dossier
code shared with the status lookup, and a petition that tells nothing about a dossier code."""

import re

import pytest
import time_machine
from django.urls import reverse

from dossiers.tests.fixtures import local

pytestmark = pytest.mark.django_db
PETITION = {"subject": "Thủ tục rườm rà", "content": "Đề nghị bỏ bản sao.", "name": "Phạm Thị Dung", "about": "dossier"}


def _rate_api(client, code, key):
    body = {"key": key, "satisfied": True}
    return client.post(f"/api/v1/public/dossiers/{code}/rating", body, content_type="application/json")


def test_does_send_retry_after_when_the_rating_page_refuses(client, finish, settings):
    settings.PORTAL_LOOKUP_RATE = "2/m"
    dossier = finish()
    url = reverse("feedback:rate", args=[dossier.code]) + "?key=WRONG"
    answers = [client.get(url) for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 429]
    assert answers[-1]["Retry-After"] == "30"


def test_does_send_retry_after_when_petitions_are_refused_by_the_api_and_the_form(client, world, settings):
    settings.FEEDBACK_PETITION_RATE = "1/h"
    api = [client.post("/api/v1/public/petitions", PETITION, content_type="application/json") for _ in range(2)]
    form = client.post(reverse("feedback:petition-new"), PETITION)
    assert [api[0].status_code, api[1].status_code, form.status_code] == [201, 429, 429]
    assert api[1]["Retry-After"] == form["Retry-After"] == "3600"


def test_does_send_retry_after_when_the_petition_follow_page_refuses(client, petition, settings):
    settings.FEEDBACK_PETITION_FOLLOW_RATE = "1/m"
    p = petition()
    url = reverse("feedback:petition", args=[p.code])
    assert client.get(f"{url}?key=SAI").status_code == 404
    refused = client.get(f"{url}?key={p.key}")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"


def test_does_send_retry_after_when_the_petition_rating_form_refuses(client, petition, settings):
    settings.FEEDBACK_PETITION_FOLLOW_RATE = "1/m"
    p = petition()
    url = reverse("feedback:petition-rate", args=[p.code])
    assert client.post(url, {"key": "SAI", "satisfied": "yes"}).status_code == 404
    refused = client.post(url, {"key": p.key, "satisfied": "yes"})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"


def test_cannot_guess_a_key_more_often_when_alternating_the_lookup_and_the_rating(client, finish, settings):
    settings.PORTAL_LOOKUP_CODE_RATE = "3/m"
    dossier = finish()
    lookup = client.get(reverse("lookup-result", args=[dossier.code]) + "?key=WRONG1")
    page = client.get(reverse("feedback:rate", args=[dossier.code]) + "?key=WRONG2")
    api = _rate_api(client, dossier.code, "WRONG3")
    refused = _rate_api(client, dossier.code, dossier.lookup_key)  # even the right key: the budget is spent
    assert [lookup.status_code, page.status_code, api.status_code, refused.status_code] == [404, 404, 404, 429]
    assert client.get(reverse("lookup-result", args=[dossier.code]) + f"?key={dossier.lookup_key}").status_code == 429


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_cannot_tell_a_dossier_exists_or_its_agency_from_the_petition_follow_page(client, receive, world):
    dossier = receive()
    pages = []
    for code in (dossier.code, "000.00.01.H56-260309-9999"):
        sent = client.post(reverse("feedback:petition-new"), PETITION | {"dossier_code": code}, REMOTE_ADDR="10.1.1.1")
        assert sent.status_code == 302
        page = client.get(sent["Location"]).content.decode()
        pages.append(page.replace(code, "CODE"))
    known, unknown = pages
    assert world["agency"].name not in known and world["centre"].name in known
    strip = re.compile(r"PAKN-\d{6}-\d{4}|[34679ACDEFGHJKMNPQRTUVWXY]{8}|csrfmiddlewaretoken\" value=\"[^\"]+\"")
    assert strip.sub("", known) == strip.sub("", unknown)


def test_does_link_the_dossier_when_the_lookup_page_sends_its_key_to_the_petition_form(client, receive, world):
    dossier = receive()
    result = client.get(reverse("lookup-result", args=[dossier.code]) + f"?key={dossier.lookup_key}")
    link = reverse("feedback:petition-new") + f"?dossier={dossier.code}&amp;key={dossier.lookup_key}"
    assert link in result.content.decode()
    form = client.get(link.replace("&amp;", "&"))
    assert form["Referrer-Policy"] == "same-origin" and f'value="{dossier.lookup_key}"' in form.content.decode()
    sent = client.post(
        reverse("feedback:petition-new"), PETITION | {"dossier_code": dossier.code, "dossier_key": dossier.lookup_key}
    )
    assert world["agency"].name in client.get(sent["Location"]).content.decode()
