"""The national portal's outbox (SyncMessage), its resends, and the dossiers it sent us."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dossiers.access import grant_of
from dossiers.models import Dossier, Status


class SyncStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã đồng bộ")
    DEAD = "dead", _("Gửi không thành công")


class SyncMessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Messages about the dossiers the user sees (the one access rule, dossiers/access.py)."""
        if grant_of(user).everything:
            return self  # not `dossier IN (every dossier)`
        return self.filter(dossier__in=Dossier.objects.visible_to(user))

    def dead(self):
        return self.filter(status=SyncStatus.DEAD)

    def heads(self):
        """Messages with every earlier message of their dossier acknowledged: ordered per
        dossier, message k+1 never goes before k has."""
        earlier = SyncMessage.objects.filter(
            dossier=OuterRef("dossier"), sequence__lt=OuterRef("sequence"), status__in=UNSENT
        )
        return self.filter(~Exists(earlier))

    def due(self, *, at):
        """Pending, due by `at`, and first in their dossier's line."""
        return self.filter(status=SyncStatus.PENDING, next_attempt_at__lte=at).heads()

    def waiting_behind(self):
        """Annotated with how many later messages of the same dossier wait for each one."""
        later = SyncMessage.objects.filter(dossier=OuterRef("dossier"), sequence__gt=OuterRef("sequence"))
        count = later.filter(status__in=UNSENT).order_by().values("dossier").annotate(n=Count("pk")).values("n")
        return self.annotate(waiting=Coalesce(Subquery(count), 0))


UNSENT = (SyncStatus.PENDING, SyncStatus.DEAD)


class SyncMessage(models.Model):
    """One change of a dossier for the national portal: written in the change's transaction,
    sent in order per dossier, at most once in effect (the partner keys on `message_id`)."""

    message_id = models.UUIDField(_("mã thông điệp"), unique=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="national_sync_messages"
    )
    sequence = models.PositiveIntegerField(_("số thứ tự trong hồ sơ"))
    action = models.CharField(_("thao tác"), max_length=32)
    changed_at = models.DateTimeField(_("thời điểm thay đổi"))
    payload = models.JSONField(_("nội dung"))
    status = models.CharField(_("tình trạng"), max_length=8, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), default=timezone.now)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("đồng bộ lúc"), null=True, blank=True)

    objects = SyncMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông điệp đồng bộ")
        verbose_name_plural = _("thông điệp đồng bộ Cổng DVCQG")
        ordering = ["dossier", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="syncmessage_dossier_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="syncmessage_sequence_positive"),
        ]
        indexes = [
            # The sender's question: pending messages due now (a few rows, however many were sent).
            models.Index(
                fields=["next_attempt_at"], name="syncmessage_pending_idx", condition=Q(status=SyncStatus.PENDING)
            ),
            models.Index(fields=["created_at"], name="syncmessage_dead_idx", condition=Q(status=SyncStatus.DEAD)),
            # sync_rate: the changes of a period.
            models.Index(fields=["changed_at"], name="syncmessage_changed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.action} ({self.status})"

    @property
    def national_status_label(self) -> str | Promise:
        """The status this message tells the portal (TrangThaiHoSo), by its name."""
        return Status(self.payload["TrangThaiHoSo"]).label


class SyncResend(models.Model):
    """A supervisor sent a dead message again: who, when, and what had failed (append-only)."""

    message = models.ForeignKey(SyncMessage, on_delete=models.PROTECT, related_name="resends")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người gửi lại"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("gửi lại lúc"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("số lần đã gửi"))
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("lần gửi lại")
        verbose_name_plural = _("các lần gửi lại")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.at:%d/%m/%Y %H:%M}"


class InboundDossier(models.Model):
    """An online dossier the national portal sent us, by its id there: one dossier per id, however
    often the portal delivers it."""

    portal_id = models.CharField(_("mã hồ sơ trên Cổng DVCQG"), max_length=64, unique=True)
    dossier = models.OneToOneField(
        Dossier, null=True, on_delete=models.PROTECT, related_name="national_inbound", verbose_name=_("hồ sơ")
    )
    payload = models.JSONField(_("nội dung nhận được"))
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("hồ sơ nhận từ Cổng DVCQG")
        verbose_name_plural = _("hồ sơ nhận từ Cổng DVCQG")

    def __str__(self) -> str:
        return self.portal_id
