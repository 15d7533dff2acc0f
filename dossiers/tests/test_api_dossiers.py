"""/api/v1/dossiers: receive, list, read, act — per shared/docs/api.md."""

import pytest
import time_machine

from dossiers import idempotency
from dossiers.models import DailySequence, Dossier, DossierEvent, UnitMembership
from dossiers.services import applicants, routing
from dossiers.services.tokens import api_token_create
from dossiers.tests.conftest import local
from dossiers.tests.fixtures import API_DOSSIER_BODY as BODY

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)[1]}"}


@pytest.fixture
def api(client, world):
    def call(method, path, user="clerk", data=None, **headers):
        auth = bearer(world[user]) if user else {}
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return getattr(client, method)(f"/api/v1{path}", data, **kwargs, **auth, **headers)

    call.client, call.world = client, world
    return call


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_receive_a_dossier_when_the_body_is_valid(api):
    response = api("post", "/dossiers", data=BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "000.00.01.H56-260309-0001" and body["status"] == 2
    assert body["status_label"] == "Được tiếp nhận"
    assert body["due_at"] == "2026-03-23T10:00:00+07:00" and len(body["lookup_key"]) == 8
    assert Dossier.objects.get(code=body["code"]).applicant_phone == "0914222333"


# One receipt: token; the unit with the clerk check and the calendar's and catalogue's versions
# (the procedure, its documents and routing steps come from the per-process catalogue cache);
# then on PostgreSQL one statement: the daily number, the dossier, its documents, events, clock
# entry, steps and outbox messages. Elsewhere the number, then one insert per table. The calendars
# come from their cache. The service is atomic on every database: two more, its SAVEPOINT and
# RELEASE inside the test's transaction (BEGIN and COMMIT in a request).
RECEIPT_QUERIES = {"postgresql": 5, "sqlite": 11}


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_receive_in_a_fixed_number_of_queries(api, django_assert_num_queries):
    from django.db import connection

    headers = bearer(api.world["clerk"])
    api("post", "/dossiers", data=BODY)  # loads the calendars and the catalogue bundle into their caches
    with django_assert_num_queries(RECEIPT_QUERIES[connection.vendor]):
        response = api.client.post("/api/v1/dossiers", BODY, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert dossier.register_line == 2 and dossier.events.count() == 2 and dossier.steps.count() == 4


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_write_five_digits_when_a_unit_passes_9999_dossiers_a_day(api, world):
    DailySequence.objects.create(unit=world["centre"], day=local(2026, 3, 9, 10, 0).date(), last=9999)
    response = api("post", "/dossiers", data=BODY)
    assert response.json()["code"] == "000.00.01.H56-260309-10000"
    assert Dossier.objects.get().register_line == 10000


@pytest.mark.parametrize("user", ["clerk", "specialist"])
def test_cannot_receive_at_a_centre_where_the_user_is_no_counter_clerk(api, world, user):
    centre = world["other_centre"] if user == "clerk" else world["centre"]
    if user == "specialist":  # a member of the centre, so only the missing clerk role refuses
        UnitMembership.objects.create(user=world["specialist"], unit=centre)
    body = {**BODY, "receiving_unit_code": centre.code}
    response = api("post", "/dossiers", user=user, data=body)
    assert response.status_code == 422 and response.json()["code"] == "forbidden", response.content
    assert Dossier.objects.count() == 0


def test_cannot_receive_when_unauthenticated(api):
    response = api("post", "/dossiers", user=None, data=BODY)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_cannot_receive_and_saves_nothing_when_the_input_is_invalid(api):
    bad = {**BODY, "applicant": {**BODY["applicant"], "phone": "12345", "id_number": "12"}}
    response = api("post", "/dossiers", data=bad)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["applicant.phone"] == str(applicants.PHONE_INVALID)
    assert fields["applicant.id_number"] == str(applicants.ID_NUMBER_INVALID)
    assert Dossier.objects.count() == 0 and DailySequence.objects.count() == 0


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"procedure_code": "0.000000"}, "procedure_code"),
        ({"channel": "fax"}, "channel"),
        ({"receiving_unit_code": "NOPE"}, "receiving_unit_code"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"applicant": {"name": "A"}}, "applicant.id_number"),
    ],
)
def test_cannot_receive_when_a_field_is_wrong(api, patch, field):
    response = api("post", "/dossiers", data={**BODY, **patch})
    assert response.status_code == 422 and field in response.json()["fields"]
    assert Dossier.objects.count() == 0


