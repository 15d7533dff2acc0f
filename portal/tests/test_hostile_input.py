"""Hostile input never gives a 500 (issue 12, point 3): dates outside the calendar, offsets no database
takes, NUL past the first megabyte, appointments beyond the limit. Each entry point has its
example (what a reviewer sent) and a hypothesis property over the whole range of its input."""

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers.errors import OUT_OF_RANGE
from dossiers.models import Apology, Dossier
from dossiers.services.apologies import NEW_DUE_TOO_LATE
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import API_DOSSIER_BODY, local
from dossiers.tests.test_api_dossiers import bearer
from feedback.models import Petition

pytestmark = pytest.mark.django_db
NOW = local(2026, 3, 20, 9, 0)  # a Friday; the world's dossier is due Mon 23/03/2026 10:00
JSON = {"content_type": "application/json"}
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Every instant from year 1 to 9999, with any offset ISO 8601 allows (±23:59; PostgreSQL takes ±15:59).
OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
INSTANTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS)
DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@pytest.fixture
def at_agency(world, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        return dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield


def _field(response) -> set[str]:
    return set(response.json()["fields"])


# -- the reviewer's twelve ------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["12/9999", "1/1", "1/99999999999", "13/2026", "x"])
def test_cannot_break_the_public_results_when_the_month_is_outside_the_calendar(client, now, month):
    response = client.get(reverse("public-results"), {"month": month})
    assert response.status_code == 400 and "Tháng không hợp lệ" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [({"from": "0001-01-01", "to": "0001-01-02"}, "from"), ({"from": "2061-01-01", "to": "9999-12-31"}, "from")],
)
def test_cannot_break_the_kpi_api_when_a_date_is_outside_the_calendar(client, world, now, query, field):
    response = client.get("/api/v1/kpis", query, **bearer(world["supervisor"]))
    assert response.status_code == 422 and response.json()["fields"] == {field: str(OUT_OF_RANGE)}


def test_cannot_break_the_dashboard_when_a_date_is_outside_the_calendar(client, world, now):
    client.force_login(world["supervisor"])
    for query in ({"from": "0001-01-01", "to": "0001-01-05"}, {"format": "xlsx", "from": "9999-12-01"}):
        response = client.get(reverse("kpi-dashboard"), query)
        assert response.status_code == 400 and str(OUT_OF_RANGE) in response.content.decode()


