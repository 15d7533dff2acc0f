"""Signed documents of a dossier: made on demand, signed once per content, kept on record.

Forms are rendered from the print templates (`dossiers.printing`), so the signed PDF says what
the printed form says; a changed form (a new appointment) is signed anew and both stay on record.
Signing happens when a document is first asked for, never while a dossier is received.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dossiers import printing
from dossiers.errors import Conflict
from dossiers.models import Apology, Attachment, Dossier, Status
from dossiers.services.events import event_record

from .models import SignedDocument, UnitCertificate
from .pdf import PdfUnavailable, html_to_pdf, image_to_pdf
from .signing import SigningError, Stamp, pdf_sign, sha256, signature_level

log = logging.getLogger(__name__)
NOT_ENABLED = _("Chức năng ký số văn bản điện tử chưa được bật.")
NO_CERTIFICATE = _("%(unit)s chưa có chứng thư số còn hiệu lực; quản trị viên đăng ký chứng thư trong trang quản trị.")
APOLOGY_NOT_SIGNED = _("Văn bản xin lỗi chưa được lãnh đạo ký duyệt nên chưa phát hành bản điện tử.")
NO_RESULT = _("Hồ sơ chưa có kết quả điện tử.")
CANNOT_SIGN = _("Không ký số được văn bản: %(reason)s")
SIGN_REASON = _("Ký số văn bản điện tử")
# A result is published once the dossier is done (Decree 118/2025: the result is returned at 9 → 10).
RESULT_STATUSES = (Status.DONE, Status.RETURNED)


class DocumentUnavailable(Conflict):
    code = "document_unavailable"


def signing_enabled() -> bool:
    return bool(settings.PORTAL_SIGNING_ENABLED)


def certificate_for(unit) -> UnitCertificate | None:
    """The unit's own certificate valid now, the longest-lived first (no borrowing a parent's)."""
    return UnitCertificate.objects.usable().filter(unit=unit).select_related("unit").order_by("-valid_to").first()


@dataclass(frozen=True)
class Draft:
    """A document to sign: its place in the dossier, what it is made from, how to make the PDF."""

    kind: str
    subject: str
    source: bytes
    file_name: str
    title: str
    make: Callable[[], bytes]


def document_sign(*, dossier: Dossier, unit, draft: Draft, actor=None) -> SignedDocument:
    """The signed document of this content: the one on record, or made, signed and recorded now."""
    if not signing_enabled():
        raise DocumentUnavailable(NOT_ENABLED)
    source_sha256 = sha256(draft.source)
    found = SignedDocument.objects.filter(dossier=dossier, subject=draft.subject, source_sha256=source_sha256).first()
    if found is not None:
        return found
    certificate = certificate_for(unit)
    if certificate is None:
        raise DocumentUnavailable(NO_CERTIFICATE % {"unit": unit.name})
    stamp = Stamp(dossier.code, draft.kind, source_sha256)
    try:
        signed = pdf_sign(
            draft.make(),
            certificate=certificate,
            stamp=stamp,
            title=draft.title,
            reason=str(SIGN_REASON),
            location=printing.place_of(unit),
        )
    except (SigningError, PdfUnavailable) as exc:
        log.warning("could not sign %s of %s: %s", draft.subject, dossier.code, exc)
        raise DocumentUnavailable(CANNOT_SIGN % {"reason": exc}) from exc
    return _record(
        dossier=dossier, unit=unit, certificate=certificate, draft=draft, stamp=stamp, signed=signed, actor=actor
    )


def _record(*, dossier, unit, certificate, draft: Draft, stamp: Stamp, signed: bytes, actor) -> SignedDocument:
    document = SignedDocument(
        dossier=dossier,
        kind=draft.kind,
        subject=draft.subject,
        source_sha256=stamp.source_sha256,
        file_name=draft.file_name,
        size=len(signed),
        sha256=sha256(signed),
        unit=unit,
        certificate=certificate,
        signer_fingerprint=certificate.fingerprint,
        level=signature_level(),
        signed_at=timezone.now(),
    )
    document.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(signed), save=False)
    try:
        with transaction.atomic():
            document.save()
            _event(document, actor)
    except IntegrityError:
        # Signed at the same moment by another request: keep theirs, drop ours.
        document.file.delete(save=False)
        return SignedDocument.objects.get(dossier=dossier, subject=draft.subject, source_sha256=stamp.source_sha256)
    return document


def _event(document: SignedDocument, actor) -> None:
    event_record(
        dossier=document.dossier,
        action="document_sign",
        actor=actor,
        at=document.signed_at,
        unit=document.unit,
        data={"kind": document.kind, "sha256": document.sha256, "signer": document.signer_fingerprint},
        is_public=False,
    )


# -- the documents --------------------------------------------------------------------------------


def _rendered(form: str, context: dict) -> str:
    # Official documents are in Vietnamese whatever the reader's language.
    with translation.override("vi"):
        return printing.form_template(form, context["form_version"]).render(context)


def _form_draft(kind: str, subject: str, html: str, file_name: str, title: str) -> Draft:
    return Draft(kind, subject, html.encode(), file_name, title, lambda: html_to_pdf(html))


def receipt_signed(*, dossier: Dossier, actor=None) -> SignedDocument:
    """Mẫu 01, signed by the receiving unit (the issuer of the receipt)."""
    html = _rendered("receipt", printing.receipt_context(dossier))
    draft = _form_draft(
        SignedDocument.Kind.RECEIPT, "receipt", html, f"giay-tiep-nhan-{dossier.code}.pdf", "Giấy tiếp nhận hồ sơ"
    )
    return document_sign(dossier=dossier, unit=dossier.receiving_unit, draft=draft, actor=actor)


def apology_signed(*, apology: Apology, actor=None) -> SignedDocument:
    """Mẫu 04, signed by the unit at fault, once its leader has signed the letter."""
    from dossiers.views.apology import print_context

    if apology.status != Apology.Status.SIGNED:
        raise DocumentUnavailable(APOLOGY_NOT_SIGNED)
    html = _rendered("apology", print_context(apology))
    draft = _form_draft(
        SignedDocument.Kind.APOLOGY,
        f"apology:{apology.pk}",
        html,
        f"van-ban-xin-loi-{apology.dossier.code}-{apology.pk}.pdf",
        "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
    )
    return document_sign(dossier=apology.dossier, unit=apology.unit, draft=draft, actor=actor)


def result_attachment(dossier: Dossier) -> Attachment | None:
    """The electronic result to publish: the last one uploaded, once the dossier is done."""
    if dossier.status not in RESULT_STATUSES:
        return None
    return dossier.attachments.filter(kind=Attachment.Kind.RESULT).order_by("uploaded_at", "id").last()


def result_signed(*, dossier: Dossier, actor=None) -> SignedDocument:
    """The uploaded result, signed by the lead unit (the authority that decided); an image is
    put on an A4 page first. Its source hash is the uploaded file's (`Attachment.sha256`)."""
    attachment = result_attachment(dossier)
    if attachment is None:
        raise DocumentUnavailable(NO_RESULT)
    with attachment.file.open("rb") as f:
        content = f.read()
    title = f"Kết quả giải quyết hồ sơ {dossier.code}"
    is_pdf = attachment.content_type == "application/pdf"
    draft = Draft(
        kind=SignedDocument.Kind.RESULT,
        subject=f"result:{attachment.pk}",
        source=content,
        file_name=f"ket-qua-{dossier.code}.pdf",
        title=title,
        make=(lambda: content) if is_pdf else (lambda: image_to_pdf(content, attachment.content_type, title)),
    )
    return document_sign(dossier=dossier, unit=dossier.lead_unit, draft=draft, actor=actor)
