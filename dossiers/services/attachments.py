"""Digitised documents: scans of what was handed in and the electronic result (KPI group 6)."""

import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import OFFICERS, grant_of
from ..errors import Forbidden, InvalidInput
from ..models import Attachment, Dossier, Status
from .events import event_record

FILE_TYPE_REFUSED = _("Chỉ nhận tệp PDF, JPEG hoặc PNG.")
FILE_TOO_LARGE = _("Tệp vượt quá %(mb)s MB.")
FILE_EMPTY = _("Tệp rỗng.")
FILE_REQUIRED = _("Chọn tệp cần tải lên.")
BAD_KIND = _("Loại tệp phải là bản số hóa giấy tờ hoặc kết quả điện tử.")
RESULT_NOT_NOW = _("Chỉ đính kèm kết quả điện tử khi hồ sơ đã xử lý xong hoặc đang được đơn vị bạn xử lý.")
NOT_YOUR_UNIT = _("Chỉ cán bộ của đơn vị tiếp nhận hoặc đơn vị đang giữ hồ sơ được đính kèm tệp.")

# Recognised by content, never by the name or the client's content type.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff(uploaded_file) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    return next(((ctype, ext) for magic, ctype, ext in SIGNATURES if head.startswith(magic)), None)


def _too_large_message() -> str:
    mb = settings.PORTAL_MAX_UPLOAD_BYTES / (1024 * 1024)
    return FILE_TOO_LARGE % {"mb": f"{mb:g}"}


def _authorise(dossier: Dossier, kind: str, actor: User) -> None:
    """Officers of the counter that received it or of the unit holding it (dossiers/access.py);
    while it is being processed, the result comes only from the unit holding it."""
    grant = grant_of(actor)
    if not any(grant.acts_in(unit, OFFICERS) for unit in (dossier.receiving_unit_id, dossier.current_unit_id)):
        raise Forbidden(NOT_YOUR_UNIT)
    holding = grant.acts_in(dossier.current_unit_id, OFFICERS)
    if kind == Attachment.Kind.RESULT and dossier.status == Status.PROCESSING and not holding:
        raise InvalidInput(RESULT_NOT_NOW, fields={"kind": RESULT_NOT_NOW})


def _check_kind(dossier: Dossier, kind: str) -> None:
    if kind not in Attachment.Kind.values:
        raise InvalidInput(BAD_KIND, fields={"kind": BAD_KIND})
    if kind == Attachment.Kind.RESULT and dossier.status not in (Status.PROCESSING, Status.DONE, Status.RETURNED):
        raise InvalidInput(RESULT_NOT_NOW, fields={"kind": RESULT_NOT_NOW})


def _check_file(uploaded_file) -> tuple[str, str]:
    if uploaded_file is None:
        raise InvalidInput(FILE_REQUIRED, fields={"file": FILE_REQUIRED})
    if not uploaded_file.size:
        raise InvalidInput(FILE_EMPTY, fields={"file": FILE_EMPTY})
    if uploaded_file.size > settings.PORTAL_MAX_UPLOAD_BYTES:
        message = _too_large_message()
        raise InvalidInput(message, fields={"file": message})
    sniffed = sniff(uploaded_file)
    if sniffed is None:
        raise InvalidInput(FILE_TYPE_REFUSED, fields={"file": FILE_TYPE_REFUSED})
    return sniffed


def _sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def attachment_add(*, dossier: Dossier, kind: str, uploaded_file, actor: User) -> Attachment:
    """Store a checked PDF/JPEG/PNG for the dossier and record an internal "attach" event."""
    _check_kind(dossier, kind)
    _authorise(dossier, kind, actor)
    content_type, ext = _check_file(uploaded_file)
    name = (uploaded_file.name or "").rsplit("/", 1)[-1][:255] or f"tep.{ext}"
    attachment = Attachment(
        dossier=dossier,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=_sha256(uploaded_file),
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    # The stored name is ours: the client's name never reaches the file system.
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", uploaded_file, save=False)
    try:
        _record(attachment, actor)
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def _record(attachment: Attachment, actor: User) -> None:
    attachment.save()
    event_record(
        dossier=attachment.dossier,
        action="attach",
        actor=actor,
        at=attachment.uploaded_at,
        data={
            "kind": attachment.kind,
            "name": attachment.original_name,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
        is_public=False,
    )
