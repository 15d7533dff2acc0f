import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a day off or an extra working day.

    Rows without a unit apply everywhere; a unit's own row overrides them
    (some centres receive on a holiday's eve, others close for a local event).
    """

    class Source(models.TextChoices):
        PACKAGE = "package", _("Thư viện holidays")
        ADMIN = "admin", _("Quản trị viên")
        IMPORT = "import", _("Nhập từ tệp")

    date = models.DateField(_("ngày"))
    unit = models.ForeignKey(
        "dossiers.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_days",
    )
    is_working = models.BooleanField(_("là ngày làm việc"), default=False)
    name = models.CharField(_("tên ngày"), max_length=200)
    document = models.CharField(_("văn bản công bố"), max_length=200, blank=True)
    source = models.CharField(_("nguồn"), max_length=16, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        verbose_name = _("ngày nghỉ / ngày làm bù")
        verbose_name_plural = _("lịch làm việc")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(unit__isnull=True), name="calendarday_global_unique"
            ),
            models.UniqueConstraint(fields=["date", "unit"], name="calendarday_unit_unique"),
        ]

    def __str__(self) -> str:
        kind = _("làm việc") if self.is_working else _("nghỉ")
        return f"{self.date:%d/%m/%Y} {kind}: {self.name}"


class ReferenceVersionQuerySet(models.QuerySet):
    def bump(self, counter: str, token: str) -> None:
        """Add one to the `counter` field of the one version row and give its `token` field a new
        value, creating the row if there is none. The update locks the row until the caller's
        transaction ends, which orders concurrent changes."""
        changes = {counter: models.F(counter) + 1, token: uuid.uuid4()}
        if not self.filter(pk=1).update(**changes):
            self.get_or_create(pk=1)
            self.filter(pk=1).update(**changes)


class ReferenceVersion(models.Model):
    """The versions of the reference data every receipt reads (one row): the working calendar's
    and the procedure catalogue's, each a counter people read and a random token for caches — a
    rolled-back change can reuse a number, never a token.

    The calendar's (`number`, `token`) is bumped by every calendar change; the catalogue's
    (`catalogue`, `catalogue_token`) by every change of a procedure, its documents or steps, or
    a unit. One row, so that a receipt reads both versions in one query and its catalogue reads
    can come from a per-process cache. (Named CalendarVersion until it versioned both.)
    """

    number = models.PositiveIntegerField(default=0)
    token = models.UUIDField(default=uuid.uuid4)
    catalogue = models.PositiveIntegerField(default=0)
    catalogue_token = models.UUIDField(default=uuid.uuid4)

    objects = ReferenceVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiên bản lịch và danh mục")

    def __str__(self) -> str:
        return f"v{self.number}"


class CalendarChange(models.Model):
    """The log of calendar changes; each bumps the calendar's counter of ReferenceVersion."""

    version = models.PositiveIntegerField(_("phiên bản"), default=0)
    changed_at = models.DateTimeField(_("thay đổi lúc"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thay đổi"), null=True, blank=True, on_delete=models.SET_NULL
    )
    summary = models.CharField(_("nội dung thay đổi"), max_length=500)
    dates = models.JSONField(_("các ngày thay đổi"), default=list, blank=True)
    recomputed_at = models.DateTimeField(_("tính lại hạn lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thay đổi lịch")
        verbose_name_plural = _("các phiên bản lịch")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"v{self.version}: {self.summary}"
