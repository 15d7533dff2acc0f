"""Digitised documents: content-checked uploads, storage, audit trail, API and pages."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.errors import Forbidden, InvalidInput
from dossiers.models import Attachment, DossierEvent, Status
from dossiers.services.attachments import FILE_EMPTY, FILE_TYPE_REFUSED, NOT_YOUR_UNIT, RESULT_NOT_NOW, attachment_add
from dossiers.services.routing import dossier_transition
from dossiers.services.tokens import api_token_create

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def act(dossier, action, user, **kwargs):
    return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, **kwargs)


@pytest.mark.parametrize(
    ("content", "content_type"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")]
)
def test_does_store_the_file_when_its_content_is_pdf_jpeg_or_png(world, receive, settings, content, content_type):
    dossier = receive()
    # Name and client content type lie: only the bytes count.
    attachment = attachment_add(
        dossier=dossier, kind="scan", uploaded_file=upload(content, "giay-to.bin", "text/plain"), actor=world["clerk"]
    )
    assert attachment.content_type == content_type and attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.original_name == "giay-to.bin" and not attachment.file.name.endswith(".bin")
    [path] = stored_files(settings)
    assert path.read_bytes() == content


def test_does_record_an_internal_event_when_a_file_is_attached(world, receive):
    dossier = receive()
    attachment = attachment_add(dossier=dossier, kind="scan", uploaded_file=upload(PDF), actor=world["clerk"])
    event = DossierEvent.objects.get(dossier=dossier, action="attach")
    assert event.is_public is False and event.actor == world["clerk"]
    assert event.data == {"kind": "scan", "name": "scan.pdf", "size": len(PDF), "sha256": attachment.sha256}


@pytest.mark.parametrize(
    ("content", "name"), [(b"Day la van ban, khong phai PDF", "to-khai.pdf"), (b"GIF89a" + b"\x00" * 20, "anh.png")]
)
def test_cannot_attach_and_does_store_nothing_when_the_content_is_not_allowed(world, receive, settings, content, name):
    dossier = receive()
    with pytest.raises(InvalidInput) as exc:
        attachment_add(dossier=dossier, kind="scan", uploaded_file=upload(content, name), actor=world["clerk"])
    assert exc.value.message == FILE_TYPE_REFUSED and exc.value.fields == {"file": FILE_TYPE_REFUSED}
    assert Attachment.objects.count() == 0 and stored_files(settings) == []
    assert not dossier.events.filter(action="attach").exists()


def test_cannot_attach_and_does_store_nothing_when_the_file_is_too_large(world, receive, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024 * 1024
    dossier = receive()
    with pytest.raises(InvalidInput) as exc:
        attachment_add(
            dossier=dossier, kind="scan", uploaded_file=upload(PDF + b"\x00" * (1024 * 1024)), actor=world["clerk"]
        )
    assert exc.value.message == "Tệp vượt quá 1 MB."
    assert Attachment.objects.count() == 0 and stored_files(settings) == []


def test_cannot_attach_when_the_file_is_empty(world, receive, settings):
    with pytest.raises(InvalidInput) as exc:
        attachment_add(dossier=receive(), kind="scan", uploaded_file=upload(b""), actor=world["clerk"])
    assert exc.value.message == FILE_EMPTY and stored_files(settings) == []


def test_cannot_attach_a_result_when_the_dossier_is_only_received(world, receive, settings):
    with pytest.raises(InvalidInput) as exc:
        attachment_add(dossier=receive(), kind="result", uploaded_file=upload(PDF), actor=world["clerk"])
    assert exc.value.message == RESULT_NOT_NOW and stored_files(settings) == []


def test_does_attach_a_result_when_the_dossier_is_done(world, receive):
    dossier = act(receive(), "transfer", world["clerk"])
    dossier = act(act(dossier, "transfer", world["specialist"]), "complete", world["leader"])
    assert dossier.status == Status.DONE
    attachment = attachment_add(dossier=dossier, kind="result", uploaded_file=upload(PDF), actor=world["clerk"])
    assert attachment.kind == Attachment.Kind.RESULT


def test_cannot_attach_when_the_user_is_in_neither_the_receiving_nor_the_current_unit(world, receive, settings):
    dossier = receive()  # visible to the agency's specialist (lead unit), held by the centre
    with pytest.raises(Forbidden) as exc:
        attachment_add(dossier=dossier, kind="scan", uploaded_file=upload(PDF), actor=world["specialist"])
    assert exc.value.message == NOT_YOUR_UNIT and stored_files(settings) == []


# -- API --------------------------------------------------------------------------------------


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)[1]}"}


def test_does_answer_201_and_list_the_file_when_uploaded_through_the_api(client, world, receive):
    dossier = receive()
    url = f"/api/v1/dossiers/{dossier.code}/attachments"
    auth = bearer(world["clerk"])
    response = client.post(url, {"kind": "scan", "file": upload(PNG, "cccd.png", "image/png")}, **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "scan" and body["name"] == "cccd.png" and body["size"] == len(PNG)
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest() and body["uploaded_at"].endswith("+07:00")
    listed = client.get(url, **auth).json()
    assert [a["id"] for a in listed] == [body["id"]]


def test_does_store_one_file_and_replay_the_answer_when_the_upload_repeats_its_idempotency_key(client, world, receive):
    dossier = receive()
    url, auth = f"/api/v1/dossiers/{dossier.code}/attachments", bearer(world["clerk"])
    answers = [
        client.post(
            url, {"kind": "scan", "file": upload(PNG, "cccd.png", "image/png")}, HTTP_IDEMPOTENCY_KEY="u-1", **auth
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201], answers[0].content
    assert answers[0].content == answers[1].content and answers[0].json()["name"] == "cccd.png"
    assert answers[0].json()["uploaded_at"].endswith("+07:00")
    assert [a.pk for a in dossier.attachments.all()] == [answers[0].json()["id"]]


def test_does_answer_422_when_a_text_file_is_uploaded_through_the_api(client, world, receive, settings):
    dossier = receive()
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/attachments",
        {"kind": "scan", "file": upload(b"hello", "to-khai.pdf")},
        **bearer(world["clerk"]),
    )
    assert response.status_code == 422
    assert response.json()["message"] == FILE_TYPE_REFUSED and stored_files(settings) == []


def test_does_answer_404_when_an_outsider_uploads_through_the_api(client, world, receive, settings):
    dossier = receive()
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/attachments",
        {"kind": "scan", "file": upload(PDF)},
        **bearer(world["outsider"]),
    )
    assert response.status_code == 404 and stored_files(settings) == []
    assert client.get(f"/api/v1/dossiers/{dossier.code}/attachments", **bearer(world["outsider"])).status_code == 404


# -- staff pages ------------------------------------------------------------------------------


def test_does_upload_and_download_the_file_when_using_the_dossier_page(client, world, receive):
    dossier = receive()
    client.force_login(world["clerk"])
    response = client.post(reverse("staff:attach", args=[dossier.code]), {"kind": "scan", "file": upload(PDF)})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    page = client.get(response.url).content.decode()
    assert reverse("staff:attachment", args=[attachment.pk]) in page
    download = client.get(reverse("staff:attachment", args=[attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_cannot_upload_and_does_show_the_message_when_the_page_gets_a_text_file(client, world, receive, settings):
    dossier = receive()
    client.force_login(world["clerk"])
    response = client.post(
        reverse("staff:attach", args=[dossier.code]), {"kind": "scan", "file": upload(b"hello", "x.pdf")}
    )
    assert response.status_code == 422 and str(FILE_TYPE_REFUSED) in response.content.decode()
    assert Attachment.objects.count() == 0 and stored_files(settings) == []


def test_cannot_download_the_file_when_the_user_is_an_outsider(client, world, receive):
    attachment = attachment_add(dossier=receive(), kind="scan", uploaded_file=upload(PDF), actor=world["clerk"])
    client.force_login(world["outsider"])
    assert client.get(reverse("staff:attachment", args=[attachment.pk])).status_code == 404
