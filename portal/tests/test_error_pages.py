"""404, 403, 500 and CSRF failures: Vietnamese pages in the portal's style, each with a way back."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
WAY_HOME = '<a href="/">Về trang chủ</a>'


def test_does_answer_in_vietnamese_with_a_way_home_when_a_page_does_not_exist(client):
    response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Không tìm thấy trang</h1>" in html and WAY_HOME in html
    assert "Not Found" not in html and "favicon.svg" in html
    assert "Về trang làm việc của cán bộ" not in html


def test_does_offer_the_staff_home_when_a_staff_page_does_not_exist(client, world):
    client.force_login(world["clerk"])
    html = client.get("/can-bo/ho-so/KHONG-CO/").content.decode()
    assert '<a href="/can-bo/">Về trang làm việc của cán bộ</a>' in html


def test_does_say_why_when_a_specialist_opens_the_intake(client, world):
    client.force_login(world["specialist"])
    response = client.get("/can-bo/tiep-nhan/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Không có quyền truy cập</h1>" in html
    assert "Chỉ cán bộ một cửa được tiếp nhận hồ sơ." in html and WAY_HOME in html


@pytest.mark.urls("portal.tests.urls_failing")
def test_does_answer_in_vietnamese_when_the_system_fails():
    response = Client(raise_request_exception=False).get("/hong/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Hệ thống đang gặp sự cố</h1>" in html and WAY_HOME in html
    assert "Server Error" not in html


def test_does_answer_in_vietnamese_when_a_form_comes_without_its_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/phan-anh/gui/", {"subject": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Chưa gửi được biểu mẫu</h1>" in html and WAY_HOME in html
    assert "CSRF verification failed" not in html


def test_does_send_browsers_to_the_svg_icon_when_they_ask_for_favicon_ico(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/portal/favicon.svg"


def test_does_show_the_same_pages_in_english_when_the_browser_asks_for_english(client):
    html = client.get("/khong-co-trang-nay/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Page not found</h1>" in html and '<a href="/">Back to the home page</a>' in html
