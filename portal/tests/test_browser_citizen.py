"""A citizen on a 390 px phone, as issue 16 walked it: the receipt's QR link, the lookup, rating,
petitions, foreign applicants' lookup, and the procedure pages."""

import pytest
import time_machine

from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def finished(world, receive):
    """A dossier received Mon 04/05/2026 08:00, decided by the Justice Department, result ready Wed 06/05 10:00."""
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        dossier = receive()
        for action, user in (("transfer", "clerk"), ("transfer", "specialist")):
            dossier = dossier_transition(dossier_id=dossier.pk, action=action, actor=world[user])
    with time_machine.travel(local(2026, 5, 6, 10, 0), tick=False):
        dossier = dossier_transition(dossier_id=dossier.pk, action="complete", actor=world["leader"])
    return dossier


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_does_thank_the_citizen_when_they_rate_from_the_qr_link_on_a_phone(phone, live_server, settings, finished):
    from playwright.sync_api import expect

    settings.PORTAL_PUBLIC_BASE_URL = live_server.url
    assert phone.goto(finished.public_url()).status == 200  # the receipt's QR code
    phone.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    expect(phone.get_by_role("heading", name="Đánh giá mức độ hài lòng")).to_be_visible()
    assert no_sideways_scroll(phone)
    phone.get_by_label("Hài lòng", exact=True).check()
    phone.get_by_label("Góp ý (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình.")
    with phone.expect_response(lambda r: r.request.method == "POST") as posted:
        phone.get_by_role("button", name="Gửi đánh giá").click()
    assert posted.value.status == 302  # not a CSRF 403
    expect(phone.get_by_role("heading", name="Cảm ơn Ông/Bà đã đánh giá")).to_be_visible()
    assert no_sideways_scroll(phone)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "public-rate-done-390.png"), full_page=True)
    [rating] = finished.ratings.all()
    assert (rating.satisfied, rating.source, rating.comment) == (True, "lookup", "Cán bộ hướng dẫn tận tình.")


def test_does_keep_each_menu_item_on_one_line_when_the_petitions_page_opens_on_a_phone(phone, live_server, world):
    from playwright.sync_api import expect

    assert phone.goto(f"{live_server.url}/phan-anh/").status == 200
    menu = phone.get_by_role("navigation", name="Điều hướng chính")
    expect(menu.get_by_role("link")).to_have_text(
        ["Thủ tục", "Nơi nộp hồ sơ", "Tra cứu hồ sơ", "Phản ánh, kiến nghị", "Kết quả giải quyết"]
    )
    line = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-header nav a')).lineHeight)")
    for link in menu.get_by_role("link").all():
        assert link.bounding_box()["height"] < 2 * line, link.inner_text()  # never broken word by word
    assert no_sideways_scroll(phone)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "public-petitions-390.png"), full_page=True)
    menu.get_by_role("link", name="Kết quả giải quyết").click()
    expect(phone.get_by_role("heading", name="Công khai kết quả giải quyết thủ tục hành chính")).to_be_visible()
