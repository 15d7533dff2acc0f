"""A clerk finds a dossier by the applicant's name typed without accents (issue 16 point 7)."""

import pytest

from dossiers.services.applicants import applicant_clean
from dossiers.tests.test_browser_staff import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_does_find_the_dossier_when_the_clerk_types_the_name_without_accents(browser, live_server, receive):
    from playwright.sync_api import expect

    linh = receive(applicant=applicant_clean(name="Trần Thị Mỹ Linh", id_number="079190001234", phone="0905123456"))
    receive()  # Trần Thị Bình
    page = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, "clerk")
    for typed in ("tran thi my linh", "TRẦN THỊ MỸ LINH"):
        page.get_by_label("Tìm hồ sơ (mã hồ sơ, họ tên, số CCCD, số điện thoại)").fill(typed)
        page.get_by_role("button", name="Tìm", exact=True).click()
        rows = page.locator("#queue tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Trần Thị Mỹ Linh")
    rows.first.get_by_role("link", name=linh.code).click()
    expect(page.get_by_role("heading", name=f"Hồ sơ {linh.code}")).to_be_visible()
