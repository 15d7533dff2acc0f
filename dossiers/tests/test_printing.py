"""Printed forms (Mẫu 01–07) and the register, as a clerk sees them."""

import io
import re

import openpyxl
import pytest
import segno
import time_machine
from django.urls import reverse

from dossiers.models import Dossier, Status
from dossiers.services.events import event_record
from dossiers.services.routing import dossier_transition
from dossiers.tests.conftest import local
from dossiers.tests.factories import RequiredDocumentFactory

pytestmark = pytest.mark.django_db

FORMS = ("print-receipt", "print-supplement", "print-refusal", "print-stop", "print-control")


def act(dossier, action, user, **kwargs):
    return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, **kwargs)


def text_of(response) -> str:
    """The page's visible text with whitespace collapsed (templates wrap lines freely)."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def url(name, dossier=None):
    return reverse(f"staff:{name}", kwargs={"code": dossier.code} if dossier else None)


@pytest.fixture
def named(world):
    """Officers with distinct Vietnamese names (family name first when printed)."""
    for key, family, given in (
        ("clerk", "Nguyễn", "Thị Thu Hà"),
        ("specialist", "Trần", "Minh Khoa"),
        ("leader", "Lê", "Văn Hùng"),
    ):
        world[key].last_name, world[key].first_name = family, given
        world[key].save(update_fields=["last_name", "first_name"])
    world["centre"].phone = "0258 3560 777"
    world["centre"].save(update_fields=["phone"])
    world["agency"].phone = "0258 3822 111"
    world["agency"].save(update_fields=["phone"])
    return world


@pytest.fixture
def received(named, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        return receive()


@pytest.fixture
def clerk_client(client, world):
    client.force_login(world["clerk"])
    return client


def test_does_print_every_receipt_field_when_the_dossier_is_received(clerk_client, received):
    response = clerk_client.get(url("print-receipt", received))
    text = text_of(response)
    assert response.status_code == 200
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH KHÁNH HÒA" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 1/TNHS" in text and "Khánh Hòa, ngày 09 tháng 3 năm 2026" in text
    for value in (
        received.code,
        "Trần Thị Bình",
        "056190001234",
        "12 Lê Thánh Tôn, Nha Trang",
        "0905123456",
        "binh@example.vn",
        "Cấp Phiếu lý lịch tư pháp",
        "Bản chụp CCCD",
        received.lookup_key,
    ):
        assert value in text
    assert "Thời gian giải quyết hồ sơ theo quy định là: 10 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 09/03/2026" in text
    # 10 working days from Mon 09/03/2026 10:00.
    assert "Thời gian trả kết quả giải quyết hồ sơ: 10 giờ 00 phút, ngày 23/03/2026" in text
    assert "☒ Tại Bộ phận Một cửa" in text and "☐ Trực tuyến" in text
    assert "Vào Sổ theo dõi hồ sơ, số thứ tự: 1" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Nguyễn Thị Thu Hà" in text
    assert "TT03/2025/TT-VPCP" in text


def test_does_encode_the_lookup_url_in_the_qr_code_when_printing_the_receipt(clerk_client, received):
    html = clerk_client.get(url("print-receipt", received)).content.decode()
    lookup = received.public_url()
    svg = segno.make(lookup, error="m").svg_inline(scale=3)
    assert svg.startswith("<svg") and svg in html
    # The URL is printed in words next to the code, for those who cannot scan it.
    assert html.index(svg) < html.index(lookup.replace("&", "&amp;"))


def test_does_count_documents_by_copy_kind_when_printing_the_receipt(clerk_client, named, receive):
    from dossiers.services.intake import HandedDocument

    docs = named["procedure"].documents.all()
    handed = [
        HandedDocument(docs[0].name, "original", 2, docs[0].pk),
        HandedDocument(docs[1].name, "certified", 1, docs[1].pk),
    ]
    dossier = receive(documents=handed, set_count=2, channel="postal")
    text = text_of(clerk_client.get(url("print-receipt", dossier)))
    assert "1 Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp 2" in text
    assert "2 Bản chụp CCCD 1" in text
    assert "2. Số lượng hồ sơ: 2 (bộ)" in text and "☒ Qua dịch vụ bưu chính công ích" in text


@pytest.mark.parametrize("name", FORMS)
def test_cannot_see_a_form_when_the_user_is_outside_the_dossier_units(client, named, received, name):
    client.force_login(named["outsider"])
    assert client.get(url(name, received)).status_code == 404


@pytest.mark.parametrize("name", (*FORMS, "register", "print-guidance"))
def test_cannot_see_a_form_when_anonymous(client, received, name):
    target = url(name, received) if name in FORMS else url(name)
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ("print-supplement", "print-refusal", "print-stop"))
def test_cannot_print_a_form_when_the_dossier_has_no_such_event(clerk_client, received, name):
    assert clerk_client.get(url(name, received)).status_code == 404


def test_cannot_print_a_receipt_when_the_online_dossier_is_not_yet_accepted(clerk_client, named, receive):
    dossier = receive(channel="online", submit_only=True)
    assert clerk_client.get(url("print-receipt", dossier)).status_code == 404
    assert clerk_client.get(url("print-control", dossier)).status_code == 404


def test_does_print_the_supplement_request_when_the_agency_asked_for_more(clerk_client, named, received):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        act(received, "transfer", named["clerk"])
        act(received, "request_supplement", named["specialist"], reason="Thiếu bản sao CCCD có chứng thực")
    text = text_of(clerk_client.get(url("print-supplement", received)))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and received.code in text
    assert "Trần Thị Bình" in text and "Cấp Phiếu lý lịch tư pháp" in text
    assert "Lý do: Thiếu bản sao CCCD có chứng thực" in text
    assert "liên hệ Trần Minh Khoa, số điện thoại 0258 3822 111" in text
    assert "Khánh Hòa, ngày 10 tháng 3 năm 2026" in text


def test_does_list_each_document_to_add_when_the_request_names_them(clerk_client, named, received):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        act(received, "transfer", named["clerk"])
        dossier = act(received, "request_supplement", named["specialist"], reason="Hồ sơ thiếu giấy tờ")
        event_record(
            dossier=dossier,
            action="request_supplement",
            actor=named["specialist"],
            at=local(2026, 3, 10, 9),
            reason="Bổ sung giấy tờ",
            data={"documents": [{"name": "Bản sao Giấy khai sinh", "copy_kind": "certified", "count": 1}, "Ảnh 4x6"]},
        )
    text = text_of(clerk_client.get(url("print-supplement", dossier)))
    assert "1 Bản sao Giấy khai sinh 1" in text and "2 Ảnh 4x6" in text
    assert "Lý do: Bổ sung giấy tờ" in text


def test_does_print_the_refusal_reason_when_the_dossier_was_refused(clerk_client, named, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        received = receive(channel="online", submit_only=True)  # Mẫu 03 comes before a receipt
    with time_machine.travel(local(2026, 3, 9, 11, 0), tick=False):
        act(received, "refuse", named["clerk"], reason="Không thuộc thẩm quyền giải quyết của tỉnh")
    text = text_of(clerk_client.get(url("print-refusal", received)))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Số: ……/TCHS" in text
    assert "với lý do cụ thể như sau: Không thuộc thẩm quyền giải quyết của tỉnh" in text
    assert "Trần Thị Bình" in text and "binh@example.vn" in text and "0258 3560 777" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "Nguyễn Thị Thu Hà" in text


def test_does_print_the_stop_notice_when_the_leader_stopped_processing(clerk_client, named, received):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        act(received, "transfer", named["clerk"])
        act(received, "request_supplement", named["specialist"], reason="Thiếu tờ khai")
    with time_machine.travel(local(2026, 4, 20, 9, 0), tick=False):
        act(received, "stop", named["leader"], reason="Quá thời hạn mà công dân không bổ sung hồ sơ")
    text = text_of(clerk_client.get(url("print-stop", received)))
    assert "SỞ TƯ PHÁP" in text and "Số: ……/DGQ" in text
    assert f"Hồ sơ mã số {received.code}, tiếp nhận ngày 09/03/2026" in text
    assert "Kính gửi: Trần Thị Bình" in text and "Cấp Phiếu lý lịch tư pháp" in text
    assert "Bước giải quyết đã thực hiện đến: Thẩm định (Sở Tư pháp" in text
    assert "trạng thái hồ sơ: Yêu cầu bổ sung giấy tờ" in text
    assert "kể từ ngày 20/04/2026, với lý do: Quá thời hạn mà công dân không bổ sung hồ sơ" in text
    assert "Phí, lệ phí: 50.000 đồng." in text
    assert "THỦ TRƯỞNG CƠ QUAN CÓ THẨM QUYỀN" in text and "Lê Văn Hùng" in text


def test_does_print_one_control_row_per_hand_over_when_the_result_was_returned(clerk_client, named, received):
    with time_machine.travel(local(2026, 3, 9, 11, 0), tick=False):
        act(received, "transfer", named["clerk"])
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        act(received, "transfer", named["specialist"])
        act(received, "complete", named["leader"])
    with time_machine.travel(local(2026, 3, 10, 10, 30), tick=False):
        act(received, "return_result", named["clerk"])
    response = clerk_client.get(url("print-control", received))
    text = text_of(response)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and received.code in text
    assert "Cơ quan chủ trì giải quyết: Sở Tư pháp" in text and "Cơ quan phối hợp giải quyết: Không có" in text
    assert response.content.decode().count('<td class="handover">') == 4
    assert (
        "1 Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa Tiếp nhận" in text
        and "Nhận: 10 giờ 00 phút, ngày 09/03/2026 Người nhận: Nguyễn Thị Thu Hà" in text
    )
    assert "Giao: 11 giờ 00 phút, ngày 09/03/2026 Người giao: Nguyễn Thị Thu Hà Đúng hạn" in text
    assert "Giao: 09 giờ 00 phút, ngày 10/03/2026 Người giao: Trần Minh Khoa Trước hạn" in text
    assert "Quá hạn" not in text.split("Ghi chú", 1)[1]


def test_does_list_exactly_the_missing_documents_when_printing_intake_guidance(clerk_client, named):
    procedure = named["procedure"]
    form, card = procedure.documents.order_by("position")
    foreign = RequiredDocumentFactory(name="Giấy tờ của thủ tục khác")
    applicant = {"name": "Lê Văn Cường", "phone": "0905999888", "address": "5 Yersin, Nha Trang"}
    session = clerk_client.session
    session["intake-guidance"] = {"slip-1": applicant | {"email": "cuong@example.vn"}}
    session.save()
    params = {"procedure": procedure.national_code, "missing": f"{card.pk},{foreign.pk},x", "phieu": "slip-1"}
    response = clerk_client.get(url("print-guidance"), params)
    text = text_of(response)
    assert response.status_code == 200
    assert "Bản chụp CCCD" in text and form.name not in text and foreign.name not in text
    assert response.content.decode().count('<td class="num">') == 1
    for value in (
        "Lê Văn Cường",
        "0905999888",
        "5 Yersin, Nha Trang",
        "cuong@example.vn",
        "Số: ……/HDHS",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH KHÁNH HÒA",
        "Cấp Phiếu lý lịch tư pháp",
    ):
        assert value in text
    assert Dossier.objects.count() == 0


def test_cannot_print_intake_guidance_when_the_procedure_is_unknown(clerk_client, named):
    assert clerk_client.get(url("print-guidance"), {"procedure": "0.000000"}).status_code == 404


def test_does_use_the_dossier_form_version_when_a_later_circular_has_templates(
    clerk_client, received, settings, tmp_path
):
    (tmp_path / "print" / "TT09-2030").mkdir(parents=True)
    (tmp_path / "print" / "TT09-2030" / "receipt.html").write_text("Mẫu mới {{ dossier.code }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    old = clerk_client.get(url("print-receipt", received)).content.decode()
    Dossier.objects.filter(pk=received.pk).update(form_version="TT09/2030/TT-VPCP")
    new = clerk_client.get(url("print-receipt", received)).content.decode()
    assert "Mẫu mới" not in old and new == f"Mẫu mới {received.code}"


def test_does_fall_back_to_the_current_templates_when_the_version_has_none(clerk_client, received):
    Dossier.objects.filter(pk=received.pk).update(form_version="TT01/2018/TT-VPCP")
    response = clerk_client.get(url("print-receipt", received))
    assert response.status_code == 200 and "TT01/2018/TT-VPCP" in text_of(response)


# The register (Mẫu 07) -----------------------------------------------------------------------


def register_codes(response) -> list[str]:
    return re.findall(r'<td class="code">([^<]+)</td>', response.content.decode())


def receive_on(receive, *days):
    dossiers = []
    for day in days:
        with time_machine.travel(local(2026, 3, day, 9, 0), tick=False):
            dossiers.append(receive())
    return dossiers


def test_does_filter_the_register_when_a_date_range_is_given(clerk_client, named, receive):
    early, middle, late = receive_on(receive, 9, 11, 13)
    response = clerk_client.get(url("register"), {"date_from": "10/03/2026", "date_to": "11/03/2026"})
    assert register_codes(response) == [middle.code]
    everything = clerk_client.get(url("register"))
    assert register_codes(everything) == [early.code, middle.code, late.code]


def test_does_filter_the_register_when_a_status_is_chosen(clerk_client, named, receive):
    waiting, moved = receive_on(receive, 9, 10)
    with time_machine.travel(local(2026, 3, 10, 10, 0), tick=False):
        act(moved, "transfer", named["clerk"])
    response = clerk_client.get(url("register"), {"status": Status.PROCESSING})
    assert register_codes(response) == [moved.code]
    text = text_of(response)
    assert "10/03/2026 09:00" in text and "10/03/2026 10:00" in text and "Sở Tư pháp" in text


def test_cannot_list_dossiers_in_the_register_when_the_user_cannot_see_them(client, named, receive):
    receive_on(receive, 9)
    client.force_login(named["outsider"])
    response = client.get(url("register"))
    assert response.status_code == 200 and register_codes(response) == []


def unit_choices(response) -> list[str]:
    return [code for code, _label in response.context["form"].fields["unit"].choices if code]


def test_does_offer_the_centres_of_the_users_grant_in_the_register(client, named, receive):
    dossiers = receive_on(receive, 9, 10)
    client.force_login(named["clerk"])
    assert unit_choices(client.get(url("register"))) == [named["centre"].code]
    # The agency leads the centre's dossiers and lists them, but holds no grant in the centre.
    client.force_login(named["specialist"])
    response = client.get(url("register"))
    assert unit_choices(response) == [] and register_codes(response) == [d.code for d in dossiers]
    client.force_login(named["supervisor"])
    assert unit_choices(client.get(url("register"))) == [named["centre"].code]


def test_does_keep_the_register_queries_fixed_when_rows_grow(
    clerk_client, named, receive, django_assert_max_num_queries
):
    counts, created = [], 0
    for rows in (3, 30):
        with time_machine.travel(local(2026, 3, 9, 9, 0), tick=False):
            for _ in range(rows - created):
                receive()
        created = rows
        # Session, user, the user's roles and units, the centres to pick, rows, the issuer's unit,
        # the procedures to pick: no COUNT (keyset pages, dossiers/keyset.py).
        with django_assert_max_num_queries(8) as queries:
            response = clerk_client.get(url("register"), {"date_from": "01/03/2026", "unit": named["centre"].code})
        assert len(register_codes(response)) == rows
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_does_page_the_register_by_cursor_when_it_has_more_than_fifty_rows(clerk_client, named, receive):
    with time_machine.travel(local(2026, 3, 9, 9, 0), tick=False):
        codes = [receive().code for _ in range(52)]
    first = clerk_client.get(url("register"))
    assert register_codes(first) == codes[:50]
    following = re.search(r'href="\?cursor=([^"]+)" rel="next"', first.content.decode())[1]
    second = clerk_client.get(url("register"), {"cursor": following})
    assert register_codes(second) == codes[50:]
    assert '<td class="num">51</td>' in second.content.decode()
    back = re.search(r'href="\?cursor=([^"]+)" rel="prev"', second.content.decode())[1]
    again = clerk_client.get(url("register"), {"cursor": back})
    assert register_codes(again) == codes[:50] and '<td class="num">1</td>' in again.content.decode()
    assert 'rel="prev"' not in again.content.decode() and 'rel="next"' in again.content.decode()


def test_does_read_the_register_from_the_start_when_the_cursor_is_mangled(clerk_client, named, receive):
    (dossier,) = receive_on(receive, 9)
    response = clerk_client.get(url("register"), {"cursor": "not-a-cursor"})
    assert response.status_code == 200 and register_codes(response) == [dossier.code]


def test_does_export_the_filtered_register_when_xlsx_is_asked(clerk_client, named, receive):
    first, second, _ = receive_on(receive, 9, 10, 12)
    response = clerk_client.get(url("register"), {"format": "xlsx", "date_to": "10/03/2026"})
    assert response.status_code == 200
    assert 'filename="so-theo-doi.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Mã hồ sơ", "Tên thủ tục hành chính") and len(rows[0]) == 14
    assert [r[1] for r in rows[1:]] == [first.code, second.code]
    assert rows[1][4] == "Trần Thị Bình" and rows[1][7] == local(2026, 3, 9, 9, 0).replace(tzinfo=None)


def test_does_print_blank_lines_for_the_applicant_when_the_slip_is_not_in_the_session(clerk_client, named):
    procedure = named["procedure"]
    _form, card = procedure.documents.order_by("position")
    params = {"procedure": procedure.national_code, "missing": str(card.pk), "phieu": "khong-co"}
    text = text_of(clerk_client.get(url("print-guidance"), params))
    assert "Họ và tên: ……………………" in text and "Bản chụp CCCD" in text


@pytest.mark.parametrize("value", ("x", None))
def test_does_write_the_same_select_markup_as_django_when_options_are_plain(value):
    from django import forms

    from dossiers.widgets import PlainSelect

    choices = [("", "Tất cả"), ("a<b", "A & B"), ("Nhóm", [("x", "X")])]
    stock = forms.Select(choices=choices).render("unit", value, {"id": "id_unit", "required": True})
    plain = PlainSelect(choices=choices).render("unit", value, {"id": "id_unit", "required": True})
    assert re.sub(r"\s*\n\s*", "", stock) == plain
