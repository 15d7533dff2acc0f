import hashlib
import secrets
from datetime import time
from functools import cache

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalogue import CatalogueQuerySet


class UnitQuerySet(CatalogueQuerySet):
    def centres(self):
        return self.filter(kind=Unit.Kind.CENTRE)

    def subtree_of(self, units):
        """The units and everything below them (a supervisor's scope)."""
        ids = set(u.pk for u in units)
        frontier = set(ids)
        while frontier:
            frontier = set(self.filter(parent__in=frontier).values_list("pk", flat=True)) - ids
            ids |= frontier
        return self.filter(pk__in=ids)


class Unit(models.Model):
    """A service centre, an agency or one of its departments."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Trung tâm Phục vụ hành chính công")
        AGENCY = "agency", _("Cơ quan chuyên môn")
        DEPARTMENT = "department", _("Phòng, ban")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        COMMUNE = "commune", _("Cấp xã")

    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices, default=Level.PROVINCE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province_code = models.PositiveSmallIntegerField(_("mã tỉnh"), null=True, blank=True)
    ward_code = models.PositiveIntegerField(_("mã xã, phường"), null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    morning_opens = models.TimeField(_("mở cửa sáng"), default=time(7, 30))
    morning_closes = models.TimeField(_("đóng cửa sáng"), default=time(11, 30))
    afternoon_opens = models.TimeField(_("mở cửa chiều"), default=time(13, 30))
    afternoon_closes = models.TimeField(_("đóng cửa chiều"), default=time(17, 30))
    saturday_morning = models.BooleanField(_("tiếp nhận sáng thứ Bảy"), default=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), through="UnitMembership", related_name="units", blank=True
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_opens__lt=models.F("morning_closes"))
                & models.Q(morning_closes__lte=models.F("afternoon_opens"))
                & models.Q(afternoon_opens__lt=models.F("afternoon_closes")),
                name="unit_office_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def office_periods(self) -> tuple[tuple[time, time], ...]:
        return ((self.morning_opens, self.morning_closes), (self.afternoon_opens, self.afternoon_closes))


class UnitMembership(models.Model):
    """A staff member works in a unit (one person may serve several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="memberships")
    title = models.CharField(_("chức danh"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit.code}"


class ApiTokenQuerySet(models.QuerySet):
    def matching(self, raw: str):
        return self.filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True)

    def user_of(self, raw: str):
        """The user of `matching(raw)`, or None: run on every API request, so one prepared
        statement instead of the ORM's query."""
        from django.contrib.auth import get_user_model

        from ..prepared import execute_prepared, model_from_row

        rows = execute_prepared(_user_of_sql(), [ApiToken.digest_of(raw)])
        return model_from_row(get_user_model(), rows[0]) if rows else None


@cache
def _user_of_sql() -> str:
    from django.contrib.auth import get_user_model

    from ..prepared import select_list

    users, tokens = get_user_model()._meta.db_table, ApiToken._meta.db_table
    return (
        f"SELECT {select_list(get_user_model(), 'u')} FROM {tokens} t JOIN {users} u ON u.id = t.user_id "  # noqa: S608
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active"
    )


class ApiToken(models.Model):
    """A bearer token for integrations; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("mã băm"), max_length=64, unique=True)
    prefix = models.CharField(_("tiền tố"), max_length=8)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw() -> str:
        return secrets.token_urlsafe(32)
