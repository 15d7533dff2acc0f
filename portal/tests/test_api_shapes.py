"""The portal's API JSON, byte for byte (issue 14 point 6): Open311 and GET /api/v1/kpis. The dicts
below are the hand-built answers as they were, in the order the API writes their keys, rendered
as the API renders (LocalTimeRenderer). The Out schemas that read the objects must give the same bytes."""

import json

import pytest
import time_machine

from dossiers.models import Dossier
from dossiers.public_status import public_status
from dossiers.renderers import LocalTimeJSONEncoder
from dossiers.services.routing import dossier_transition
from dossiers.tests.factories import UserFactory
from dossiers.tests.fixtures import local
from portal.kpis import kpi_rows, kpi_scope

pytestmark = pytest.mark.django_db


def rendered(value) -> bytes:
    return json.dumps(value, cls=LocalTimeJSONEncoder).encode()


# -- the reference: the hand-built answers as they were --------------------------------------------
def service_request_before(status: dict) -> dict:
    timeline = status["timeline"]
    return {
        "service_request_id": status["code"],
        "status": "closed" if status["is_finished"] else "open",
        "status_notes": status["status_text"],
        "service_name": status["procedure"],
        "service_code": status["procedure_code"],
        "agency_responsible": status["agency"],
        "requested_datetime": status["submitted_at"],
        "updated_datetime": timeline[-1]["at"] if timeline else status["submitted_at"],
        "expected_datetime": status["due_at"],
        "media_url": None,
    }


def status_of(dossier: Dossier) -> dict:
    return public_status(Dossier.objects.select_related("procedure", "current_unit", "lead_unit").get(pk=dossier.pk))


def open311(client, dossier: Dossier):
    by_path = client.get(f"/api/v1/open311/requests/{dossier.code}.json", {"key": dossier.lookup_key})
    by_query = client.get(
        "/api/v1/open311/requests.json", {"service_request_id": dossier.code, "key": dossier.lookup_key}
    )
    assert by_path.status_code == by_query.status_code == 200, by_path.content
    assert by_path.content == by_query.content
    return by_path.content


# -- the comparisons ------------------------------------------------------------------------------
def test_does_render_an_open_and_a_closed_service_request_as_before(client, world, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()
    with time_machine.travel(local(2026, 3, 10, 8, 0), tick=False):
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    opened = open311(client, dossier)
    assert opened == rendered([service_request_before(status_of(dossier))])
    assert b'"status": "open"' in opened and b'"updated_datetime": "2026-03-10T08:00:00+07:00"' in opened
    with time_machine.travel(local(2026, 3, 12, 9, 0), tick=False):
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["specialist"])
        dossier_transition(dossier_id=dossier.pk, action="complete", actor=world["leader"])
    closed = open311(client, dossier)
    assert closed == rendered([service_request_before(status_of(dossier))]) and b'"status": "closed"' in closed


def test_does_render_a_service_request_without_a_public_event_as_before(client, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive(submit_only=True)  # at the counter: its submission is no public event
    status = status_of(dossier)
    assert status["timeline"] == []
    assert open311(client, dossier) == rendered([service_request_before(status)])


@pytest.mark.parametrize("group_by", ["unit", "procedure", "field", "day"])
def test_does_render_the_kpis_as_before(client, history, group_by):
    boss = UserFactory(username="boss", is_superuser=True)
    client.force_login(boss)
    unit = history["agency"]
    response = client.get(
        "/api/v1/kpis", {"unit": unit.code, "from": "09/03/2026", "to": "2026-03-20", "group_by": group_by}
    )
    start, end = local(2026, 3, 9, 0, 0).date(), local(2026, 3, 20, 0, 0).date()
    items = kpi_rows(unit_ids=kpi_scope(boss, unit), start=start, end=end, group_by=group_by)
    expected = {"unit": unit.code, "from": start, "to": end, "group_by": group_by, "items": items}
    assert response.status_code == 200 and items and response.content == rendered(expected)
    assert response.content.startswith(
        b'{"unit": "' + unit.code.encode() + b'", "from": "2026-03-09", "to": "2026-03-20"'
    )


def test_does_render_the_kpis_of_the_whole_scope_as_before(client, history):
    client.force_login(UserFactory(username="boss", is_superuser=True))
    response = client.get("/api/v1/kpis", {"from": "2026-03-01", "to": "2026-03-31"})
    start, end = local(2026, 3, 1, 0, 0).date(), local(2026, 3, 31, 0, 0).date()
    items = kpi_rows(unit_ids=None, start=start, end=end, group_by="unit")
    expected = {"unit": None, "from": start, "to": end, "group_by": "unit", "items": items}
    assert response.status_code == 200 and items and response.content == rendered(expected)
