"""Receipts (Mẫu 01) and apologies (Mẫu 04) as PDF signed by the issuing unit (PAdES)."""

import hashlib
import io

import pytest
import time_machine
from pypdf import PdfReader

from dossiers.services.apologies import apology_draft, apology_issue
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local
from edocs.models import SignedDocument
from edocs.services import APOLOGY_NOT_SIGNED, NO_CERTIFICATE
from edocs.signing import pdf_check

pytestmark = pytest.mark.django_db


def receipt_url(dossier) -> str:
    return f"/can-bo/ky-so/{dossier.code}/giay-tiep-nhan.pdf"


def pdf_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def received(world, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        return receive()


def to_agency_in_time(received, world):
    """The counter hands the dossier on within its 2 hours: the agency is the unit at fault
    (services.fault) when an apology comes later."""
    with time_machine.travel(local(2026, 3, 9, 11, 0), tick=False):
        dossier_transition(dossier_id=received.pk, action="transfer", actor=world["clerk"])


def fonts_of(reader: PdfReader) -> dict[str, bool]:
    """{font name: its file is embedded} of every font the pages use."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded = any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"]).split("+", 1)[-1]] = embedded
    return fonts


def test_does_sign_the_receipt_with_the_receiving_unit_certificate_when_a_clerk_downloads_it(
    client, world, received, signing
):
    certificate = signing(world["centre"])
    client.force_login(world["clerk"])

    response = client.get(receipt_url(received))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="giay-tiep-nhan-{received.code}.pdf"'
    data = pdf_of(response)
    check = pdf_check(data)
    assert (check.signed, check.intact, check.trusted, check.whole_file) == (True, True, True, True)
    assert check.signer_fingerprint == certificate.fingerprint
    assert (check.stamp.dossier_code, check.stamp.kind) == (received.code, "receipt")
    record = SignedDocument.objects.get(dossier=received)
    assert (record.kind, record.unit, record.level) == ("receipt", world["centre"], "B-B")
    assert record.certificate == certificate
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert received.events.filter(action="document_sign", is_public=False).count() == 1


def test_does_embed_a_vietnamese_font_and_keep_the_diacritics_when_making_the_receipt(client, world, received, signing):
    signing(world["centre"])
    client.force_login(world["clerk"])

    reader = PdfReader(io.BytesIO(pdf_of(client.get(receipt_url(received)))))

    fonts = fonts_of(reader)
    assert {"DejaVu-Serif", "DejaVu-Serif-Bold"} <= set(fonts)
    assert all(fonts.values()), fonts
    text = reader.pages[0].extract_text()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Trần Thị Bình" in text
    assert "Cấp Phiếu lý lịch tư pháp" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert received.code in text


def test_does_sign_a_receipt_once_when_it_is_asked_for_again(client, world, received, signing):
    signing(world["centre"])
    client.force_login(world["clerk"])

    first, second = (pdf_of(client.get(receipt_url(received))) for _ in range(2))

    assert first == second
    assert SignedDocument.objects.filter(dossier=received).count() == 1


def test_does_sign_the_receipt_anew_and_keep_the_first_when_its_appointment_changed(client, world, receive, signing):
    # Days ahead of today, in order: the test CA's certificates are valid from today on.
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        received = receive()
        signing(world["centre"])
        client.force_login(world["clerk"])
        first = pdf_of(client.get(receipt_url(received)))
    with time_machine.travel(local(2026, 12, 7, 11, 0), tick=False):  # handed on within the counter's 2 hours
        dossier_transition(dossier_id=received.pk, action="transfer", actor=world["clerk"])
    with time_machine.travel(local(2026, 12, 8, 9, 0), tick=False):
        apology_issue(
            dossier_id=received.pk, actor=world["leader"], reason="Chờ xác minh", new_due_at=local(2026, 12, 28, 10, 0)
        )
        client.force_login(world["clerk"])
        second = pdf_of(client.get(receipt_url(received)))

    assert first != second
    assert SignedDocument.objects.filter(dossier=received, kind="receipt").count() == 2
    assert "28/12/2026" in PdfReader(io.BytesIO(second)).pages[0].extract_text()


def test_does_sign_the_apology_with_the_unit_at_fault_when_its_leader_signed_it(client, world, received, signing):
    agency_certificate = signing(world["agency"])
    to_agency_in_time(received, world)
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        apology = apology_issue(
            dossier_id=received.pk, actor=world["leader"], reason="Chờ xác minh", new_due_at=local(2026, 3, 30, 10, 0)
        )
    client.force_login(world["specialist"])

    response = client.get(f"/can-bo/ky-so/xin-loi/{apology.pk}.pdf")

    data = pdf_of(response)
    check = pdf_check(data)
    assert (check.intact, check.trusted, check.signer_fingerprint) == (True, True, agency_certificate.fingerprint)
    assert (check.stamp.dossier_code, check.stamp.kind) == (received.code, "apology")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Chờ xác minh" in text


def test_cannot_sign_an_apology_when_it_is_still_a_draft(client, world, received, signing):
    signing(world["agency"])
    to_agency_in_time(received, world)
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        apology = apology_draft(
            dossier_id=received.pk, actor=world["specialist"], reason="Chờ xác minh", new_due_at=local(2026, 3, 30, 10)
        )
    client.force_login(world["specialist"])

    response = client.get(f"/can-bo/ky-so/xin-loi/{apology.pk}.pdf")

    assert response.status_code == 409
    assert str(APOLOGY_NOT_SIGNED) in response.content.decode()
    assert not SignedDocument.objects.exists()


def test_cannot_sign_the_receipt_when_the_receiving_unit_has_no_active_certificate(client, world, received, signing):
    signing(world["agency"])  # another unit's: never borrowed
    retired = signing(world["centre"])
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    client.force_login(world["clerk"])

    response = client.get(receipt_url(received))

    assert response.status_code == 409
    assert str(NO_CERTIFICATE % {"unit": world["centre"].name}) in response.content.decode()


def test_cannot_reach_a_signed_pdf_when_signing_is_off(client, world, received, settings):
    settings.PORTAL_SIGNING_ENABLED = False
    client.force_login(world["clerk"])

    response = client.get(receipt_url(received))

    assert response.status_code == 404
    assert not SignedDocument.objects.exists()


def test_cannot_download_the_receipt_of_a_dossier_the_officer_does_not_see(client, world, received, signing):
    signing(world["centre"])
    client.force_login(world["other_clerk"])

    assert client.get(receipt_url(received)).status_code == 404
    assert not SignedDocument.objects.exists()
