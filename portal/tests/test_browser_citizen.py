"""A citizen on a 390 px phone, as issue 16 walked it: the receipt's QR link, the lookup, rating,
petitions, foreign applicants' lookup, and the procedure pages."""

from pathlib import Path

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


def test_does_headline_the_result_and_carry_the_code_into_a_petition_then_follow_it_when_on_a_phone(
    phone, live_server, settings, finished
):
    from playwright.sync_api import expect

    settings.PORTAL_PUBLIC_BASE_URL = live_server.url
    phone.goto(finished.public_url())
    expect(phone.locator("#result-date")).to_have_text("Đã có kết quả ngày 06/05/2026")
    expect(phone.locator("#agency")).to_have_text("Sở Tư pháp")
    timeline = phone.locator("ol.timeline li strong")
    expect(timeline).to_have_text(["Đã có kết quả giải quyết", "Chuyển đến cơ quan giải quyết", "Hồ sơ được tiếp nhận"])
    assert no_sideways_scroll(phone)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "public-lookup-finished-390.png"), full_page=True)

    phone.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    expect(phone.get_by_label("Mã hồ sơ liên quan (nếu có)")).to_have_value(finished.code)
    phone.get_by_label("Tiêu đề").fill("Kết quả trả chậm một ngày")
    phone.locator("#id_content").fill("Tôi phải đến hai lần mới nhận được kết quả.")
    phone.get_by_label("Họ và tên").fill("Trần Thị Bình")
    phone.get_by_role("button", name="Gửi phản ánh").click()
    expect(phone.get_by_role("status")).to_contain_text("Đã gửi phản ánh")
    code, key = phone.locator(".code-box").all_inner_texts()

    phone.goto(f"{live_server.url}/phan-anh/")
    phone.get_by_label("Mã phản ánh").fill(code)
    phone.get_by_label("Mã theo dõi").fill(key)
    phone.get_by_role("button", name="Xem tình trạng").click()
    expect(phone.get_by_role("heading", name="Theo dõi phản ánh, kiến nghị")).to_be_visible()
    expect(phone.locator("dl.summary")).to_contain_text("Kết quả trả chậm một ngày")
    assert no_sideways_scroll(phone)


def test_does_offer_the_online_service_and_the_blank_form_when_a_citizen_reads_a_procedure(phone, live_server, world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect

    procedure = world["procedure"]
    procedure.online_url = "https://dichvucong.gov.vn/"
    procedure.save()
    form = procedure.documents.get(position=1)
    form.blank_form = SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4\n% to khai\n")
    form.save()
    phone.goto(f"{live_server.url}/thu-tuc/1.001193/")
    expect(phone.get_by_role("link", name="Nộp hồ sơ trực tuyến")).to_have_attribute(
        "href", "https://dichvucong.gov.vn/"
    )
    with phone.expect_download() as downloading:
        phone.get_by_role("link", name="Tải mẫu để điền").click()
    download = downloading.value
    assert download.suggested_filename == "to-khai-yeu-cau-cap-phieu-ly-lich-tu-phap.pdf"
    assert Path(download.path()).read_bytes() == b"%PDF-1.4\n% to khai\n"
    assert no_sideways_scroll(phone)


def test_does_find_procedures_from_plain_words_when_a_citizen_searches_on_a_phone(phone, live_server):
    from playwright.sync_api import expect

    from dossiers.demo.seed import demo_catalogue_seed, demo_units_seed

    demo_units_seed()
    demo_catalogue_seed()
    phone.goto(live_server.url)
    phone.get_by_label("Tên hoặc mã thủ tục").fill("so do")
    phone.get_by_role("button", name="Tìm", exact=True).click()
    expect(phone.locator(".results h2").first).to_contain_text("Giấy chứng nhận quyền sử dụng đất")
    for typed, name in (("ket hon", "Đăng ký kết hôn"), ("GIẤY KHAI SINH", "Đăng ký khai sinh")):
        phone.get_by_label("Tên hoặc mã thủ tục").fill(typed)
        phone.get_by_role("button", name="Tìm", exact=True).click()
        expect(phone.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert no_sideways_scroll(phone)
