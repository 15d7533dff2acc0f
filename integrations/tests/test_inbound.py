"""Online dossiers pushed by the national portal: status-1 submissions, once per portal id."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client

from dossiers.models import Dossier, Procedure, Status
from dossiers.services import intake
from dossiers.tests.factories import ProcedureFactory
from integrations.models import InboundDossier, SyncMessage
from integrations.national.outbox import sync_messages_send

from .conftest import INBOUND_TOKEN

URL = "/api/v1/integrations/national/dossiers"
BODY = {
    "MaHoSoQG": "G22.99-260309-000123",
    "MaTTHC": "1.001193",
    "DonViTiepNhan": "000.00.01.H56",
    "ChuHoSo": {"HoTen": "Phạm Văn Dũng", "SoDinhDanh": "056190005555", "SoDienThoai": "0905 111 222"},
    "NgayNop": "20260309081500",
    "TaiLieuNop": [{"TenGiayTo": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "LoaiBan": "original"}],
}


def post(client, body=BODY, token=INBOUND_TOKEN, **headers):
    return client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


@pytest.mark.django_db
def test_does_register_a_status_1_online_submission_when_the_portal_pushes_a_dossier(world, client, national):
    response = post(client)
    assert response.status_code == 201
    dossier = Dossier.objects.get()
    assert response.json() == {
        "MaHoSoQG": "G22.99-260309-000123",
        "MaHoSo": dossier.code,
        "TrangThaiHoSo": 1,
        "TrungLap": False,
    }
    assert (dossier.status, dossier.channel, dossier.applicant_phone) == (Status.SUBMITTED, "online", "0905111222")
    assert dossier.code.startswith("000.00.01.H56-260309-") and dossier.received_at is None
    assert [d.name for d in dossier.documents.all()] == ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"]
    assert dossier.events.get().actor is None  # registered by the portal, not by a user of ours


@pytest.mark.django_db
def test_does_answer_with_the_first_dossier_and_create_nothing_when_the_portal_redelivers(world, client, national):
    first = post(client).json()
    again = post(client, {**BODY, "SoBoHoSo": 2})  # a redelivery, even an altered one, is the same dossier
    assert again.status_code == 200 and again.json() == {**first, "TrungLap": True}
    assert Dossier.objects.count() == 1 and InboundDossier.objects.count() == 1


@pytest.mark.django_db
def test_does_tell_the_portal_our_code_for_its_dossier_when_the_submission_is_synced(world, client, national):
    code = post(client).json()["MaHoSo"]
    assert sync_messages_send() == 1
    [sent] = national.requests
    assert sent.body["HoSo"]["MaHoSo"] == code and sent.body["HoSo"]["MaHoSoQG"] == "G22.99-260309-000123"
    assert (sent.body["HoSo"]["TrangThaiHoSo"], sent.body["HoSo"]["KenhThucHien"]) == (1, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_does_create_one_dossier_when_the_portal_delivers_the_same_dossier_at_once_twice(world, national):
    statuses, start = [], threading.Barrier(2)

    def deliver():
        try:
            start.wait()
            statuses.append(post(Client()).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 201]
    assert Dossier.objects.count() == 1 and SyncMessage.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"MaTTHC": "9.999999"}, "MaTTHC"),
        ({"DonViTiepNhan": "000.00.02.H56"}, "DonViTiepNhan"),  # an agency, not a service centre
        ({"ChuHoSo": {**BODY["ChuHoSo"], "SoDienThoai": "12"}}, "ChuHoSo.SoDienThoai"),
        ({"NgayNop": "09/03/2026"}, "NgayNop"),
        ({"MaHoSoQG": ""}, "MaHoSoQG"),
    ],
)
def test_cannot_register_anything_when_the_submission_is_invalid(world, client, national, change, field):
    response = post(client, {**BODY, **change})
    assert response.status_code == 422 and field in response.json()["fields"]
    assert Dossier.objects.count() == 0 and InboundDossier.objects.count() == 0


@pytest.mark.django_db
def test_does_name_the_bad_field_in_english_when_asked(world, client, national):
    response = post(client, {**BODY, "MaTTHC": "9.999999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422 and response.json()["fields"]["MaTTHC"] == "No procedure with this code."


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["wrong-token", ""])
def test_cannot_push_a_dossier_when_the_token_is_not_the_portals(world, client, national, token):
    assert post(client, token=token).status_code == 401 and Dossier.objects.count() == 0


@pytest.mark.django_db
def test_cannot_push_a_dossier_when_the_integration_is_off(world, client, settings):
    settings.PORTAL_NATIONAL_INBOUND_TOKEN = ""  # the default
    assert post(client, token="").status_code == 401 and post(client, token="anything").status_code == 401
    assert Dossier.objects.count() == 0


@pytest.fixture
def birth(world):
    """A commune-level procedure (no lead agency): the commune competent for the applicant decides."""
    return ProcedureFactory(
        national_code="1.001612",
        name="Đăng ký khai sinh",
        level=Procedure.Level.COMMUNE,
        lead_agency=None,
        legal_processing_time=Decimal(2),
    )


BIRTH = {**BODY, "MaHoSoQG": "G22.99-260309-000456", "MaTTHC": "1.001612", "TaiLieuNop": None}


@pytest.mark.django_db
def test_does_give_a_commune_procedure_to_the_competent_commune_when_the_portal_names_it(
    world, client, national, birth
):
    response = post(client, {**BIRTH, "DonViThamQuyen": "26734.H56"})
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get()
    assert (dossier.receiving_unit, dossier.lead_unit) == (world["centre"], world["other_centre"])
    assert (dossier.status, dossier.channel) == (Status.SUBMITTED, "online")
    # …and what the partner (the loopback portal) receives names both units.
    assert sync_messages_send() == 1
    [sent] = national.requests
    assert (sent.body["HoSo"]["MaHoSoQG"], sent.body["HoSo"]["DonViTiepNhan"]) == (BIRTH["MaHoSoQG"], "000.00.01.H56")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({}, intake.COMPETENT_REQUIRED),  # filed at the provincial centre, no commune named
        ({"DonViThamQuyen": "000.00.02.H56"}, intake.COMPETENT_NOT_COMMUNE),  # an agency
        ({"DonViThamQuyen": "99999.H56"}, "Không có đơn vị với mã này."),
        ({"MaTTHC": "1.001193", "DonViThamQuyen": "26734.H56"}, intake.COMPETENT_ONLY_COMMUNE),
    ],
)
def test_cannot_register_a_commune_procedure_when_the_competent_commune_is_missing_or_wrong(
    world, client, national, birth, change, message
):
    response = post(client, {**BIRTH, **change})
    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {"DonViThamQuyen": str(message)}
    assert Dossier.objects.count() == 0 and InboundDossier.objects.count() == 0
    assert national.requests == []
