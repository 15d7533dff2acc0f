"""The counter's intake as a clerk meets it (issue 16): foreign applicants, errors, optional
documents, the chosen return of the result, the guidance slip, the transfer list."""

import re

import pytest

from dossiers.tests.fixtures import screenshots_dir
from dossiers.tests.test_browser_staff import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()


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


def test_does_walk_the_clerk_from_a_wrong_phone_to_a_receipt_returned_by_post_when_the_form_has_an_error(
    page, live_server, world
):
    from playwright.sync_api import expect

    from dossiers.tests.factories import RequiredDocumentFactory

    optional = RequiredDocumentFactory(
        procedure=world["procedure"], position=3, name="Văn bản ủy quyền (nếu nộp thay)", is_mandatory=False
    )
    open_intake(page, live_server.url)
    expect(page.get_by_role("checkbox", name=re.compile(re.escape(optional.name)))).not_to_be_checked()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(2)  # the mandatory ones
    page.keyboard.type("Trần Thị Bình")
    page.get_by_label("Số giấy tờ tùy thân").fill("056190001234")
    page.get_by_label("Số điện thoại").fill("12345")
    page.get_by_label("Qua dịch vụ bưu chính công ích").check()
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    summary = page.locator("#intake-errors")
    expect(summary).to_contain_text("Chưa tiếp nhận được: kiểm tra 1 mục sau")
    expect(summary.get_by_role("link")).to_have_text("Số điện thoại: Số điện thoại không hợp lệ (ví dụ 0905 123 456).")
    expect(page.get_by_label("Số điện thoại")).to_be_focused()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-intake-error.png"), full_page=True)
    expect(page.get_by_label("Qua dịch vụ bưu chính công ích")).to_be_checked()  # kept
    page.keyboard.press("Control+A")
    page.keyboard.type("0905 123 456")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.locator("#status")).to_have_text("Được tiếp nhận")
    expect(page.locator("#result-delivery")).to_have_text("Qua dịch vụ bưu chính công ích")
    code = re.search(r"/can-bo/ho-so/([^/]+)/$", page.url).group(1)
    receipt = page.context.new_page()
    receipt.goto(f"{live_server.url}/can-bo/in/{code}/tiep-nhan/")
    expect(receipt.locator("article.sheet")).to_contain_text("☒ Qua dịch vụ bưu chính công ích")
    expect(receipt.locator("article.sheet")).to_contain_text("☐ Tại Bộ phận Một cửa")


def test_does_print_the_guidance_slip_without_personal_data_in_its_address_when_a_document_is_missing(
    page, live_server, world
):
    from playwright.sync_api import expect

    open_intake(page, live_server.url)
    page.keyboard.type("Trần Thị Bình")
    page.get_by_label("Số giấy tờ tùy thân").fill("056190001234")
    page.get_by_label("Số điện thoại").fill("0905 123 456")
    page.get_by_role("checkbox", name=re.compile("Bản chụp CCCD")).uncheck()
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    link = page.get_by_role("link", name="In phiếu hướng dẫn (Mẫu 02)")
    expect(link).to_be_focused()
    with page.expect_popup() as opened:
        page.keyboard.press("Enter")
    slip = opened.value
    slip.wait_for_load_state()
    assert "0905" not in slip.url and "Tr%E1%BA%A7n" not in slip.url and "phieu=" in slip.url
    expect(slip.locator("article.sheet")).to_contain_text("Trần Thị Bình")
    expect(slip.locator("article.sheet")).to_contain_text("Bản chụp CCCD")


def test_does_find_the_agency_by_typing_without_accents_when_the_clerk_transfers(page, live_server, world, receive):
    from playwright.sync_api import expect

    from dossiers.tests.factories import UnitFactory

    for n in range(12):
        UnitFactory(code=f"3{n:04d}.H56", name=f"UBND xã Thử nghiệm {n}", level="commune")
    dossier = receive()
    log_in(page, live_server.url, "clerk")
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    select = page.locator("#to-unit")
    expect(select.locator("optgroup")).to_have_count(3)
    page.locator("#to-unit-filter").fill("so tu phap")
    expect(select.locator("option:not([hidden])")).to_have_text(["Bước tiếp theo theo quy trình", "Sở Tư pháp"])
    assert select.evaluate("s => s.selectedOptions[0].textContent") == "Sở Tư pháp"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-dossier-transfer.png"))
    page.get_by_role("button", name="Chuyển xử lý", exact=True).click()
    expect(page.locator("#current-unit")).to_have_text("Sở Tư pháp")