@pytest.mark.parametrize("due_before", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31"])
def test_cannot_break_the_dossier_list_when_due_before_is_out_of_range(client, world, now, due_before):
    response = client.get("/api/v1/dossiers", {"due_before": due_before}, **bearer(world["clerk"]))
    assert response.status_code == 422 and _field(response) == {"due_before"}


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-23:59", "0001-01-01"])
def test_cannot_receive_a_dossier_when_received_at_is_outside_the_calendar(client, world, now, received_at):
    response = client.post(
        "/api/v1/dossiers", API_DOSSIER_BODY | {"received_at": received_at}, **JSON, **bearer(world["clerk"])
    )
    assert response.status_code == 422 and _field(response) == {"received_at"}
    assert not Dossier.objects.exists()


def test_cannot_receive_a_dossier_when_received_at_is_before_the_units_go_live(client, world, now, settings):
    world["centre"].go_live = date(2026, 3, 2)
    world["centre"].save()
    headers = bearer(world["clerk"])
    early = client.post(
        "/api/v1/dossiers", API_DOSSIER_BODY | {"received_at": "2026-03-01T16:00:00+07:00"}, **JSON, **headers
    )
    message = "Thời điểm tiếp nhận không được trước ngày đơn vị bắt đầu sử dụng hệ thống (02/03/2026)."
    assert early.status_code == 422 and early.json()["fields"] == {"received_at": message}
    on_the_day = client.post(
        "/api/v1/dossiers", API_DOSSIER_BODY | {"received_at": "2026-03-02T07:30:00+07:00"}, **JSON, **headers
    )
    assert on_the_day.status_code == 201
    settings.PORTAL_GO_LIVE = "2026-03-10"  # the setting is the fallback only: the unit's own date wins
    again = client.post(
        "/api/v1/dossiers", API_DOSSIER_BODY | {"received_at": "2026-03-02T07:30:00+07:00"}, **JSON, **headers
    )
    assert again.status_code == 201


def test_cannot_receive_a_dossier_when_received_at_is_in_the_future(client, world, now):
    headers = bearer(world["clerk"])
    an_hour_ahead = (NOW + timedelta(hours=1)).isoformat()
    response = client.post("/api/v1/dossiers", API_DOSSIER_BODY | {"received_at": an_hour_ahead}, **JSON, **headers)
    assert response.status_code == 422 and _field(response) == {"received_at"}
    assert not Dossier.objects.exists()
    an_hour_ago = (NOW - timedelta(hours=1)).isoformat()  # the same body, in the past: received
    response = client.post("/api/v1/dossiers", API_DOSSIER_BODY | {"received_at": an_hour_ago}, **JSON, **headers)
    assert response.status_code == 201 and Dossier.objects.count() == 1


def test_cannot_receive_a_dossier_when_received_at_is_before_the_configured_go_live(client, world, now, settings):
    settings.PORTAL_GO_LIVE = "2026-03-02"
    response = client.post(
        "/api/v1/dossiers",
        API_DOSSIER_BODY | {"received_at": "2026-02-27T10:00:00+07:00"},
        **JSON,
        **bearer(world["clerk"]),
    )
    assert response.status_code == 422 and _field(response) == {"received_at"}


@pytest.mark.parametrize(
    ("new_due_at", "message"),
    [
        ("9999-12-31T23:59:59+07:00", str(OUT_OF_RANGE)),
        ("9999-12-31T23:59:59-23:59", str(OUT_OF_RANGE)),
        ("2099-12-31T10:00:00+07:00", str(OUT_OF_RANGE)),
        # 60 working days after Mon 23/03/2026 10:00: Thu 18/06/2026 10:00 (27/04, 30/04 and 01/05 off).
        ("2026-06-18T10:01:00+07:00", str(NEW_DUE_TOO_LATE % {"days": 60, "latest": "18/06/2026 10:00"})),
    ],
)
def test_cannot_apologise_through_the_api_when_the_new_appointment_is_out_of_bounds(
    client, world, at_agency, now, new_due_at, message
):
    body = {"reason": "Chờ xác minh", "new_due_at": new_due_at}
    response = client.post(f"/api/v1/dossiers/{at_agency.code}/apologies", body, **JSON, **bearer(world["leader"]))
    assert response.status_code == 422 and response.json()["fields"] == {"new_due_at": message}
    assert not Apology.objects.exists()


def test_does_allow_the_longest_extension_when_it_is_exactly_the_limit(client, world, at_agency, now):
    body = {"reason": "Chờ xác minh", "new_due_at": "2026-06-18T10:00:00+07:00"}
    response = client.post(f"/api/v1/dossiers/{at_agency.code}/apologies", body, **JSON, **bearer(world["leader"]))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"new_due_at": "31/12/9999 23:59"}, str(OUT_OF_RANGE)),
        ({"new_due_at": "19/06/2026 08:00"}, str(NEW_DUE_TOO_LATE % {"days": 60, "latest": "18/06/2026 10:00"})),
        ({"extension_days": "61"}, "Gia hạn tối đa 60 ngày làm việc."),
    ],
)
def test_cannot_draft_on_the_staff_page_when_the_new_appointment_is_out_of_bounds(
    client, world, at_agency, now, post, message
):
    client.force_login(world["specialist"])
    url = reverse("staff:apology-new", args=[at_agency.code])
    for extra in ({}, {"preview": "1"}):
        response = client.post(url, {"reason": "Chờ xác minh"} | post | extra)
        assert response.status_code == 422 and response.context["form"].errors == {list(post)[0]: [message]}
    assert not Apology.objects.exists()


