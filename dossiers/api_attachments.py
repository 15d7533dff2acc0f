"""Attachment endpoints of /api/v1 (digitised documents and electronic results)."""

from datetime import datetime

from ninja import File, Form, Header, Router, Schema, Status
from ninja.files import UploadedFile

from .api_lifecycle import ERRORS, visible_dossier
from .auth import StaffRequest, staff_auth
from .idempotency import idempotent_call
from .models import Attachment
from .renderers import to_json_data
from .services.attachments import attachment_add

router = Router(tags=["dossiers"], auth=staff_auth)


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    sha256: str
    uploaded_at: datetime


def attachment_out(a: Attachment) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "name": a.original_name,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_at": a.uploaded_at,
    }


@router.post("/dossiers/{code}/attachments", response={201: AttachmentOut, **ERRORS}, summary="Đính kèm tệp")
def attach(
    request: StaffRequest,
    code: str,
    file: File[UploadedFile],
    kind: Form[str] = "scan",
    idempotency_key: str | None = Header(None),
):
    dossier = visible_dossier(request.auth, code)

    def create():
        attachment = attachment_add(dossier=dossier, kind=kind, uploaded_file=file, actor=request.auth)
        return 201, to_json_data(attachment_out(attachment))  # stored as JSON for a repeated key

    body = {"code": code, "kind": kind, "name": file.name, "size": file.size}
    return Status(*idempotent_call(user=request.auth, key=idempotency_key, body=body, create=create))


@router.get("/dossiers/{code}/attachments", response={200: list[AttachmentOut], **ERRORS}, summary="Tệp đính kèm")
def attachments(request: StaffRequest, code: str):
    return [attachment_out(a) for a in visible_dossier(request.auth, code).attachments.all()]
