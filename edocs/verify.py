"""Is this file a document we signed, for that dossier? (`manage.py verify_document`)

Two questions, both must be yes: the signature is valid, trusted and covers the whole file
(pyHanko against the units' root CAs); and the file is on our record of signed documents with
the dossier code, kind and source hash it carries in its signed metadata.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import SignedDocument
from .signing import SignatureCheck, pdf_check, sha256

NOT_SIGNED = _("Tệp không có chữ ký số.")
UNREADABLE = _("Không đọc được tệp PDF: %(reason)s")
BROKEN = _("Chữ ký số không hợp lệ: nội dung đã bị thay đổi sau khi ký.")
UNTRUSTED = _("Chứng thư ký không do tổ chức cấp được tin cậy cấp.")
CHANGED_AFTER = _("Tệp đã bị sửa đổi hoặc bổ sung sau khi ký.")
NO_STAMP = _("Tệp không ghi mã hồ sơ của hệ thống Một Cửa.")
NO_RECORD = _("Văn bản không có trong sổ văn bản đã ký của hệ thống.")
STAMP_MISMATCH = _("Mã hồ sơ, loại văn bản hoặc mã băm ghi trong tệp không khớp với sổ văn bản đã ký.")
WRONG_SIGNER = _("Văn bản không do chứng thư đã ghi nhận trong sổ ký.")
WRONG_DOSSIER = _("Văn bản thuộc hồ sơ %(found)s, không phải hồ sơ %(expected)s.")


@dataclass
class Verdict:
    check: SignatureCheck
    document: SignedDocument | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def document_verify(data: bytes, *, dossier_code: str | None = None) -> Verdict:
    check = pdf_check(data)
    document = SignedDocument.objects.select_related("dossier", "unit").filter(sha256=sha256(data)).first()
    problems = _signature_problems(check) + _record_problems(check, document)
    if dossier_code and check.stamp and check.stamp.dossier_code != dossier_code:
        problems.append(WRONG_DOSSIER % {"found": check.stamp.dossier_code, "expected": dossier_code})
    return Verdict(check=check, document=document, problems=[str(p) for p in problems])


def _signature_problems(check: SignatureCheck) -> list:
    if check.problem:
        return [UNREADABLE % {"reason": check.problem}]
    if not check.signed:
        return [NOT_SIGNED]
    problems = []
    if not check.intact:
        problems.append(BROKEN)
    if not check.trusted:
        problems.append(UNTRUSTED)
    if not check.whole_file:
        problems.append(CHANGED_AFTER)
    if check.stamp is None:
        problems.append(NO_STAMP)
    return problems


def _record_problems(check: SignatureCheck, document: SignedDocument | None) -> list:
    if not check.signed:
        return []
    if document is None:
        return [NO_RECORD]
    problems = []
    stamp = check.stamp
    if stamp and (stamp.dossier_code, stamp.kind, stamp.source_sha256) != (
        document.dossier.code,
        document.kind,
        document.source_sha256,
    ):
        problems.append(STAMP_MISMATCH)
    if check.signer_fingerprint != document.signer_fingerprint:
        problems.append(WRONG_SIGNER)
    return problems
