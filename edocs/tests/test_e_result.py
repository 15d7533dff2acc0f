"""The electronic result: the uploaded file signed by the lead unit, offered on the public
lookup page with the key, behind the lookup's limits and its 404."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from dossiers.models import Attachment, Dossier
from dossiers.services.attachments import attachment_add
from dossiers.services.routing import dossier_transition
from edocs.models import SignedDocument
from edocs.signing import pdf_check
from edocs.verify import document_verify
from portal.views import E_RESULT_NOT_READY

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
    b"\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def act(dossier, action, user):
    dossier_transition(dossier_id=dossier.pk, action=action, actor=user)
    return Dossier.objects.get(pk=dossier.pk)


def attach_result(dossier, user, content: bytes, name="ket-qua.pdf", content_type="application/pdf"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return attachment_add(dossier=dossier, kind=Attachment.Kind.RESULT, uploaded_file=upload, actor=user)


@pytest.fixture
def done(world, receive):
    """Received, sent to the agency, decided: a dossier with its result ready (9)."""
    dossier = act(act(receive(), "transfer", world["clerk"]), "transfer", world["specialist"])  # to "Ký duyệt"
    return act(dossier, "complete", world["leader"])


def lookup_page(client, dossier, key=None):
    return client.get(f"/tra-cuu/{dossier.code}/", {"key": key or dossier.lookup_key})


def download(client, dossier, key=None):
    return client.get(f"/tra-cuu/{dossier.code}/ket-qua-dien-tu/", {"key": key or dossier.lookup_key})


def test_does_offer_the_result_signed_by_the_lead_unit_when_the_dossier_is_done(client, world, done, signing):
    certificate = signing(world["agency"])
    attachment = attach_result(done, world["clerk"], blank_pdf())

    page = lookup_page(client, done).content.decode()
    url = f"/tra-cuu/{done.code}/ket-qua-dien-tu/?key={done.lookup_key}"
    assert f'href="{url}"' in page
    response = client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    data = b"".join(response.streaming_content)
    check = pdf_check(data)
    assert (check.intact, check.trusted, check.whole_file) == (True, True, True)
    assert check.signer_fingerprint == certificate.fingerprint
    assert (check.stamp.dossier_code, check.stamp.kind, check.stamp.source_sha256) == (
        done.code,
        "result",
        attachment.sha256,
    )
    assert document_verify(data, dossier_code=done.code).problems == []


def test_does_answer_exactly_as_the_lookup_does_when_the_key_is_wrong(client, world, done, signing):
    signing(world["agency"])
    attach_result(done, world["clerk"], blank_pdf())

    refused = download(client, done, key="SAIMA123")

    assert refused.status_code == 404
    assert refused.content == lookup_page(client, done, key="SAIMA123").content
    assert not SignedDocument.objects.exists()


def test_cannot_offer_the_result_when_the_dossier_is_still_being_processed(client, world, receive, signing):
    signing(world["agency"])
    dossier = act(receive(), "transfer", world["clerk"])
    attach_result(dossier, world["specialist"], blank_pdf())

    assert "ket-qua-dien-tu" not in lookup_page(client, dossier).content.decode()
    response = download(client, dossier)
    assert response.status_code == 404
    assert str(E_RESULT_NOT_READY) in response.content.decode()


def test_does_sign_a_scanned_image_result_on_an_a4_page(client, world, done, signing):
    signing(world["agency"])
    attach_result(done, world["clerk"], PNG, name="ket-qua.png", content_type="image/png")

    data = b"".join(download(client, done).streaming_content)

    assert pdf_check(data).intact
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert len(page.images) == 1


def test_does_answer_not_ready_when_the_uploaded_result_is_not_a_readable_pdf(client, world, done, signing):
    signing(world["agency"])
    attach_result(done, world["clerk"], b"%PDF-1.4\nnot a whole PDF file\n")

    response = download(client, done)

    assert response.status_code == 404
    assert str(E_RESULT_NOT_READY) in response.content.decode()
    assert not SignedDocument.objects.exists()


def test_cannot_download_more_often_than_the_lookup_limit_allows(client, world, done, signing, settings):
    settings.PORTAL_LOOKUP_CODE_RATE = "2/m"
    signing(world["agency"])
    attach_result(done, world["clerk"], blank_pdf())

    statuses = [download(client, done).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_does_not_offer_the_result_when_signing_is_off(client, world, done, settings):
    settings.PORTAL_SIGNING_ENABLED = False
    attach_result(done, world["clerk"], blank_pdf())

    assert "ket-qua-dien-tu" not in lookup_page(client, done).content.decode()
    assert download(client, done).status_code == 404


def test_does_link_the_signed_result_on_the_staff_dossier_page(client, world, done, signing):
    signing(world["agency"])
    attach_result(done, world["clerk"], blank_pdf())
    client.force_login(world["specialist"])

    page = client.get(f"/can-bo/ho-so/{done.code}/").content.decode()
    response = client.get(f"/can-bo/ky-so/{done.code}/ket-qua.pdf")

    assert f'href="/can-bo/ky-so/{done.code}/ket-qua.pdf"' in page
    assert f'href="/can-bo/ky-so/{done.code}/giay-tiep-nhan.pdf"' in page
    assert pdf_check(b"".join(response.streaming_content)).intact
