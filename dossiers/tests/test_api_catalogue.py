"""Public catalogue endpoints of /api/v1 (shared/docs/api.md): due times, procedures, units."""

from datetime import date, time
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from dossiers import calendar_store, errors
from dossiers.models import Procedure, Unit
from dossiers.services.calendar_days import calendar_day_set, calendar_seed_holidays
from dossiers.tests.factories import CentreFactory, ProcedureFactory, RequiredDocumentFactory, UnitFactory

pytestmark = pytest.mark.django_db
DUE = "/api/v1/calendar/due"


@pytest.fixture(autouse=True)
def _calendar():
    # The calendar cache is keyed by version; test databases reuse version ids.
    calendar_store._CACHE.clear()
    calendar_seed_holidays(years=[2026])
    yield
    calendar_store._CACHE.clear()


def get_due(client, **params):
    return client.get(f"{DUE}?{urlencode(params)}")


# -- /calendar/due -----------------------------------------------------------------
def test_does_return_due_at_with_the_vietnam_offset_when_computing_example_1(client):
    response = get_due(client, start="2026-03-09T10:00:00+07:00", amount="5", time_unit="working_days")
    assert response.status_code == 200
    body = response.json()
    assert body["due_at"] == "2026-03-16T10:00:00+07:00"
    assert body["explanation"][-1] == "Ngày hẹn trả: thứ Hai 16/03/2026 10:00."
    assert all(isinstance(line, str) for line in body["explanation"])


def test_does_explain_the_tet_holidays_when_the_period_crosses_them(client):
    response = get_due(client, start="2026-02-12T09:00:00+07:00", amount="3", time_unit="working_days")
    body = response.json()
    assert body["due_at"] == "2026-02-24T09:00:00+07:00"
    assert "Nghỉ 17/02/2026: Tết Nguyên Đán." in body["explanation"]
    assert "Không tính 4 ngày thứ Bảy, Chủ nhật." in body["explanation"]


def test_does_answer_in_local_time_when_start_is_given_in_utc(client):
    response = get_due(client, start="2026-03-09T03:00:00Z", amount="0.5", time_unit="working_days")
    assert response.json()["due_at"] == "2026-03-09T16:00:00+07:00"


def test_does_accept_an_unencoded_plus_when_the_offset_arrives_as_a_space(client):
    response = client.get(f"{DUE}?start=2026-03-09T10:00:00+07:00&amount=5&time_unit=working_days")
    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-03-16T10:00:00+07:00"


def test_does_read_a_naive_start_as_local_time_when_it_has_no_offset(client):
    response = get_due(client, start="2026-03-09T10:00:00", amount="8", time_unit="working_hours")
    assert response.json()["due_at"] == "2026-03-10T10:00:00+07:00"


def test_does_apply_the_cutoff_when_same_day_is_requested(client):
    response = get_due(client, start="2026-03-13T15:01:00+07:00", amount="0", time_unit="working_days", same_day="true")
    body = response.json()
    assert body["due_at"] == "2026-03-16T17:30:00+07:00"
    assert "Nhận sau 15:00: trả kết quả vào ngày làm việc tiếp theo." in body["explanation"]


def test_does_use_the_units_calendar_when_unit_is_given(client):
    centre = CentreFactory(afternoon_closes=time(17, 0))
    calendar_day_set(day=date(2026, 4, 27), is_working=True, name="Trực tiếp nhận hồ sơ", unit=centre)
    params = {"start": "2026-04-24T16:00:00+07:00", "amount": "2", "time_unit": "working_days"}
    assert get_due(client, **params).json()["due_at"] == "2026-04-29T16:00:00+07:00"
    assert get_due(client, **params, unit=centre.code).json()["due_at"] == "2026-04-28T16:00:00+07:00"
    closing = get_due(client, start="2026-03-09T07:30:00+07:00", amount="1", time_unit="working_days", unit=centre.code)
    assert closing.json()["due_at"] == "2026-03-09T17:00:00+07:00"


def test_does_count_calendar_days_when_time_unit_is_months(client):
    response = get_due(client, start="2026-03-31T10:00:00+07:00", amount="1", time_unit="months")
    assert response.json()["due_at"] == "2026-05-04T17:30:00+07:00"


VALID = {"start": "2026-03-09T10:00:00+07:00", "amount": "5", "time_unit": "working_days"}


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"start": None}, "start", "Dữ liệu không hợp lệ."),
        ({"amount": None}, "amount", "Dữ liệu không hợp lệ."),
        ({"time_unit": None}, "time_unit", "Dữ liệu không hợp lệ."),
        ({"start": "hôm qua"}, "start", errors.BAD_START),
        ({"start": "2026-13-45T10:00"}, "start", errors.BAD_START),
        ({"amount": "-1"}, "amount", errors.BAD_AMOUNT),
        ({"amount": "abc"}, "amount", errors.BAD_AMOUNT),
        ({"amount": "NaN"}, "amount", errors.BAD_AMOUNT),
        ({"amount": "1e400"}, "amount", errors.BAD_AMOUNT),
        ({"time_unit": "weeks"}, "time_unit", errors.BAD_TIME_UNIT),
        ({"unit": "KHONG.CO"}, "unit", errors.UNKNOWN_UNIT),
        ({"amount": "1.5", "time_unit": "calendar_days"}, "amount", errors.BAD_AMOUNT),
        ({"amount": "1.5", "time_unit": "months"}, "amount", errors.BAD_AMOUNT),
        ({"start": "1990-01-01T10:00:00+07:00"}, "start", errors.OUT_OF_RANGE),
        ({"start": "2070-01-01T10:00:00+07:00"}, "start", errors.OUT_OF_RANGE),
        ({"amount": "600", "time_unit": "months"}, "start", errors.OUT_OF_RANGE),
    ],
)
def test_cannot_compute_a_due_time_when_a_parameter_is_bad(client, override, field, message):
    params = {k: v for k, v in {**VALID, **override}.items() if v is not None}
    response = get_due(client, **params)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid_input"
    assert body["message"] == str(message)
    assert field in body["fields"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "0001-01-01T00:00:00+08:00", "amount": "1", "time_unit": "working_days"},
        {"start": "9999-12-31T23:00:00-05:00", "amount": "1", "time_unit": "working_days"},
        {"start": "2060-12-31T18:00:00+07:00", "amount": "0", "time_unit": "working_hours"},
        {"start": "2060-12-31T10:00:00+07:00", "amount": "10000", "time_unit": "months"},
        {"start": "2026-03-09T10:00:00+07:00", "amount": "10000", "time_unit": "working_days"},
        {"start": "2026-03-09T10:00:00+07:00", "amount": "1", "time_unit": "working_days", "same_day": "maybe"},
        {"start": "x" * 5000, "amount": "9" * 5000, "time_unit": "y" * 5000},
    ],
)
def test_cannot_fail_with_500_when_inputs_are_extreme(client, params):
    response = get_due(client, **params)
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "fields"}


