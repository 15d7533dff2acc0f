"""Online payments of a dossier's fees: one row per attempt, an append-only trail per payment."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PaymentQuerySet(models.QuerySet):
    def paid(self):
        """Paid online, whatever happened after (a later refund does not undo the payment)."""
        return self.filter(paid_at__isnull=False)

    def for_dossier_page(self):
        return self.select_related("refund_requested_by").prefetch_related("events__actor").order_by("-created_at")


class Payment(models.Model):
    """One attempt to pay a dossier's fees through a gateway (vnp_TxnRef is `txn_ref`).

    The amount due is copied when the attempt starts (`payments.fees.fee_due`): a later change of
    the catalogue's fee never changes what was asked or paid.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")
        REFUND_REQUESTED = "refund_requested", _("Đang yêu cầu hoàn tiền")
        REFUND_FAILED = "refund_failed", _("Hoàn tiền không thành công")
        REFUNDED = "refunded", _("Đã hoàn tiền")

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("cổng thanh toán"), max_length=16)
    txn_ref = models.CharField(_("mã giao dịch"), max_length=32, unique=True)
    amount = models.DecimalField(_("số tiền (đồng)"), max_digits=12, decimal_places=0)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    provider_txn_no = models.CharField(_("mã giao dịch tại cổng"), max_length=32, blank=True)
    provider_pay_date = models.CharField(max_length=14, blank=True)  # as the gateway sent it (GMT+7)
    bank_code = models.CharField(_("ngân hàng"), max_length=32, blank=True)
    response_code = models.CharField(_("mã phản hồi"), max_length=8, blank=True)
    receipt_number = models.CharField(_("số biên lai"), max_length=32, blank=True)
    refund_reason = models.CharField(_("lý do hoàn tiền"), max_length=500, blank=True)
    refund_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(_("hoàn tiền lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("thanh toán trực tuyến")
        verbose_name_plural = _("thanh toán trực tuyến")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dossier", "status"], name="payment_dossier_idx"),
            models.Index(fields=["status", "refund_requested_at"], name="payment_refund_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.txn_ref

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class PaymentEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("payment events are append-only")

    def delete(self):
        raise TypeError("payment events are append-only")


class PaymentEvent(models.Model):
    """What happened to a payment: created, the gateway's notices, refunds (never edited)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    data = models.JSONField(default=dict, blank=True)

    objects = PaymentEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("payment events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("payment events are append-only")
