"""The public pages: home, catalogue, a procedure, the centres — real data, searchable, flat queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from dossiers.models import Procedure, RequiredDocument, Unit
from dossiers.tests.factories import CentreFactory, FieldFactory, ProcedureFactory, RequiredDocumentFactory
from dossiers.wording import number_text
from portal.public import money_text

pytestmark = pytest.mark.django_db

# A site without the feedback app's pages (see the test using it).
urlpatterns = [
    path("", include("portal.urls_public")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
]


@pytest.fixture
def catalogue(world):
    """The world's procedure (50.000 đồng, 10 working days) and a free, shortened commune one."""
    civil = FieldFactory(code="HT", name="Hộ tịch")
    birth = ProcedureFactory(
        national_code="2.000635",
        name="Đăng ký khai sinh",
        field=civil,
        level=Procedure.Level.COMMUNE,
        lead_agency=None,
        legal_processing_time=Decimal(3),
        committed_processing_time=Decimal("0.5"),
        shortening_decision="Quyết định 1234/QĐ-UBND",
        fee=Decimal(0),
        online_level=Procedure.OnlineLevel.FULL,
        result_name="Giấy khai sinh",
        legal_basis="Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP",
    )
    RequiredDocumentFactory(procedure=birth, position=1, name="Tờ khai đăng ký khai sinh")
    RequiredDocumentFactory(
        procedure=birth,
        position=2,
        name="Giấy chứng sinh",
        copy_kind=RequiredDocument.CopyKind.CERTIFIED,
        count=2,
        is_mandatory=False,
    )
    Unit.objects.filter(pk=world["centre"].pk).update(phone="0258 3822 111", address="01 Trần Phú, Nha Trang")
    Unit.objects.filter(pk=world["other_centre"].pk).update(address="45 Yersin, Nha Trang", saturday_morning=True)
    return {"lltp": world["procedure"], "birth": birth}


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_does_write_money_and_numbers_the_vietnamese_way_when_formatted():
    assert money_text(Decimal(50000)) == "50.000 đồng"
    assert money_text(Decimal(1250000)) == "1.250.000 đồng"
    assert money_text(Decimal(0)) == "Miễn phí"
    assert number_text(Decimal("10.0")) == "10" and number_text(Decimal("0.5")) == "0,5"


def test_does_show_documents_fee_time_and_where_to_file_when_a_procedure_is_opened(client, catalogue):
    html = text(client.get("/thu-tuc/1.001193/"))
    for expected in (
        "Cấp Phiếu lý lịch tư pháp",
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
        "Bản chụp CCCD",
        "Bản chính · 1 bản · bắt buộc",
        '<p class="big" id="fee">50.000 đồng</p>',
        '<p class="big" id="processing-time">10 ngày làm việc</p>',
        "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa",  # a province-level centre
        "Sở Tư pháp",  # the lead agency
        "Một phần",  # online level
    ):
        assert expected in html, expected
    assert "Trung tâm PVHCC phường Nha Trang" not in html  # commune centres do not take province procedures


def test_does_show_free_and_the_committed_time_when_a_procedure_is_shortened(client, catalogue):
    html = text(client.get("/thu-tuc/2.000635/"))
    assert '<p class="big" id="fee">Miễn phí</p>' in html
    assert '<p class="big" id="processing-time">0,5 ngày làm việc</p>' in html
    assert "thời hạn theo quy định (3 ngày làm việc)" in html and "Quyết định 1234/QĐ-UBND" in html
    assert "Bản sao chứng thực · 2 bản · nếu có" in html
    assert "Trung tâm PVHCC phường Nha Trang" in html and "Ủy ban nhân dân xã, phường" in html
    assert "Giấy khai sinh" in html and "Nghị định 123/2015/NĐ-CP" in html and "Toàn trình" in html


def test_cannot_open_a_procedure_when_it_is_unknown_or_no_longer_applied(client, catalogue):
    Procedure.objects.filter(pk=catalogue["birth"].pk).update(is_active=False)
    assert client.get("/thu-tuc/2.000635/").status_code == 404
    assert client.get("/thu-tuc/9.999999/").status_code == 404


@pytest.mark.parametrize(
    ("query", "found", "missing"),
    [
        ({"q": "khai sinh"}, "Đăng ký khai sinh", "Cấp Phiếu lý lịch tư pháp"),
        ({"q": "1.001193"}, "Cấp Phiếu lý lịch tư pháp", "Đăng ký khai sinh"),
        ({"field": "HT"}, "Đăng ký khai sinh", "Cấp Phiếu lý lịch tư pháp"),
    ],
)
def test_does_find_procedures_when_searched_by_name_code_or_field(client, catalogue, query, found, missing):
    html = text(client.get("/thu-tuc/", query))
    assert found in html and missing not in html
    assert "Tìm thấy 1 thủ tục." in html


