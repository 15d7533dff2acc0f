"""The counter's intake as a clerk meets it (issue 16): foreign applicants, errors, optional
documents, the chosen return of the result, the guidance slip, the transfer list."""

import re

import pytest

from dossiers.tests.fixtures import screenshots_dir
from dossiers.tests.test_browser_staff import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def open_intake(page, base: str, procedure: str = "1.001193") -> None:
    from playwright.sync_api import expect

    log_in(page, base, "clerk")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.get_by_label("Thủ tục (mã TTHC hoặc tên)").fill(procedure)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Họ tên người nộp")).to_be_focused()


def test_does_receive_a_foreign_applicant_and_let_them_look_up_by_passport_when_the_clerk_picks_passport(
    page, live_server, settings, world
):
    from playwright.sync_api import expect

    settings.PORTAL_PUBLIC_BASE_URL = live_server.url
    open_intake(page, live_server.url)
    page.get_by_label("Họ tên người nộp").fill("John Michael Smith")
    page.get_by_label("Loại giấy tờ tùy thân").select_option(label="Hộ chiếu")
    assert page.get_by_label("Số giấy tờ tùy thân").evaluate("e => e.inputMode") == "text"
    page.get_by_label("Số giấy tờ tùy thân").fill("n 0123456")
    page.get_by_label("Số điện thoại").fill("0905 123 456")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("checkbox").nth(1).check()
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#status")).to_have_text("Được tiếp nhận")
    expect(page.locator("#applicant-id")).to_have_text("N0123456 (Hộ chiếu)")
    code = re.search(r"/can-bo/ho-so/([^/]+)/$", page.url).group(1)
    receipt = page.context.new_page()
    receipt.goto(f"{live_server.url}/can-bo/in/{code}/tiep-nhan/")
    expect(receipt.locator("article.sheet")).to_contain_text("Số hộ chiếu: N0123456")
    receipt.close()

    phone = page.context.browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{live_server.url}/tra-cuu/")
    phone.get_by_label("Mã hồ sơ").fill(code)
    phone.get_by_label("Mã tra cứu hoặc số giấy tờ tùy thân").fill("n0123456")
    phone.get_by_role("button", name="Tra cứu").click()
    expect(phone.locator("#status")).to_have_text("Hồ sơ đã được tiếp nhận và sẽ được chuyển đến cơ quan giải quyết.")
    assert "N0123456" not in phone.url and "?key=" in phone.url  # the number left the address bar


def test_does_refuse_a_passport_number_as_a_cccd_when_the_clerk_forgets_to_change_the_type(page, live_server, world):
    from playwright.sync_api import expect

    open_intake(page, live_server.url)
    page.get_by_label("Họ tên người nộp").fill("John Michael Smith")
    page.get_by_label("Số giấy tờ tùy thân").fill("N0123456")
    page.get_by_label("Số điện thoại").fill("0905 123 456")
    page.get_by_role("checkbox").first.check()
    page.get_by_role("checkbox").nth(1).check()
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#id_id_number_error")).to_have_text("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số.")
