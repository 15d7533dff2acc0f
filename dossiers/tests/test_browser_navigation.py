"""Staff find every page from the menu: the KPI dashboard, the register, the apologies, per role."""

import pytest

from dossiers.tests.fixtures import screenshots_dir
from dossiers.tests.test_browser_staff import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()


def menu(page):
    return page.get_by_role("navigation", name="Điều hướng chính")


def test_does_reach_the_dashboard_and_the_register_from_the_menu_when_a_supervisor_logs_in(page, live_server, world):
    from playwright.sync_api import expect

    log_in(page, live_server.url, "sup")
    expect(menu(page).get_by_role("link", name="Tiếp nhận hồ sơ")).to_have_count(0)
    menu(page).get_by_role("link", name="Chỉ số 766").click()
    expect(page.locator("#summary")).to_be_visible()  # the dashboard's figures
    assert page.url == f"{live_server.url}/giam-sat/chi-so/"
    expect(menu(page).get_by_role("link", name="Chỉ số 766")).to_have_attribute("aria-current", "page")
    menu(page).get_by_role("link", name="Giám sát hồ sơ").click()
    expect(page.get_by_role("heading", name="Giám sát hồ sơ quá hạn, sắp đến hạn")).to_be_visible()
    menu(page).get_by_role("link", name="Sổ theo dõi").click()
    expect(page.get_by_role("heading", name="SỔ THEO DÕI HỒ SƠ")).to_be_visible()
    page.get_by_role("link", name="← Hàng đợi hồ sơ").click()
    expect(page.get_by_role("heading", name="Hàng đợi hồ sơ")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-menu-supervisor.png"))


def test_does_offer_intake_and_kiosk_but_not_the_dashboard_when_a_clerk_logs_in(page, live_server, world):
    from playwright.sync_api import expect

    log_in(page, live_server.url, "clerk")
    links = menu(page).get_by_role("link")
    expect(links).to_have_text(
        ["Hàng đợi hồ sơ", "Tiếp nhận hồ sơ", "Sổ theo dõi", "Phản ánh, kiến nghị", "Kiosk đánh giá"]
    )
    menu(page).get_by_role("link", name="Phản ánh, kiến nghị").click()
    expect(page.get_by_role("heading", name="Phản ánh, kiến nghị")).to_be_visible()
    expect(menu(page).get_by_role("link")).to_have_count(5)  # the same menu on the feedback app's pages