def test_does_answer_in_english_when_asked(api):
    response = api("post", "/dossiers", data={**BODY, "procedure_code": "0.000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and response.json()["message"] == "There is no procedure with this code."


def test_does_replay_the_first_answer_when_the_idempotency_key_repeats(api):
    first = api("post", "/dossiers", data=BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api("post", "/dossiers", data=BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Dossier.objects.count() == 1


def test_cannot_reuse_an_idempotency_key_with_another_body(api):
    api("post", "/dossiers", data=BODY, HTTP_IDEMPOTENCY_KEY="k-2")
    other = api("post", "/dossiers", data={**BODY, "set_count": 2}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 422 and other.json()["message"] == str(idempotency.KEY_REUSED)
    assert Dossier.objects.count() == 1


def test_does_list_only_visible_dossiers_newest_first(api, receive, world):
    mine = [receive().code for _ in range(2)]
    receive(receiving_unit=world["other_centre"], actor=world["other_clerk"])
    body = api("get", "/dossiers").json()
    assert [d["code"] for d in body["items"]] == mine[::-1] and body["count"] == 2


def test_does_say_the_count_is_a_lower_bound_when_more_dossiers_match_than_the_cap(api, receive, monkeypatch):
    from dossiers.models import dossier as model

    for _ in range(3):
        receive()
    monkeypatch.setattr(model, "COUNT_CAP", 3)
    exact = api("get", "/dossiers?page_size=1").json()
    monkeypatch.setattr(model, "COUNT_CAP", 2)
    capped = api("get", "/dossiers?page_size=1").json()
    assert (exact["count"], exact["count_exact"]) == (3, True)
    assert (capped["count"], capped["count_exact"]) == (2, False) and len(capped["items"]) == 1


def test_does_list_overdue_exactly_at_query_time(api, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        code = receive().code
    with time_machine.travel(local(2026, 3, 23, 9, 59), tick=False):
        assert api("get", "/dossiers?overdue=true").json()["count"] == 0
    with time_machine.travel(local(2026, 3, 23, 10, 1), tick=False):
        items = api("get", "/dossiers?overdue=true").json()["items"]
    assert [d["code"] for d in items] == [code] and items[0]["is_overdue"]


def test_does_keep_the_list_query_count_fixed(api, receive, django_assert_max_num_queries):
    for _ in range(3):
        receive()
    with django_assert_max_num_queries(8):
        small = api("get", "/dossiers?page_size=2")
    for _ in range(12):
        receive()
    with django_assert_max_num_queries(8):
        large = api("get", "/dossiers?page_size=15")
    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) == 15


def test_does_show_steps_events_and_version(api, receive):
    code = receive().code
    body = api("get", f"/dossiers/{code}").json()
    assert [s["name"] for s in body["steps"]] == ["Tiếp nhận", "Thẩm định", "Ký duyệt", "Trả kết quả"]
    assert [e["action"] for e in body["events"]] == ["submit", "receive"]
    assert body["version"] >= 1 and body["apologies"] == [] and "transfer" in body["allowed_actions"]
    assert body["due_at"].endswith("+07:00") and body["received_at"].endswith("+07:00")


def test_cannot_see_a_dossier_of_another_unit(api, receive, world):
    code = receive(receiving_unit=world["other_centre"], actor=world["other_clerk"]).code
    response = api("get", f"/dossiers/{code}")
    unknown = api("get", "/dossiers/NOPE-000000-0000")
    assert response.status_code == unknown.status_code == 404
    assert response.json() == unknown.json()


def test_does_move_the_dossier_when_the_action_is_allowed(api, receive):
    code = receive().code
    response = api("post", f"/dossiers/{code}/actions", data={"action": "transfer"})
    assert response.status_code == 200 and response.json()["status"] == 4
    assert response.json()["current_unit_code"] == "000.00.02.H56"


def test_cannot_act_when_the_transition_is_not_allowed_now(api, receive):
    code = receive().code
    response = api("post", f"/dossiers/{code}/actions", data={"action": "return_result"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert response.json()["message"] == str(routing.NOT_ALLOWED_NOW)


def test_cannot_act_when_the_version_is_stale(api, receive):
    dossier = receive()
    api("post", f"/dossiers/{dossier.code}/actions", data={"action": "transfer"})
    stale = api(
        "post",
        f"/dossiers/{dossier.code}/actions",
        user="specialist",
        data={"action": "request_supplement", "reason": "Thiếu", "version": dossier.version},
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"


def test_cannot_act_and_changes_nothing_when_the_input_is_bad(api, receive):
    code = receive().code
    events = DossierEvent.objects.count()
    for payload in (
        {"action": "fly"},
        {"action": "withdraw", "reason": ""},
        {"action": "transfer", "at": "2099-01-01T00:00:00+07:00"},
        {"action": "transfer", "to_unit_code": "NOPE"},
    ):
        response = api("post", f"/dossiers/{code}/actions", data=payload)
        assert response.status_code == 422, payload
    assert DossierEvent.objects.count() == events and Dossier.objects.get(code=code).status == 2


def test_cannot_act_when_the_role_does_not_allow_it(api, receive):
    code = receive().code
    response = api("post", f"/dossiers/{code}/actions", user="supervisor", data={"action": "transfer"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_does_serve_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/actions",
        "/api/v1/calendar/due",
        "/api/v1/procedures",
        "/api/v1/units",
    ):
        assert path in spec["paths"], path
