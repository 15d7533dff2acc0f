from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApologyQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(status=Apology.Status.SIGNED)

    def visible_to(self, user):
        """Apologies of the dossiers the user sees (dossiers/access.py)."""
        from .dossier import Dossier

        if user.is_superuser:
            return self
        return self.filter(dossier__in=Dossier.objects.visible_to(user).values("pk"))

    def waiting_for_signature(self):
        return self.filter(status=Apology.Status.DRAFT)

    def being_drafted(self):
        """Drafts not yet signed: waiting for the leader, or returned to be reworked."""
        return self.filter(status__in=(Apology.Status.DRAFT, Apology.Status.RETURNED))


class Apology(models.Model):
    """Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04, Decree 118/2025).

    Drafted by the unit at fault, signed by its leader, sent to the citizen by the
    channel they used; the new appointment enters the clock ledger as an extension.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chờ lãnh đạo ký")
        RETURNED = "returned", _("Lãnh đạo trả lại để sửa")
        SIGNED = "signed", _("Đã ký, đã gửi")
        CANCELLED = "cancelled", _("Đã hủy")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="apologies")
    unit = models.ForeignKey("dossiers.Unit", verbose_name=_("đơn vị xin lỗi"), on_delete=models.PROTECT)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("số văn bản"), max_length=64, blank=True)
    reason = models.TextField(_("lý do chậm trễ"))
    original_due_at = models.DateTimeField(_("ngày hẹn trước đó"))
    extension_days = models.DecimalField(
        _("gia hạn (ngày làm việc)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    new_due_at = models.DateTimeField(_("ngày hẹn mới"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("soạn lúc"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ký"),
    )
    issued_at = models.DateTimeField(_("phát hành lúc"), null=True, blank=True)
    issued_after_due = models.BooleanField(_("phát hành sau ngày hẹn"), default=False)
    review_comment = models.TextField(_("ý kiến của lãnh đạo"), blank=True)

    objects = ApologyQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản xin lỗi")
        verbose_name_plural = _("văn bản xin lỗi")
        ordering = ["dossier", "drafted_at", "id"]
        # The leaders' "Xin lỗi chờ ký" count, by unit or (superusers) all: the drafts only, not
        # every apology ever signed (views.staff._apologies_to_sign; issue 17).
        indexes = [models.Index(fields=["unit"], name="apology_draft_idx", condition=models.Q(status="draft"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_due_at__gt=models.F("original_due_at")), name="apology_new_due_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} — {self.dossier_id}"
