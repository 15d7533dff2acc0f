import hashlib
import secrets
from datetime import time
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# Office hours by default (ND 118/2025 leaves them to the province). Callables, not `time` values:
# Django warns (fields.W161) about a fixed time default whenever checks run within 10 s of it.
def default_morning_opens() -> time:
    return time(7, 30)


def default_morning_closes() -> time:
    return time(11, 30)


def default_afternoon_opens() -> time:
    return time(13, 30)


def default_afternoon_closes() -> time:
    return time(17, 30)


class UnitQuerySet(models.QuerySet):
    def centres(self):
        return self.filter(kind=Unit.Kind.CENTRE)

    def subtree_of(self, units):
        """The units and everything below them."""
        from ..access import subtree_ids

        return self.filter(pk__in=sorted(subtree_ids(u.pk for u in units)))

    def visible_to(self, user):
        """The units whose dossiers the user sees (dossiers/access.py): pickers and KPI scopes."""
        from ..access import visible_units

        return visible_units(self, user)


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
    morning_opens = models.TimeField(_("mở cửa sáng"), default=default_morning_opens)
    morning_closes = models.TimeField(_("đóng cửa sáng"), default=default_morning_closes)
    afternoon_opens = models.TimeField(_("mở cửa chiều"), default=default_afternoon_opens)
    afternoon_closes = models.TimeField(_("đóng cửa chiều"), default=default_afternoon_closes)
    saturday_morning = models.BooleanField(_("tiếp nhận sáng thứ Bảy"), default=False)
    go_live = models.DateField(
        _("ngày bắt đầu sử dụng hệ thống"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ không được ghi nhận tiếp nhận trước ngày này. Để trống: theo cấu hình chung."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    staff: "models.ManyToManyField[User, UnitMembership]" = models.ManyToManyField(
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


STAMP_SALT = "dossiers.ApiToken.password_stamp"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Not revoked, not expired, of an active user (the password stamp is checked per token)."""
        unexpired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        return self.filter(unexpired, revoked_at__isnull=True, user__is_active=True)

    def matching(self, raw: str):
        return self.usable().filter(digest=ApiToken.digest_of(raw))

    def user_of(self, raw: str):
        """The user of `matching(raw)` whose password has not changed since, or None: run on every
        API request, so one prepared statement instead of the ORM's query."""
        from django.contrib.auth import get_user_model
        from django.db import connection

        from ..db.prepared import execute_prepared, model_from_row

        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = execute_prepared(_user_of_sql(), [ApiToken.digest_of(raw), now])
        if not rows:
            return None
        user = model_from_row(get_user_model(), rows[0])
        return user if ApiToken.stamp_matches(user, rows[0][-1]) else None


@cache
def _user_of_sql() -> str:
    from django.contrib.auth import get_user_model

    from ..db.prepared import select_list

    users, tokens = get_user_model()._meta.db_table, ApiToken._meta.db_table
    return (
        f"SELECT {select_list(get_user_model(), 'u')}, t.password_stamp "  # noqa: S608
        f"FROM {tokens} t JOIN {users} u ON u.id = t.user_id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active "
        "AND (t.expires_at IS NULL OR t.expires_at > %s)"
    )


class ApiToken(models.Model):
    """A bearer token for integrations; only its SHA-256 digest is stored.

    It stops working when revoked, when it expires, when its user is deactivated, and when its
    user's password changes: `password_stamp` is a keyed digest of the password hash at creation
    (as Django's sessions do with the session auth hash).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(_("mã băm"), max_length=64, unique=True)
    prefix = models.CharField(_("tiền tố"), max_length=8)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    password_stamp = models.CharField(_("dấu mật khẩu"), max_length=64, default="", editable=False)

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

    @staticmethod
    def stamp_of(user, secret: str | None = None) -> str:
        return salted_hmac(STAMP_SALT, user.password, secret=secret, algorithm="sha256").hexdigest()

    @staticmethod
    def stamp_matches(user, stamp: str) -> bool:
        """The stamp was made from `user`'s current password (with the secret key or a fallback)."""
        secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return bool(stamp) and any(constant_time_compare(stamp, ApiToken.stamp_of(user, key)) for key in secrets_)