# -- /procedures -------------------------------------------------------------------
@pytest.fixture
def catalogue():
    agency = UnitFactory(code="000.00.05.H56", name="Sở Tư pháp")
    birth = ProcedureFactory(national_code="1.001193", name="Đăng ký khai sinh", lead_agency=agency)
    RequiredDocumentFactory(procedure=birth, name="Giấy chứng sinh", position=1)
    RequiredDocumentFactory(procedure=birth, name="Tờ khai đăng ký khai sinh", position=2)
    business = ProcedureFactory(
        national_code="2.000635", name="Đăng ký thành lập hộ kinh doanh", time_unit="working_days"
    )
    ProcedureFactory(national_code="9.999999", name="Đăng ký đã bãi bỏ", is_active=False)
    return agency, birth, business


def test_does_list_active_procedures_with_their_documents_when_called_without_filters(client, catalogue):
    _, birth, _ = catalogue
    body = client.get("/api/v1/procedures").json()
    codes = [p["code"] for p in body]
    assert codes == ["1.001193", "2.000635"]
    first = body[0]
    assert first["name"] == "Đăng ký khai sinh"
    assert first["field"] == birth.field.name
    assert first["time_unit"] == "working_days"
    assert Decimal(str(first["processing_time"])) == birth.processing_time
    assert [d["name"] for d in first["required_documents"]] == ["Giấy chứng sinh", "Tờ khai đăng ký khai sinh"]


@pytest.mark.parametrize(("q", "expected"), [("khai sinh", ["1.001193"]), ("2.000635", ["2.000635"]), ("zzz", [])])
def test_does_filter_procedures_when_q_matches_name_or_code(client, catalogue, q, expected):
    body = client.get("/api/v1/procedures", {"q": q}).json()
    assert [p["code"] for p in body] == expected


def test_does_filter_procedures_when_unit_is_the_lead_agency(client, catalogue):
    agency, _, _ = catalogue
    body = client.get("/api/v1/procedures", {"unit": agency.code}).json()
    assert [p["code"] for p in body] == ["1.001193"]


def test_does_list_the_levels_procedures_when_unit_is_a_centre(client, catalogue):
    ProcedureFactory(national_code="1.000001", name="Chứng thực bản sao", level=Procedure.Level.COMMUNE)
    centre = CentreFactory(level=Unit.Level.COMMUNE)
    body = client.get("/api/v1/procedures", {"unit": centre.code}).json()
    assert [p["code"] for p in body] == ["1.000001"]


def test_cannot_list_procedures_when_unit_is_unknown(client, catalogue):
    response = client.get("/api/v1/procedures", {"unit": "KHONG.CO"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"unit": str(errors.UNKNOWN_UNIT)}


def test_does_list_procedures_in_few_queries_when_there_are_many(client, catalogue, django_assert_max_num_queries):
    for n in range(10):
        RequiredDocumentFactory(procedure=ProcedureFactory(national_code=f"3.{n:06d}"))
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/v1/procedures").json()) == 12


# -- /units ------------------------------------------------------------------------
@pytest.fixture
def units():
    centre = CentreFactory(code="000.00.01.H56", name="Trung tâm Phục vụ hành chính công tỉnh")
    UnitFactory(code="000.01.01.H56", name="Phòng Hộ tịch", kind=Unit.Kind.DEPARTMENT, parent=centre)
    UnitFactory(code="000.00.09.H56", name="Đơn vị đã giải thể", is_active=False)
    return centre


def test_does_give_the_parent_code_when_listing_units(client, units):
    body = {u["code"]: u for u in client.get("/api/v1/units").json()}
    assert set(body) == {"000.00.01.H56", "000.01.01.H56"}
    assert body["000.01.01.H56"]["parent_code"] == "000.00.01.H56"
    assert body["000.00.01.H56"]["parent_code"] is None
    assert set(body["000.00.01.H56"]) >= {"code", "name", "kind", "parent_code"}


def test_does_filter_units_when_q_or_kind_is_given(client, units):
    assert [u["code"] for u in client.get("/api/v1/units", {"q": "hộ tịch"}).json()] == ["000.01.01.H56"]
    assert [u["code"] for u in client.get("/api/v1/units", {"kind": "centre"}).json()] == ["000.00.01.H56"]


def test_does_list_units_in_one_query_when_units_have_parents(client, units, django_assert_max_num_queries):
    for n in range(10):
        UnitFactory(code=f"000.02.{n:02d}.H56", parent=units)
    with django_assert_max_num_queries(1):
        assert len(client.get("/api/v1/units").json()) == 12
