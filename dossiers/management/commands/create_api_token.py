"""`manage.py create_api_token USERNAME`: print a new bearer token for an existing user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dossiers.services.tokens import api_token_create


class Command(BaseCommand):
    help = "Tạo mã truy cập API (Bearer) cho một người dùng đã có."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Tên đăng nhập")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Không tìm thấy người dùng “%(username)s”.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("Người dùng “%(username)s” đã bị khóa.") % {"username": username})
        token, raw = api_token_create(user=user)
        # The token alone goes to stdout so that scripts can capture it.
        self.stdout.write(raw)
        self.stderr.write(
            _("Đã tạo mã %(prefix)s… cho %(username)s. Hãy lưu lại ngay: hệ thống chỉ lưu bản băm.")
            % {"prefix": token.prefix, "username": username}
        )