def test_does_show_fee_and_time_in_the_catalogue_when_listed(client, catalogue):
    html = text(client.get("/thu-tuc/"))
    assert "Tìm thấy 2 thủ tục." in html
    assert "50.000 đồng" in html and "Miễn phí" in html and "0,5 ngày làm việc" in html
    assert 'href="/thu-tuc/2.000635/"' in html


def test_does_paginate_the_catalogue_when_it_has_many_procedures(client, catalogue):
    field = FieldFactory(code="DD", name="Đất đai")
    for n in range(45):
        ProcedureFactory(national_code=f"3.{n:06d}", name=f"Thủ tục đất đai số {n:02d}", field=field)
    first = text(client.get("/thu-tuc/", {"field": "DD"}))
    third = text(client.get("/thu-tuc/", {"field": "DD", "page": 3}))
    assert "Trang 1/3" in first and "?field=DD&amp;page=2" in first
    assert "Thủ tục đất đai số 00" in first and "Thủ tục đất đai số 20" not in first
    assert "Thủ tục đất đai số 44" in third and "Thủ tục đất đai số 00" not in third


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_does_keep_the_catalogue_queries_flat_when_rows_grow(client, catalogue, django_assert_max_num_queries):
    few = _queries(client, "/thu-tuc/")
    for n in range(30):
        procedure = ProcedureFactory(national_code=f"4.{n:06d}", field=FieldFactory())
        RequiredDocumentFactory(procedure=procedure)
    assert _queries(client, "/thu-tuc/") == few
    with django_assert_max_num_queries(4):
        client.get("/thu-tuc/", {"page": 2})


def test_does_list_centres_with_office_hours_grouped_by_level(client, catalogue):
    html = text(client.get("/trung-tam/"))
    province, commune = html.split('<h2 id="level-')[1:]
    assert province.startswith('1">Cấp tỉnh') and "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa" in province
    assert commune.startswith('2">Cấp xã') and "Trung tâm PVHCC phường Nha Trang" in commune
    assert '<span class="nowrap">07:30–11:30, 13:30–17:30</span>' in province and 'href="tel:02583822111"' in province
    assert "Sáng thứ Bảy" not in province and "Sáng thứ Bảy" in commune  # the commune centre opens on Saturdays
    assert "45 Yersin, Nha Trang" in commune
    assert "Sở Tư pháp" not in html  # agencies are not centres


def test_does_find_centres_when_searched_by_name_or_address(client, catalogue):
    html = text(client.get("/trung-tam/", {"q": "Yersin"}))
    assert "Trung tâm PVHCC phường Nha Trang" in html and "tỉnh Khánh Hòa" not in html
    html = text(client.get("/trung-tam/", {"level": "province"}))
    assert "tỉnh Khánh Hòa" in html and "phường Nha Trang" not in html


def test_does_keep_the_centres_queries_flat_when_rows_grow(client, catalogue, django_assert_max_num_queries):
    few = _queries(client, "/trung-tam/")
    for _ in range(40):
        CentreFactory(level=Unit.Level.COMMUNE)
    assert _queries(client, "/trung-tam/") == few
    with django_assert_max_num_queries(2):
        client.get("/trung-tam/")


def test_does_offer_lookup_search_centres_and_feedback_when_home_is_opened(client, catalogue):
    html = text(client.get("/"))
    assert '<form class="lookup-form" action="/tra-cuu/" method="get">' in html
    assert '<label for="lookup-code">Mã hồ sơ</label>' in html and 'name="key"' in html
    assert 'action="/thu-tuc/" method="get"' in html and '<label for="home-q">' in html
    assert 'href="/trung-tam/"' in html and 'href="/thu-tuc/?field=HT"' in html
    assert 'href="/phan-anh/gui/"' in html and 'href="/phan-anh/"' in html
    assert "<script" not in html  # the public pages need no JavaScript


@pytest.mark.urls(__name__)
def test_does_render_home_when_the_feedback_pages_are_not_wired(client, catalogue):
    html = text(client.get("/"))
    assert "Tra cứu hồ sơ" in html and "/phan-anh/" not in html


def test_does_ask_for_both_fields_when_the_lookup_form_is_incomplete(client):
    html = text(client.get("/tra-cuu/", {"code": "000.00.01.H56-260309-0001", "key": ""}))
    assert "Nhập mã tra cứu hoặc số giấy tờ tùy thân." in html and 'aria-invalid="true"' in html
    assert "Nhập mã hồ sơ." not in html


def test_cannot_fail_with_a_server_error_when_a_search_holds_a_nul_byte(client, catalogue):
    # Refused at the edge (RejectNulMiddleware) with a plain 400, never a 500.
    assert client.get("/thu-tuc/", {"q": "khai\x00", "field": "\x00"}).status_code == 400
    assert client.get("/trung-tam/", {"q": "\x00"}).status_code == 400
    assert client.get("/thu-tuc/a%00/").status_code == 400
