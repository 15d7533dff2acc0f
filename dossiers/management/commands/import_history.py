"""`manage.py import_history dossiers.csv [--events events.csv] [--dry-run]`: historical dossiers.

CSV or XLSX (format: dossiers/migration_import/format.py). Every file is validated whole
first; with any error, the errors are printed (line, column, message) and nothing is imported.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dossiers.migration_import import history_import
from dossiers.migration_import.validate import MAX_ERRORS


class Command(BaseCommand):
    help = "Nhập hồ sơ lịch sử (và nhật ký sự kiện) từ tệp CSV/XLSX: kiểm tra toàn bộ, nhập tất cả hoặc không nhập gì."

    def add_arguments(self, parser):
        parser.add_argument("dossiers", help="Tệp hồ sơ (.csv hoặc .xlsx)")
        parser.add_argument("--events", help="Tệp sự kiện (.csv hoặc .xlsx), khóa theo mã hồ sơ")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì")
        parser.add_argument("--max-errors", type=int, default=MAX_ERRORS, help="Dừng sau số lỗi này")

    def handle(self, *args, dossiers: str, events: str | None, dry_run: bool, max_errors: int, **options):
        result = history_import(dossiers=dossiers, events=events, dry_run=dry_run, max_errors=max(1, max_errors))
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            more = _(" (dừng sau %(n)s lỗi)") % {"n": max_errors} if len(result.errors) >= max_errors else ""
            raise CommandError(_("%(n)s lỗi%(more)s: không nhập hồ sơ nào.") % {"n": len(result.errors), "more": more})
        if dry_run:
            self.stdout.write(
                _("Kiểm tra xong, không có lỗi: %(d)s hồ sơ, %(e)s sự kiện (chưa ghi gì).")
                % {"d": result.dossiers, "e": result.events}
            )
            return
        self.stdout.write(
            _("Đã nhập %(d)s hồ sơ, %(e)s sự kiện, %(c)s mốc thời hạn; cập nhật %(s)s bộ đếm số hồ sơ theo ngày.")
            % {"d": result.dossiers, "e": result.events, "c": result.clock_entries, "s": result.sequences}
        )
