"""Error pages as a citizen on a phone and a clerk meet them: Vietnamese, styled, with a way back."""

import pytest

from dossiers.tests.fixtures import screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()
PHONE = {"width": 390, "height": 844}


def test_does_lead_back_home_when_a_citizen_mistypes_an_address_on_a_phone(browser, live_server, world):
    from playwright.sync_api import expect

    page = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    response = page.goto(f"{live_server.url}/tra-cuu-sai/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{icon}").headers["content-type"] == "image/svg+xml"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "error-404-390.png"), full_page=True)
    page.get_by_role("link", name="Về trang chủ").click()
    expect(page.get_by_role("heading", name="Cổng dịch vụ hành chính công Một Cửa")).to_be_visible()


def test_does_explain_and_lead_to_the_queue_when_a_specialist_opens_the_intake(browser, live_server, world):
    from playwright.sync_api import expect

    from dossiers.tests.test_browser_staff import log_in

    page = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, "spec")
    assert page.goto(f"{live_server.url}/can-bo/tiep-nhan/").status == 403
    expect(page.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
    expect(page.get_by_text("Chỉ cán bộ một cửa được tiếp nhận hồ sơ.")).to_be_visible()
    page.get_by_role("link", name="Về trang làm việc của cán bộ").click()
    expect(page.get_by_role("heading", name="Hàng đợi hồ sơ")).to_be_visible()


@pytest.mark.urls("portal.tests.urls_failing")
def test_does_apologise_in_vietnamese_when_a_page_fails(browser, live_server):
    from playwright.sync_api import expect

    page = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    assert page.goto(f"{live_server.url}/hong/").status == 500
    expect(page.get_by_role("heading", name="Hệ thống đang gặp sự cố")).to_be_visible()
    expect(page.get_by_role("link", name="Tra cứu hồ sơ")).to_be_visible()
