"""`manage.py create_api_token USERNAME [--days N]`: print a new bearer token for an existing user."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.services.tokens import api_token_create


class Command(BaseCommand):
    help = "Tạo mã truy cập API (Bearer) cho một người dùng đã có."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Tên đăng nhập")
        parser.add_argument("--days", type=int, default=None, help="Hết hạn sau số ngày này (mặc định: không hết hạn)")

    def handle(self, *args, username: str, days: int | None = None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Không tìm thấy người dùng “%(username)s”.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("Người dùng “%(username)s” đã bị khóa.") % {"username": username})
        if days is not None and not 1 <= days <= 3660:
            raise CommandError(_("Số ngày phải từ 1 đến 3660."))
        expires_at = timezone.now() + timedelta(days=days) if days else None
        token, raw = api_token_create(user=user, expires_at=expires_at)
        # The token alone goes to stdout so that scripts can capture it.
        self.stdout.write(raw)
        self.stderr.write(
            _("Đã tạo mã %(prefix)s… cho %(username)s. Hãy lưu lại ngay: hệ thống chỉ lưu bản băm.")
            % {"prefix": token.prefix, "username": username}
        )
