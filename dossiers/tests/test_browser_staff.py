"""The counter's day in a real browser: intake, receipt, routing to the returned result."""

import re

import pytest

from dossiers.tests.fixtures import screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"  # factories.UserFactory
SCREENSHOT = screenshots_dir() / "staff-dossier.png"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Hàng đợi hồ sơ")).to_be_visible()


def take_action(page, label: str, status: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator("#status")).to_have_text(status)
    done = label.removeprefix("Xác nhận: ")  # the second step of a confirmed action
    expect(page.get_by_role("status")).to_contain_text(f"Đã thực hiện: {done}.")


def receive_at_the_counter(page, base: str) -> str:
    from playwright.sync_api import expect

    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.get_by_label("Thủ tục (mã TTHC hoặc tên)").fill("1.001193")
    page.keyboard.press("Enter")
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(2)
    expect(page.get_by_label("Họ tên người nộp")).to_be_focused()
    page.keyboard.type("Trần Thị Bình")
    page.get_by_label("Số giấy tờ tùy thân").fill("056190001234")
    page.get_by_label("Số điện thoại").fill("0905 123 456")
    page.get_by_label("Địa chỉ").fill("12 Lê Thánh Tôn, Nha Trang")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#status")).to_have_text("Được tiếp nhận")
    return re.search(r"/can-bo/ho-so/([^/]+)/$", page.url).group(1)


def open_the_receipt(page, base: str, code: str) -> None:
    link = page.get_by_role("link", name="In giấy tiếp nhận", exact=True)
    assert link.get_attribute("href") == f"/can-bo/in/{code}/tiep-nhan/"
    with page.expect_popup() as opened:
        link.click()
    receipt = opened.value
    response = receipt.goto(f"{base}/can-bo/in/{code}/tiep-nhan/")
    assert response.ok and code in receipt.content()
    receipt.close()


def test_does_take_a_dossier_from_intake_to_the_returned_result_when_staff_use_the_pages(page, live_server, world):
    from playwright.sync_api import expect

    base = live_server.url
    log_in(page, base, "clerk")
    code = receive_at_the_counter(page, base)
    dossier_url = f"{base}/can-bo/ho-so/{code}/"
    open_the_receipt(page, base, code)
    take_action(page, "Chuyển xử lý", "Đang xử lý")
    expect(page.locator("#current-unit")).to_have_text("Sở Tư pháp")

    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, base, "spec")
    page.goto(dossier_url)
    expect(page.get_by_role("button", name="Có kết quả giải quyết", exact=True)).to_have_count(0)
    take_action(page, "Chuyển xử lý", "Đang xử lý")  # to the leader's step (Ký duyệt)

    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, base, "leader")
    page.goto(dossier_url)
    page.get_by_role("button", name="Có kết quả giải quyết", exact=True).click()
    take_action(page, "Xác nhận: Có kết quả giải quyết", "Đã xử lý xong")

    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, base, "clerk")
    page.get_by_role("link", name="Chờ trả kết quả").click()
    page.get_by_role("link", name=code).click()
    take_action(page, "Trả kết quả", "Đã trả kết quả")
    expect(page.locator("form[id^=action-]")).to_have_count(0)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
