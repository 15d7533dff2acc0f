"""The counter's intake form (issue 16 point 14): optional documents, errors, the chosen return
of the result, the guidance slip's address, same-day wording, the transfer list."""

import re

import pytest
import time_machine
from django.urls import reverse

from dossiers.errors import InvalidInput
from dossiers.models import Dossier
from dossiers.services.applicants import ID_NUMBER_INVALID, PHONE_INVALID
from dossiers.services.intake import BAD_DELIVERY
from dossiers.tests.conftest import local
from dossiers.tests.factories import RequiredDocumentFactory
from dossiers.tests.test_printing import text_of
from dossiers.tests.test_staff_pages import INTAKE, intake_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, world):
    client.force_login(world["clerk"])
    return client


@pytest.fixture
def optional(world):
    return RequiredDocumentFactory(
        procedure=world["procedure"], position=3, name="Văn bản ủy quyền (nếu nộp thay)", is_mandatory=False
    )


def checked(html: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="documents" value="(\d+)" checked>', html))


def test_does_tick_only_the_mandatory_documents_when_the_form_opens(clerk, world, optional):
    html = clerk.get(INTAKE, {"procedure": "1.001193"}).content.decode()
    mandatory = {str(d.pk) for d in world["procedure"].documents.filter(is_mandatory=True)}
    assert checked(html) == mandatory and str(optional.pk) not in checked(html) and len(mandatory) == 2


def test_does_sum_up_the_errors_and_focus_the_first_wrong_field_when_the_form_is_sent(clerk, world):
    response = clerk.post(INTAKE, intake_post(world, id_number="N0123456", phone="12345"))
    html = response.content.decode()
    assert response.status_code == 422
    summary = re.search(r'<div class="alert error-summary" role="alert" id="intake-errors".*?</div>', html, re.S)[0]
    assert re.findall(r'<a href="(#[^"]+)">', summary) == ["#id_id_number", "#id_phone"]
    assert f"Số giấy tờ tùy thân: {ID_NUMBER_INVALID}" in summary and f"Số điện thoại: {PHONE_INVALID}" in summary
    id_input = re.search(r'<input [^>]*id="id_id_number"[^>]*>', html)[0]
    assert "autofocus" in id_input and 'aria-invalid="true"' in id_input
    assert 'aria-describedby="id_id_number_error"' in id_input
    assert "autofocus" not in re.search(r'<input [^>]*id="id_name"[^>]*>', html)[0]


def test_does_focus_the_name_when_the_form_opens_without_errors(clerk):
    html = clerk.get(INTAKE, {"procedure": "1.001193"}).content.decode()
    assert "autofocus" in re.search(r'<input [^>]*id="id_name"[^>]*>', html)[0]
    assert 'id="intake-errors"' not in html


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_print_the_chosen_return_on_the_receipt_when_the_citizen_wants_it_by_post(clerk, world):
    response = clerk.post(INTAKE, intake_post(world, result_delivery="postal"))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and (dossier.channel, dossier.result_delivery) == ("counter", "postal")
    text = text_of(clerk.get(reverse("staff:print-receipt", args=[dossier.code])))
    assert "☒ Qua dịch vụ bưu chính công ích" in text and "☐ Tại Bộ phận Một cửa" in text
    page = clerk.get(reverse("staff:dossier", args=[dossier.code])).content.decode()
    assert '<dd id="result-delivery">Qua dịch vụ bưu chính công ích</dd>' in page


def test_cannot_receive_when_the_return_is_not_one_of_the_three(clerk, world, receive):
    response = clerk.post(INTAKE, intake_post(world, result_delivery="pigeon"))
    assert response.status_code == 422 and not Dossier.objects.exists()
    assert "result_delivery" in response.context["form"].errors
    with pytest.raises(InvalidInput) as error:
        receive(result_delivery="pigeon")
    assert error.value.fields == {"result_delivery": BAD_DELIVERY} and not Dossier.objects.exists()


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_return_the_result_by_the_way_it_came_when_the_api_does_not_say(client, world):
    from dossiers.tests.fixtures import API_DOSSIER_BODY as BODY
    from dossiers.tests.test_api_dossiers import bearer

    auth = bearer(world["clerk"])
    by_post = client.post("/api/v1/dossiers", BODY | {"channel": "postal"}, content_type="application/json", **auth)
    online = client.post(
        "/api/v1/dossiers", BODY | {"result_delivery": "online"}, content_type="application/json", **auth
    )
    assert by_post.status_code == online.status_code == 201
    read = client.get(f"/api/v1/dossiers/{online.json()['code']}", **auth).json()
    assert read["channel"] == "counter" and read["result_delivery"] == "online"
    assert Dossier.objects.get(code=by_post.json()["code"]).result_delivery == "postal"


def test_does_keep_the_applicant_out_of_the_address_when_the_guidance_slip_is_offered(clerk, world):
    first, _second = world["procedure"].documents.all()
    response = clerk.post(INTAKE, intake_post(world, documents=[str(first.pk)]))
    link = response.context["guidance_url"]
    for personal in ("Trần", "Bình", "0905", "binh@", "Lê Thánh Tôn", "L%C3%AA"):
        assert personal not in link
    html = response.content.decode()
    assert re.search(r'<a class="button" id="guidance-link" [^>]*autofocus>', html)  # the next step, focused


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_word_a_same_day_procedure_alike_on_the_receipt_and_the_guide(client, clerk, world, receive):
    world["procedure"].same_day = True
    world["procedure"].save()
    dossier = receive()
    receipt = text_of(clerk.get(reverse("staff:print-receipt", args=[dossier.code])))
    guide = text_of(client.get(reverse("procedure", args=["1.001193"])))
    wording = "Trả kết quả trong ngày (hồ sơ nhận trước 15:00)"
    assert f"Thời gian giải quyết hồ sơ theo quy định là: {wording}" in receipt
    assert "ngày làm việc;" not in receipt and f"Thời hạn giải quyết {wording}" in guide


def test_does_group_the_transfer_list_by_kind_and_level_when_a_dossier_can_be_transferred(clerk, world, receive):
    from dossiers.tests.factories import CentreFactory, UnitFactory

    UnitFactory(code="30001.H56", name="UBND xã Cam Hải Đông", level="commune")
    CentreFactory(code="30002.H56", name="Trung tâm PVHCC xã Cam Lâm", level="commune")
    dossier = receive()
    html = clerk.get(reverse("staff:dossier", args=[dossier.code])).content.decode()
    select = re.search(r'<select id="to-unit" name="to_unit">.*?</select>', html, re.S)[0]
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups == [
        "Cơ quan chuyên môn cấp tỉnh",
        "Cơ quan cấp xã",
        "Trung tâm Phục vụ hành chính công cấp xã",
    ]
    agencies = select.split('<optgroup label="Cơ quan cấp xã">')[0]
    assert re.findall(r'">([^<]+)</option>', agencies)[1:] == ["Sở Tài chính", "Sở Tư pháp"]
    assert world["centre"].name not in select  # where the dossier is now
    assert '<input type="search" id="to-unit-filter"' in html
