"""Attachment endpoints of /api/v1 (digitised documents and electronic results)."""

from ninja import File, Form, Header, Router, Status
from ninja.files import UploadedFile

from .api_lifecycle import ERRORS, visible_dossier
from .auth import StaffRequest, staff_auth
from .idempotency import idempotent_call
from .renderers import to_json_data
from .schemas import AttachmentOut
from .services.attachments import attachment_add

router = Router(tags=["dossiers"], auth=staff_auth)


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
        return 201, to_json_data(AttachmentOut.model_validate(attachment).model_dump())  # stored for a repeated key

    body = {"code": code, "kind": kind, "name": file.name, "size": file.size}
    return Status(*idempotent_call(user=request.auth, key=idempotency_key, body=body, create=create))


@router.get("/dossiers/{code}/attachments", response={200: list[AttachmentOut], **ERRORS}, summary="Tệp đính kèm")
def attachments(request: StaffRequest, code: str):
    return list(visible_dossier(request.auth, code).attachments.all())
