"""GET /api/v1/kpis, the KPI dashboard and the public results page."""

from io import BytesIO

import pytest
import time_machine
from django.db import connection
from openpyxl import load_workbook

from dossiers.tests.conftest import local
from dossiers.tests.factories import UnitFactory, UserFactory
from portal.api_kpis import BAD_DATE, BAD_GROUP, BAD_PERIOD

pytestmark = pytest.mark.django_db
URL = "/api/v1/kpis"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", is_superuser=True)


def test_does_return_the_contract_figures_when_a_superuser_asks(client, history, boss):
    client.force_login(boss)
    body = client.get(URL, MARCH).json()
    assert body["from"] == "2026-03-01" and body["group_by"] == "unit"
    [row] = body["items"]
    assert row["code"] == history["agency"].code
    expected = {"received": 2, "finished": 1, "early": 1, "on_time": 0, "late": 0, "open": 1, "open_overdue": 1}
    assert {k: row[k] for k in expected} == expected
    assert (row["on_time_rate"], row["online_rate"], row["satisfaction_rate"]) == (50.0, 50.0, 50.0)


def test_does_group_by_day_with_open_figures_at_each_day_end(client, history, boss):
    client.force_login(boss)
    items = client.get(URL, {"from": "2026-03-09", "to": "2026-03-24", "group_by": "day"}).json()["items"]
    by_day = {r["code"]: r for r in items}
    assert by_day["2026-03-09"]["received"] == 2 and by_day["2026-03-13"]["early"] == 1
    assert (by_day["2026-03-20"]["open"], by_day["2026-03-20"]["open_overdue"]) == (1, 0)
    assert by_day["2026-03-23"]["open_overdue"] == 1  # due Mon 23/03 10:00, judged at the day end


def test_cannot_read_kpis_when_not_a_supervisor(client, history):
    client.force_login(history["specialist"])
    assert client.get(URL, MARCH).status_code == 403
    client.logout()
    assert client.get(URL, MARCH).status_code == 401


def test_cannot_read_a_unit_outside_the_supervisors_subtree(client, history):
    client.force_login(history["supervisor"])
    assert client.get(URL, {**MARCH, "unit": history["centre"].code}).status_code == 200
    assert client.get(URL, {**MARCH, "unit": history["agency"].code}).status_code == 403


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "31-03-2026"}, "from", BAD_DATE),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from", BAD_PERIOD),
        ({"group_by": "officer"}, "group_by", BAD_GROUP),
    ],
)
def test_cannot_read_kpis_when_parameters_are_bad(client, boss, params, field, message):
    client.force_login(boss)
    response = client.get(URL, params)
    assert response.status_code == 422
    assert response.json()["fields"][field] == str(message)


# Session and user, the access grant (roles and units; the menu reads it too), calendar, unit labels,
# the open dossiers (one read; on PostgreSQL after setting its plan options), roll-ups, feedback, tables.
DASHBOARD_QUERIES = 12


def test_does_serve_the_dashboard_in_a_fixed_number_of_queries(client, history, boss, django_assert_num_queries):
    expected = DASHBOARD_QUERIES + (connection.vendor == "postgresql")
    client.force_login(boss)
    with django_assert_num_queries(expected):
        first = client.get("/giam-sat/chi-so/", MARCH)
    assert first.status_code == 200 and b"<svg" in first.content
    for i in range(5):
        UnitFactory(code=f"EXTRA.{i}")
    with django_assert_num_queries(expected):
        assert client.get("/giam-sat/chi-so/", MARCH).status_code == 200
    year = {"from": "2025-04-01", "to": "2026-03-31"}  # a longer period reads no more statements
    with django_assert_num_queries(expected):
        assert client.get("/giam-sat/chi-so/", year).status_code == 200


def _open_in_march(client) -> int:
    return client.get(URL, MARCH).json()["items"][0]["open"]


@pytest.mark.parametrize("seconds", [60, 0])
def test_does_share_open_figures_for_at_most_a_minute_when_snapshots_are_on(
    client, history, boss, receive, settings, seconds
):
    settings.PORTAL_KPI_SNAPSHOT_SECONDS = seconds
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kpi-snap"}}
    client.force_login(boss)
    with time_machine.travel(local(2026, 3, 20, 12, 0, 20), tick=False):
        assert _open_in_march(client) == 1
    with time_machine.travel(local(2026, 3, 20, 11, 59), tick=False):
        receive()  # received before the minute began: open at 12:00
    with time_machine.travel(local(2026, 3, 20, 12, 0, 40), tick=False):
        assert _open_in_march(client) == (1 if seconds else 2)  # the 12:00 snapshot, when on
    with time_machine.travel(local(2026, 3, 20, 12, 1, 5), tick=False):
        assert _open_in_march(client) == 2  # a minute later: judged again


def test_does_export_every_table_when_asked_for_xlsx(client, history, boss):
    client.force_login(boss)
    for table in ("units", "weeks", "months", "backlog", "late"):
        response = client.get("/giam-sat/chi-so/", {**MARCH, "format": "xlsx", "table": table})
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
        assert sheet.max_row >= 1 and sheet.cell(1, 1).value
    export = client.get("/giam-sat/chi-so/", {**MARCH, "format": "xlsx"})
    units = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    assert units.cell(2, 1).value == history["agency"].code and units.cell(2, 3).value == 2


def test_cannot_open_the_dashboard_when_not_a_supervisor(client, history):
    client.force_login(history["specialist"])
    assert client.get("/giam-sat/chi-so/").status_code == 403


def test_does_publish_monthly_results_without_personal_data(client, history):
    response = client.get("/cong-khai/ket-qua/", {"month": "03/2026"})
    assert response.status_code == 200
    assert "Sở Tư pháp" in response.content.decode()
    assert "Trần Thị Bình" not in response.content.decode()
