"""The public pages in a real browser: the receipt's QR link on a phone, the lookup form
without JavaScript, and the screenshots the README shows (390 px and 1280 px wide)."""

import pytest
import time_machine

from dossiers.demo.seed import demo_catalogue_seed, demo_staff_seed, demo_units_seed
from dossiers.models import Procedure, Unit
from dossiers.services.apologies import apology_issue
from dossiers.services.applicants import applicant_clean
from dossiers.services.calendar_days import calendar_seed_holidays
from dossiers.services.intake import dossier_receive
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 2600  # the centres list runs long; the README needs its top
APPLICANT = ["Phạm Văn Nam", "079088001234", "0912345678", "nam@example.vn", "25 Lý Tự Trọng"]


def new_page(browser, viewport: dict, **options):
    context = browser.new_context(locale="vi-VN", viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def travel(*args):
    return time_machine.travel(local(*args), tick=False)


@pytest.fixture
def demo(transactional_db):
    """The demo province and catalogue, and one dossier sent to the Justice Department, asked for a
    supplement, supplied, then late with an apology and a new date."""
    demo_units_seed()
    calendar_seed_holidays(years=range(2025, 2028))
    demo_catalogue_seed()
    staff = {s.user.username: s.user for s in demo_staff_seed(password="mat-khau-thu-nghiem")}
    with travel(2026, 3, 9, 9, 30):
        dossier = dossier_receive(
            procedure=Procedure.objects.get(national_code="1.001877"),
            receiving_unit=Unit.objects.get(code="000.00.01.H56"),
            actor=staff["motcua.tiepnhan"],
            applicant=applicant_clean(
                name=APPLICANT[0], id_number=APPLICANT[1], phone=APPLICANT[2], email=APPLICANT[3], address=APPLICANT[4]
            ),
        )
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=staff["motcua.tiepnhan"])
    with travel(2026, 3, 11, 15, 0):
        dossier_transition(
            dossier_id=dossier.pk,
            action="request_supplement",
            actor=staff["motcua.chuyenvien"],
            reason="Quyết định bổ nhiệm chưa có chứng thực",
            documents=["Bản sao chứng thực Quyết định bổ nhiệm công chứng viên"],
        )
    with travel(2026, 3, 13, 10, 0):
        dossier_transition(dossier_id=dossier.pk, action="supplement_received", actor=staff["motcua.tiepnhan"])
    with travel(2026, 3, 20, 16, 0):
        apology_issue(
            dossier_id=dossier.pk,
            actor=staff["motcua.lanhdao"],
            reason="Chờ ý kiến xác minh của Hội Công chứng viên tỉnh",
            new_due_at=local(2026, 3, 30, 17, 30),
        )
    dossier.refresh_from_db()
    return {"dossier": dossier, "officers": [f"{u.last_name} {u.first_name}" for u in staff.values()]}


def test_does_show_status_and_appointment_when_the_qr_link_is_opened_on_a_phone(browser, live_server, settings, demo):
    from playwright.sync_api import expect

    settings.PORTAL_PUBLIC_BASE_URL = live_server.url
    page = new_page(browser, PHONE)
    response = page.goto(demo["dossier"].public_url())
    assert response.status == 200
    expect(page.locator("#status")).to_have_text("Hồ sơ đang được cơ quan có thẩm quyền giải quyết.")
    expect(page.locator("#appointment")).to_have_text("thứ Hai 30/03/2026 17:30")
    expect(page.locator("#current-unit")).to_contain_text("Sở Tư pháp")
    page.get_by_text("Vì sao là ngày này?").focus()
    page.keyboard.press("Enter")  # <details> opens from the keyboard, without JavaScript
    expect(page.get_by_text("Tạm dừng tính thời hạn từ thứ Tư 11/03/2026 15:00")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    html = page.content()
    assert all(value not in html for value in APPLICANT + demo["officers"])


def test_does_look_a_dossier_up_when_javascript_is_off(browser, live_server, demo):
    from playwright.sync_api import expect

    dossier = demo["dossier"]
    page = new_page(browser, PHONE, java_script_enabled=False)
    page.goto(live_server.url)
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("Mã tra cứu hoặc số giấy tờ tùy thân").fill(APPLICANT[1])
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator("#status")).to_contain_text("đang được cơ quan")
    assert page.url.endswith(f"/tra-cuu/{dossier.code}/?key={dossier.lookup_key}")  # the ID number left the URL
    page.goto(f"{live_server.url}/tra-cuu/{dossier.code}/?key=WRONGKEY")
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ")


def test_does_render_every_public_page_when_screenshots_are_taken(browser, live_server, settings, demo):
    settings.PORTAL_PUBLIC_BASE_URL = live_server.url
    pages = {
        "home": "/",
        "procedures": "/thu-tuc/",
        "procedure": "/thu-tuc/2.000488/",
        "centres": "/trung-tam/",
        "lookup": demo["dossier"].public_url().removeprefix(live_server.url),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (PHONE, DESKTOP):
        page = new_page(browser, viewport)
        for name, url in pages.items():
            assert page.goto(f"{live_server.url}{url}").status == 200, name
            if name == "lookup":
                page.get_by_text("Vì sao là ngày này?").click()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
            path = SCREENSHOTS / f"public-{name}-{viewport['width']}.png"
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SCREENSHOT_HEIGHT)
            page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, **viewport, "height": height})
            assert path.stat().st_size > 10_000
        page.context.close()
