"""Units' signing certificates and the record of every document signed with them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import signing_storage

DEFAULT_PASSPHRASE_ENV = "PORTAL_SIGNING_PASSPHRASE"


class UnitCertificateQuerySet(models.QuerySet):
    def usable(self, *, at=None):
        """Active and within its validity at `at` (default: now)."""
        at = at or timezone.now()
        return self.filter(is_active=True, valid_from__lte=at, valid_to__gt=at)


class UnitCertificate(models.Model):
    """A unit's certificate (chứng thư số) and its key, as a PKCS#12 file in the signing store.

    The passphrase is never stored: it is read from the environment variable named here.
    """

    unit = models.ForeignKey(
        "dossiers.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="certificates"
    )
    label = models.CharField(_("ghi chú"), max_length=200, blank=True)
    pkcs12 = models.FileField(_("tệp PKCS#12"), storage=signing_storage, upload_to="certificates/")
    passphrase_env = models.CharField(_("biến môi trường chứa mật khẩu"), max_length=64, default=DEFAULT_PASSPHRASE_ENV)
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial = models.CharField(_("số hiệu"), max_length=64)
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("chứng thư (PEM)"))
    chain_pem = models.TextField(_("chuỗi chứng thư (PEM)"), blank=True)
    valid_from = models.DateTimeField(_("hiệu lực từ"))
    valid_to = models.DateTimeField(_("hiệu lực đến"))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("đăng ký lúc"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, blank=True, on_delete=models.PROTECT
    )

    objects = UnitCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("chứng thư số của đơn vị")
        verbose_name_plural = _("chứng thư số của đơn vị")
        ordering = ["unit", "-valid_to"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.valid_to:%d/%m/%Y})"


class SignedDocument(models.Model):
    """One document signed by a unit: what it was made from, the file, and who signed it.

    `subject` names the thing within the dossier (the receipt, apology 12, result file 34,
    payment 5); `source_sha256` what was signed (the rendered form, the result file), so the
    same content is signed once and a changed one is signed anew; earlier ones stay on record.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)")
        APOLOGY = "apology", _("Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)")
        RESULT = "result", _("Kết quả giải quyết điện tử")
        PAYMENT_RECEIPT = "payment_receipt", _("Biên lai thu phí, lệ phí điện tử")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="signed_documents")
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    subject = models.CharField(max_length=64)
    source_sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=signing_storage, upload_to="documents/%Y/%m/")
    file_name = models.CharField(_("tên tệp"), max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    unit = models.ForeignKey("dossiers.Unit", verbose_name=_("đơn vị ký"), on_delete=models.PROTECT)
    certificate = models.ForeignKey(UnitCertificate, on_delete=models.PROTECT, related_name="documents")
    signer_fingerprint = models.CharField(max_length=64)
    level = models.CharField(_("mức chữ ký"), max_length=8)  # PAdES baseline: B-B, or B-T with a time stamp
    signed_at = models.DateTimeField(_("ký lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("văn bản đã ký số")
        verbose_name_plural = _("văn bản đã ký số")
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "subject", "source_sha256"], name="signeddocument_once"),
        ]

    def __str__(self) -> str:
        return self.file_name
