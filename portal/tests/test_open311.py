"""The Open311 (GeoReport v2) shape of the lookup: one service request, no personal data."""

import pytest
import time_machine

from dossiers.services.lookup import LOOKUP_LIMITED, LOOKUP_NOT_FOUND
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local

pytestmark = pytest.mark.django_db

FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "media_url",
}


@pytest.fixture
def at_agency(world, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()
    with time_machine.travel(local(2026, 3, 10, 8, 0), tick=False):
        return dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])


def test_does_answer_one_georeport_request_when_the_key_matches(client, at_agency):
    response = client.get(f"/api/v1/open311/requests/{at_agency.code}.json", {"key": at_agency.lookup_key})
    assert response.status_code == 200
    [request] = response.json()
    assert set(request) == FIELDS  # no address, lat/long or description: personal data stays out
    assert request == {
        "service_request_id": at_agency.code,
        "status": "open",
        "status_notes": "Hồ sơ đang được cơ quan có thẩm quyền giải quyết.",
        "service_name": "Cấp Phiếu lý lịch tư pháp",
        "service_code": "1.001193",
        "agency_responsible": "Sở Tư pháp",
        "requested_datetime": "2026-03-09T10:00:00+07:00",
        "updated_datetime": "2026-03-10T08:00:00+07:00",
        "expected_datetime": "2026-03-23T10:00:00+07:00",
        "media_url": None,
    }


def test_does_answer_the_same_when_asked_by_service_request_id(client, at_agency):
    by_path = client.get(f"/api/v1/open311/requests/{at_agency.code}.json", {"key": at_agency.lookup_key})
    by_query = client.get(
        "/api/v1/open311/requests.json", {"service_request_id": at_agency.code, "key": at_agency.lookup_key}
    )
    assert by_query.status_code == 200 and by_query.content == by_path.content


def test_does_close_the_request_when_the_result_is_ready(client, world, at_agency):
    with time_machine.travel(local(2026, 3, 12, 9, 0), tick=False):
        dossier_transition(dossier_id=at_agency.pk, action="transfer", actor=world["specialist"])
        dossier_transition(dossier_id=at_agency.pk, action="complete", actor=world["leader"])
    [request] = client.get(f"/api/v1/open311/requests/{at_agency.code}.json", {"key": at_agency.lookup_key}).json()
    assert request["status"] == "closed" and request["updated_datetime"] == "2026-03-12T09:00:00+07:00"


def test_cannot_tell_an_unknown_code_from_a_wrong_key_when_open311_is_asked(client, at_agency):
    unknown = at_agency.code[:-4] + "9999"
    answers = [
        client.get(f"/api/v1/open311/requests/{at_agency.code}.json", {"key": "WRONGKEY"}),
        client.get(f"/api/v1/open311/requests/{unknown}.json", {"key": at_agency.lookup_key}),
        client.get("/api/v1/open311/requests.json", {"service_request_id": unknown, "key": at_agency.lookup_key}),
        client.get("/api/v1/open311/requests.json", {"key": at_agency.lookup_key}),  # no id: no listing either
        client.get(f"/api/v1/public/dossiers/{unknown}", {"key": at_agency.lookup_key}),
    ]
    assert {(r.status_code, r.content) for r in answers} == {(answers[0].status_code, answers[0].content)}
    assert answers[0].status_code == 404
    assert answers[0].json() == {"code": "not_found", "message": str(LOOKUP_NOT_FOUND), "fields": {}}


@time_machine.travel(local(2026, 3, 10, 9, 0, 5), tick=False)
def test_does_refuse_with_429_when_open311_is_asked_too_often(client, settings, at_agency):
    settings.PORTAL_LOOKUP_RATE = "2/m"
    url = f"/api/v1/open311/requests/{at_agency.code}.json"
    statuses = [client.get(url, {"key": at_agency.lookup_key}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.get(url, {"key": at_agency.lookup_key})
    assert limited.json() == {"code": "rate_limited", "message": str(LOOKUP_LIMITED), "fields": {}}
    assert int(limited["Retry-After"]) == 30  # 2/m: one request every 30 s once the burst is spent
