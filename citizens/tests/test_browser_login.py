"""Citizen login in headless Chromium, end to end against the test OpenID Connect provider: the
lookup page, the provider's login and consent, "my dossiers", a dossier without its key, the
prefilled petition form, and logout at both ends."""

import re

import pytest

from dossiers.tests.fixtures import screenshots_dir

from .provider import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_does_walk_from_the_lookup_page_to_a_prefilled_petition_when_a_citizen_logs_in(
    browser, live_server, oidc, citizen_dossiers
):
    from playwright.sync_api import expect

    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/tra-cuu/")
    page.get_by_role("link", name="Đăng nhập bằng định danh điện tử").click()

    assert page.url.startswith(oidc.issuer.removesuffix("/o"))  # at the provider, not the portal
    page.get_by_label("Số định danh cá nhân / tên đăng nhập").fill("an")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đồng ý").click()  # consent to share the profile with the portal

    expect(page.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    assert page.url == f"{live_server.url}/cong-dan/ho-so/"
    expect(page.locator("#citizen-name")).to_have_text("Xin chào, Phạm Văn An")
    newer, older, theirs = (citizen_dossiers[k].code for k in ("newer", "older", "theirs"))
    expect(page.locator("#my-dossiers h2")).to_have_text([newer, older])  # newest first; not Dung's
    assert theirs not in page.content() and "079088001234" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _screenshot(page, "citizen-dossiers-390.png")

    page.get_by_role("link", name=older).click()
    expect(page.locator("#status")).to_have_text("Đã có kết quả. Mời bạn đến nhận kết quả tại nơi đã nộp hồ sơ.")
    assert page.url == f"{live_server.url}/cong-dan/ho-so/{older}/"  # no key in the address
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page).to_have_url(f"{live_server.url}/danh-gia/cam-on/")
    page.go_back(), page.go_back()
    page.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    expect(page.get_by_label("Họ và tên")).to_have_value("Phạm Văn An")
    expect(page.get_by_label("Số điện thoại")).to_have_value("0912345678")
    expect(page.get_by_label("Thư điện tử")).to_have_value("an@example.vn")
    expect(page.get_by_label("Mã hồ sơ liên quan (nếu có)")).to_have_value(older)

    page.goto(f"{live_server.url}/cong-dan/ho-so/")
    page.get_by_role("button", name="Đăng xuất").click()
    # Back home from the provider's logout (with the state Authlib sent it).
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/\?state=[\w-]+$"))
    page.goto(f"{live_server.url}/cong-dan/ho-so/")
    expect(page.get_by_role("link", name="Đăng nhập bằng định danh điện tử")).to_be_visible()
    context.close()


def _screenshot(page, name: str) -> None:
    folder = screenshots_dir()
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)
