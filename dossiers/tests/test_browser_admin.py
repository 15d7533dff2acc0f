"""An administrator in the admin (issue 16 point 15): the header names the portal, roles read in
Vietnamese, units are given on the user's page, accounts are exported and imported."""

import pytest

from dossiers.roles import roles_sync
from dossiers.tests.fixtures import desktop_context, screenshots_dir

from .factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()
PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture
def page(browser):
    context = desktop_context(browser, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def setup(db):
    roles_sync()
    UnitFactory(code="000.00.01.H56", name="Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa", kind="centre")
    UnitFactory(code="000.00.02.H56", name="Sở Tư pháp")
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    linh = UserFactory(username="linh", first_name="Thị Mỹ Linh", last_name="Đặng", roles=["specialist"])
    return admin, linh


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/admin/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_does_give_an_officer_a_unit_from_her_own_page_when_the_administrator_edits_her(page, live_server, setup):
    from playwright.sync_api import expect

    sign_in(page, live_server.url)
    expect(page.locator("#site-name")).to_have_text("Một Cửa — Quản trị hệ thống")
    page.get_by_role("link", name="Người sử dụng", exact=True).first.click()
    expect(page.locator("#result_list")).to_contain_text("Đặng Thị Mỹ Linh")
    expect(page.locator("#result_list")).to_contain_text("Chuyên viên xử lý")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-users.png"), full_page=True)
    page.get_by_role("link", name="linh", exact=True).click()
    row = page.locator("#memberships-group tr.form-row").first
    row.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("tư pháp")
    page.locator(".select2-results__option", has_text="Sở Tư pháp").click()
    row.locator("input[name$='-title']").fill("Chuyên viên")
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    expect(page.locator("ul.messagelist")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("000.00.02.H56")


def test_does_export_accounts_without_passwords_and_refuse_a_file_with_a_bad_row(page, live_server, setup, tmp_path):
    from playwright.sync_api import expect

    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/auth/user/export/")
    page.get_by_label("Định dạng").select_option(label="csv")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Gửi").click()
    exported = downloading.value.path().read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0] == "username,last_name,first_name,email,is_active,is_staff,roles,units"
    assert "linh,Đặng,Thị Mỹ Linh" in exported and "md5$" not in exported and "password" not in exported

    upload = tmp_path / "can-bo.csv"
    upload.write_text(
        "username,last_name,first_name,email,is_active,is_staff,roles,units\n"
        "nam,Phạm,Văn Nam,,1,0,Cán bộ một cửa,000.00.01.H56\n"
        "hoa,Lê,Thị Hoa,,1,0,Thủ quỹ,000.00.01.H56\n",
        encoding="utf-8",
    )
    page.goto(f"{live_server.url}/admin/auth/user/import/")
    page.get_by_label("Tệp cần nhập").set_input_files(str(upload))
    page.get_by_label("Định dạng").select_option(label="csv")
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator("body")).to_contain_text("Không có vai trò «Thủ quỹ»")
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username__in=["nam", "hoa"]).exists()
