"""The applicant's identity document: CCCD, passport or another one, each with its own rule
(issue 16: a foreign applicant could not be received)."""

import pytest
import time_machine

from dossiers.errors import InvalidInput
from dossiers.models import Dossier
from dossiers.services import applicants
from dossiers.services.applicants import applicant_clean
from dossiers.services.lookup import public_dossier
from dossiers.tests.conftest import local
from dossiers.tests.fixtures import API_DOSSIER_BODY as BODY
from dossiers.tests.test_api_dossiers import bearer

PERSON = {"name": "John Smith", "phone": "0905123456"}


@pytest.mark.parametrize(
    ("id_type", "typed", "stored"),
    [
        ("cccd", "056 190 001 234", "056190001234"),
        ("passport", "c1234567", "C1234567"),
        ("passport", " 533 380 006 ", "533380006"),
        ("other", "tt-12/2024", "TT-12/2024"),
    ],
)
def test_does_keep_the_number_without_spaces_in_capitals_when_it_fits_its_type(id_type, typed, stored):
    applicant = applicant_clean(**PERSON, id_type=id_type, id_number=typed)
    assert (applicant.id_type, applicant.id_number) == (id_type, stored)


@pytest.mark.parametrize(
    ("id_type", "typed", "message"),
    [
        ("cccd", "C1234567", applicants.ID_NUMBER_INVALID),
        ("cccd", "٠٥٦١٩٠٠٠١٢٣٤", applicants.ID_NUMBER_INVALID),  # digits, but not 0-9
        ("passport", "C12", applicants.PASSPORT_INVALID),
        ("passport", "Đ1234567", applicants.PASSPORT_INVALID),
        ("other", "AB#1", applicants.OTHER_ID_INVALID),
    ],
)
def test_cannot_clean_the_applicant_when_the_number_does_not_fit_its_type(id_type, typed, message):
    with pytest.raises(InvalidInput) as error:
        applicant_clean(**PERSON, id_type=id_type, id_number=typed)
    assert error.value.fields == {"applicant.id_number": message}


def test_cannot_clean_the_applicant_when_the_document_type_is_unknown():
    with pytest.raises(InvalidInput) as error:
        applicant_clean(**PERSON, id_type="visa", id_number="C1234567")
    assert error.value.fields == {"applicant.id_type": applicants.ID_TYPE_INVALID}


@pytest.mark.django_db
def test_does_find_a_foreigners_dossier_when_the_passport_number_is_typed_in_small_letters(receive):
    dossier = receive(applicant=applicant_clean(**PERSON, id_type="passport", id_number="C1234567"))
    assert dossier.applicant_id_type == "passport" and dossier.applicant_id_label == "Số hộ chiếu"
    assert public_dossier(code=dossier.code, key="c123 4567") == dossier
    assert public_dossier(code=dossier.code, key="C1234568") is None


@pytest.mark.django_db
def test_does_count_a_dossier_as_cccd_when_it_was_written_without_a_type(world, receive):
    dossier = receive()
    assert Dossier.objects.filter(pk=dossier.pk, applicant_id_type="cccd").exists()
    assert dossier.applicant_id_label == "Số định danh cá nhân"


@pytest.mark.django_db
@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_receive_a_passport_holder_through_the_api_when_id_type_is_given(client, world):
    body = BODY | {"applicant": BODY["applicant"] | {"id_type": "passport", "id_number": "n 0123456"}}
    auth = bearer(world["clerk"])
    response = client.post("/api/v1/dossiers", body, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    applicant = client.get(f"/api/v1/dossiers/{code}", **auth).json()["applicant"]
    assert (applicant["id_type"], applicant["id_number"]) == ("passport", "N0123456")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("applicant", "field", "message"),
    [
        ({"id_type": "visa"}, "applicant.id_type", None),
        ({"id_type": "cccd", "id_number": "N0123456"}, "applicant.id_number", applicants.ID_NUMBER_INVALID),
        ({"id_type": "passport", "id_number": "N01"}, "applicant.id_number", applicants.PASSPORT_INVALID),
    ],
)
def test_cannot_receive_through_the_api_when_the_number_does_not_fit_its_type(client, world, applicant, field, message):
    body = BODY | {"applicant": BODY["applicant"] | applicant}
    response = client.post("/api/v1/dossiers", body, content_type="application/json", **bearer(world["clerk"]))
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert field in fields and (message is None or fields[field] == str(message))
    assert not Dossier.objects.exists()
