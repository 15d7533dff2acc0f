"""What a citizen finds (issue 16 point 13): the online service, blank forms, a petition about the
dossier looked up, a follow box, a finished dossier's result date, a timeline of agencies."""

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.models import Procedure
from dossiers.services.routing import dossier_transition
from dossiers.tests.factories import RequiredDocumentFactory
from dossiers.tests.fixtures import local
from feedback.tests.conftest import petition

__all__ = ["petition"]  # the feedback suite's fixture, used here

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% to khai\n"


def travel(*args):
    return time_machine.travel(local(*args), tick=False)


@pytest.fixture
def decided(world, receive):
    """Received Mon 04/05/2026 08:00; appraised and signed inside the Justice Department; result Wed 06/05 10:00."""
    with travel(2026, 5, 4, 8, 0):
        dossier = receive()
        for action, user in (("transfer", "clerk"), ("transfer", "specialist")):
            dossier_transition(dossier_id=dossier.pk, action=action, actor=world[user])
    with travel(2026, 5, 6, 10, 0):
        return dossier_transition(dossier_id=dossier.pk, action="complete", actor=world["leader"])


def lookup(client, dossier) -> str:
    return client.get(f"/tra-cuu/{dossier.code}/", {"key": dossier.lookup_key}).content.decode()


def test_does_link_the_online_service_when_the_procedure_is_offered_online(client, world):
    procedure = world["procedure"]
    procedure.online_url = "https://dichvucong.gov.vn/p/home/dvc-chi-tiet.html?ma=1.001193"
    procedure.save()
    html = client.get(reverse("procedure", args=["1.001193"])).content.decode()
    assert f'<a class="button" id="online-service" href="{procedure.online_url}"' in html.replace("&amp;", "&")
    procedure.online_level = Procedure.OnlineLevel.NONE
    procedure.save()
    assert 'id="online-service"' not in client.get(reverse("procedure", args=["1.001193"])).content.decode()


def test_does_download_the_blank_form_when_a_document_has_one(client, world):
    form = world["procedure"].documents.get(position=1)
    form.blank_form = SimpleUploadedFile("to-khai.pdf", PDF)
    form.save()
    html = client.get(reverse("procedure", args=["1.001193"])).content.decode()
    links = re.findall(r'<a class="download" href="([^"]+)" download>Tải mẫu để điền</a>', html)
    assert links == ["/thu-tuc/1.001193/mau/1/"]
    response = client.get(links[0])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="to-khai-yeu-cau-cap-phieu-ly-lich-tu-phap.pdf"'
    assert response["Content-Type"] == "application/pdf"


def test_cannot_download_a_blank_form_when_the_document_has_none_or_the_procedure_is_gone(client, world):
    assert client.get("/thu-tuc/1.001193/mau/2/").status_code == 404
    document = RequiredDocumentFactory(
        procedure=world["procedure"], position=3, blank_form=SimpleUploadedFile("a.pdf", PDF)
    )
    assert client.get("/thu-tuc/1.001193/mau/3/").status_code == 200
    Procedure.objects.filter(pk=document.procedure_id).update(is_active=False)
    assert client.get("/thu-tuc/1.001193/mau/3/").status_code == 404


def test_does_fill_in_the_dossier_code_when_a_petition_is_started_from_the_lookup(client, decided):
    html = lookup(client, decided)
    url = re.search(r'<a href="([^"]+)">Gửi phản ánh, kiến nghị</a>', html)[1].replace("&amp;", "&")
    # With the key: the petition then reaches the agency holding the dossier (docs/security.md).
    assert url == f"/phan-anh/gui/?dossier={decided.code}&key={decided.lookup_key}"
    form = client.get(url).content.decode()
    assert f'name="dossier_code" value="{decided.code}"' in form
    assert re.search(r'<option value="dossier" selected>', form)


def test_does_open_the_petition_when_the_follow_box_is_filled(client, petition):
    item = petition()
    response = client.get("/phan-anh/theo-doi/", {"code": f" {item.code} ", "key": item.key})
    assert response.status_code == 302 and response.url == f"/phan-anh/{item.code}/?key={item.key}"
    assert client.get(response.url).status_code == 200
    assert client.get("/phan-anh/theo-doi/", {"code": item.code}).url == "/phan-anh/"
    assert 'action="/phan-anh/theo-doi/"' in client.get("/phan-anh/").content.decode()


def test_does_headline_the_result_date_when_the_dossier_is_finished(client, world, decided):
    html = lookup(client, decided)
    assert '<p class="big result-date" id="result-date">Đã có kết quả ngày 06/05/2026</p>' in html
    with travel(2026, 5, 8, 9, 0):
        returned = dossier_transition(dossier_id=decided.pk, action="return_result", actor=world["clerk"])
    assert '<p class="big result-date" id="result-date">Đã trả kết quả ngày 08/05/2026</p>' in lookup(client, returned)


def test_cannot_headline_a_result_when_the_dossier_is_still_processed(client, receive):
    with travel(2026, 5, 4, 8, 0):
        dossier = receive()
    assert 'id="result-date"' not in lookup(client, dossier)


def test_does_say_the_result_comes_by_post_when_the_citizen_chose_the_post(client, world, receive):
    with travel(2026, 5, 4, 8, 0):
        dossier = receive(result_delivery="postal")
        for action, user in (("transfer", "clerk"), ("transfer", "specialist"), ("complete", "leader")):
            dossier = dossier_transition(dossier_id=dossier.pk, action=action, actor=world[user])
    assert "Kết quả sẽ được gửi đến bạn qua dịch vụ bưu chính công ích." in lookup(client, dossier)


def test_does_name_the_deciding_agency_and_drop_moves_inside_it_when_the_timeline_is_shown(client, decided):
    html = lookup(client, decided)
    timeline = text_of_html(html.split('id="timeline-title"', 1)[1])
    assert timeline.count("Chuyển đến cơ quan giải quyết") == 1  # the appraiser → signer hand-over is left out
    assert "Đã có kết quả giải quyết — Sở Tư pháp" in timeline
    assert '<strong id="agency">Sở Tư pháp</strong>' in html
    body = client.get(f"/api/v1/public/dossiers/{decided.code}", {"key": decided.lookup_key}).json()
    assert [item["action"] for item in body["timeline"]] == ["receive", "transfer", "complete"]


def text_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_does_show_a_department_move_as_inside_its_agency_when_the_timeline_is_shown(client, world, receive):
    from dossiers.tests.factories import UnitFactory

    department = UnitFactory(code="000.00.02.H56.1", name="Phòng Hành chính tư pháp", kind="department")
    department.parent = world["agency"]
    department.save()
    with travel(2026, 5, 4, 8, 0):
        dossier = receive()
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
        dossier = dossier_transition(
            dossier_id=dossier.pk, action="transfer", actor=world["specialist"], to_unit=department
        )
    actions = [
        item["action"]
        for item in client.get(f"/api/v1/public/dossiers/{dossier.code}", {"key": dossier.lookup_key}).json()[
            "timeline"
        ]
    ]
    assert actions == ["receive", "transfer"]