def test_cannot_sign_a_draft_dated_beyond_the_limits_and_nothing_moves(client, world, at_agency, now):
    # Drafted before the limits existed: 2099, past the working calendar.
    draft = Apology.objects.create(
        dossier=at_agency,
        unit=world["agency"],
        reason="Chờ xác minh",
        original_due_at=at_agency.due_at,
        new_due_at=local(2099, 12, 31, 10, 0),
        drafted_by=world["specialist"],
        drafted_at=NOW,
    )
    client.force_login(world["leader"])
    response = client.post(reverse("staff:apology", args=[draft.pk]), {"confirmed": "on"})
    assert response.status_code == 422 and str(OUT_OF_RANGE) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Apology.Status.DRAFT and Dossier.objects.get(pk=at_agency.pk).due_at == at_agency.due_at


def test_cannot_back_date_an_action_with_an_offset_no_database_takes(client, world, at_agency, now):
    body = {"action": "request_supplement", "reason": "Thiếu giấy tờ", "at": "2026-03-19T23:59:00-23:59"}
    response = client.post(f"/api/v1/dossiers/{at_agency.code}/actions", body, **JSON, **bearer(world["specialist"]))
    assert response.status_code == 422 and _field(response) == {"at"}


@pytest.mark.parametrize("where", [0, 1024 * 1024 - 3, 1024 * 1024 + 10, 5 * 1024 * 1024])
def test_cannot_store_a_nul_wherever_it_sits_in_a_json_body(client, world, where):
    body = '{"subject": "s",' + " " * where + '"content": "a\\u0000b", "name": "Phạm Thị Dung"}'
    response = client.post("/api/v1/public/petitions", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


NUL_BODIES = {
    "/api/v1/public/petitions": {"subject": "Phản ánh", "content": "Nội dung", "name": "Phạm Thị Dung"},
    "/api/v1/dossiers": API_DOSSIER_BODY,
}


@settings(PROPERTY, max_examples=15)
@given(
    url=st.sampled_from(sorted(NUL_BODIES)),
    pad=st.integers(0, 3 * 1024 * 1024),
    escaped=st.booleans(),
    where=st.floats(0, 1),
)
def test_cannot_store_a_nul_at_any_offset_of_a_json_body(client, world, url, pad, escaped, where):
    """A raw NUL byte anywhere in the body (padding, key, value, inside a UTF-8 sequence), or the
    escape \\u0000 inside a string after the padding: 422, never a 500, and nothing written."""
    text = json.dumps(NUL_BODIES[url], ensure_ascii=False)
    if escaped:  # in the last string value, after `pad` bytes of whitespace
        end = text.rindex('"')
        body = ("{" + " " * pad + text[1:end] + "\\u0000" + text[end:]).encode()
    else:
        plain = ("{" + " " * pad + text[1:]).encode()
        at = round(where * len(plain))
        body = plain[:at] + b"\x00" + plain[at:]
    response = client.post(url, body, content_type="application/json", **bearer(world["clerk"]))
    assert response.status_code == 422, (response.status_code, response.content[:300])
    assert not Dossier.objects.exists() and not Petition.objects.exists()


def test_cannot_break_the_register_when_a_date_filter_is_outside_the_calendar(client, world, now):
    client.force_login(world["clerk"])
    response = client.get(reverse("staff:register"), {"date_to": "31/12/9999", "date_from": "01/01/0001"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"date_from", "date_to"}


# -- properties over the whole range ------------------------------------------------------------


def _iso(instant: datetime, naive: bool) -> str:
    return instant.replace(tzinfo=None).isoformat() if naive else instant.isoformat()


@PROPERTY
@given(start=DAYS, length=st.integers(0, 400), fmt=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y"]))
def test_does_answer_the_kpis_or_422_whatever_the_period(client, world, start, length, fmt):
    end = min(start + timedelta(days=length), date(9999, 12, 31))
    query = {"from": start.strftime(fmt), "to": end.strftime(fmt), "group_by": "day"}
    response = client.get("/api/v1/kpis", query, **bearer(world["supervisor"]))
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert _field(response) <= {"from", "to"}


@PROPERTY
@given(start=DAYS, length=st.integers(0, 400))
def test_does_show_the_dashboard_or_400_whatever_the_period(client, world, start, length):
    client.force_login(world["supervisor"])
    end = min(start + timedelta(days=length), date(9999, 12, 31))
    response = client.get(reverse("kpi-dashboard"), {"from": start.isoformat(), "to": end.isoformat()})
    assert response.status_code in (200, 400)


@PROPERTY
@given(month=st.integers(-1, 14), year=st.integers(-10, 10**12))
def test_does_show_the_public_results_or_400_whatever_the_month(client, world, month, year):
    response = client.get(reverse("public-results"), {"month": f"{month}/{year}"})
    assert response.status_code in (200, 400)


@PROPERTY
@given(instant=INSTANTS, naive=st.booleans())
def test_does_list_dossiers_or_422_whatever_due_before(client, world, instant, naive):
    response = client.get("/api/v1/dossiers", {"due_before": _iso(instant, naive)}, **bearer(world["clerk"]))
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert _field(response) == {"due_before"}


@PROPERTY
@given(instant=INSTANTS, naive=st.booleans())
def test_does_receive_or_422_whatever_received_at(client, world, instant, naive):
    body = API_DOSSIER_BODY | {"received_at": _iso(instant, naive)}
    with time_machine.travel(NOW, tick=False):
        response = client.post("/api/v1/dossiers", body, **JSON, **bearer(world["clerk"]))
    assert response.status_code in (201, 422), response.content
    if response.status_code == 422:
        assert _field(response) == {"received_at"}


@PROPERTY
@given(instant=INSTANTS)
def test_does_apologise_or_refuse_whatever_the_new_appointment(client, world, at_agency, instant):
    body = {"reason": "Chờ xác minh", "new_due_at": instant.isoformat()}
    with time_machine.travel(NOW, tick=False):
        response = client.post(f"/api/v1/dossiers/{at_agency.code}/apologies", body, **JSON, **bearer(world["leader"]))
    assert response.status_code in (201, 409, 422), response.content
    if response.status_code == 422:
        assert _field(response) == {"new_due_at"}


@settings(PROPERTY, max_examples=15)
@given(day=DAYS, hour=st.integers(0, 23), preview=st.booleans())
def test_does_draft_and_sign_or_refuse_on_the_staff_pages_whatever_date_is_typed(
    client, world, at_agency, day, hour, preview
):
    post = {"reason": "Chờ xác minh", "new_due_at": f"{day:%d/%m/}{day.year:04d} {hour:02d}:00"}
    with time_machine.travel(NOW, tick=False):
        client.force_login(world["specialist"])
        drafted = client.post(
            reverse("staff:apology-new", args=[at_agency.code]), post | ({"preview": "1"} if preview else {})
        )
        assert drafted.status_code in (200, 302, 409, 422)
        if drafted.status_code == 302:  # whatever was drafted, its leader's signature is never a 500
            client.force_login(world["leader"])
            signed = client.post(drafted["Location"])
            assert signed.status_code in (302, 409)


@PROPERTY
@given(extension=st.decimals("0.5", "99", places=1))
def test_does_preview_or_refuse_on_the_staff_page_whatever_extension_is_asked(client, world, at_agency, extension):
    client.force_login(world["specialist"])
    url = reverse("staff:apology-new", args=[at_agency.code])
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"reason": "Chờ xác minh", "extension_days": str(extension), "preview": "1"})
    assert response.status_code == (200 if extension <= 60 else 422)


@PROPERTY
@given(instant=INSTANTS)
def test_does_act_or_refuse_whatever_the_back_dated_time(client, world, at_agency, instant):
    body = {"action": "request_supplement", "reason": "Thiếu giấy tờ", "at": instant.isoformat()}
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            f"/api/v1/dossiers/{at_agency.code}/actions", body, **JSON, **bearer(world["specialist"])
        )
    assert response.status_code in (200, 409, 422), response.content


def test_does_name_the_limit_in_english_when_the_client_asks_for_english(client, world, at_agency, now):
    body = {"reason": "Waiting for verification", "new_due_at": "2026-06-18T10:01:00+07:00"}
    response = client.post(
        f"/api/v1/dossiers/{at_agency.code}/apologies",
        body,
        **JSON,
        **bearer(world["leader"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["fields"] == {
        "new_due_at": "The new appointment cannot be more than 60 working days after the current one "
        "(18/06/2026 10:00 at the latest)."
    }
