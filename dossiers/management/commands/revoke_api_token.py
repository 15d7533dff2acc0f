"""`manage.py revoke_api_token PREFIX…` or `--user USERNAME`: revoke API tokens at once."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dossiers.models import ApiToken
from dossiers.services.tokens import api_token_revoke


class Command(BaseCommand):
    help = "Thu hồi mã truy cập API theo tiền tố (8 ký tự đầu) hoặc mọi mã của một người dùng."

    def add_arguments(self, parser):
        parser.add_argument(
            "prefixes",
            nargs="*",
            help="Tiền tố của mã (như trong trang quản trị); đặt sau -- nếu tiền tố bắt đầu bằng dấu -",
        )
        parser.add_argument("--user", help="Thu hồi mọi mã của người dùng này")

    def handle(self, *args, prefixes: list[str], user: str | None = None, **options):
        if not prefixes and not user:
            raise CommandError(_("Cần tiền tố của mã hoặc --user."))
        tokens = ApiToken.objects.filter(user__username=user) if user else ApiToken.objects.filter(prefix__in=prefixes)
        if not tokens.exists():
            raise CommandError(_("Không tìm thấy mã truy cập nào."))
        count = api_token_revoke(tokens=tokens)
        self.stdout.write(_("Đã thu hồi %(n)s mã truy cập.") % {"n": count})
