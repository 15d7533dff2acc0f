"""`manage.py seed_demo`: a demo province, catalogue, calendar and staff (idempotent).

The staff password comes from DEMO_PASSWORD (default below) and is for demos only.
"""

import importlib
import importlib.util
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from dossiers.demo.seed import (
    DEMO_PROVINCE,
    DemoStaff,
    SeedResult,
    demo_catalogue_seed,
    demo_province,
    demo_staff_seed,
    demo_units_seed,
)
from dossiers.people import person_name
from dossiers.services.calendar_days import calendar_seed_holidays

DEFAULT_DEMO_PASSWORD = "motcua-demo-2026"
CALENDAR_YEARS = range(2024, 2031)
DOSSIER_SEEDER = "dossiers.demo.dossiers"


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: đơn vị của một tỉnh, danh mục thủ tục, lịch làm việc và tài khoản cán bộ."

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, default=DEMO_PROVINCE, help="Mã tỉnh (mặc định 56, Khánh Hòa)")
        parser.add_argument("--dossiers", type=int, default=0, help="Số hồ sơ mẫu cần tạo thêm (mặc định 0)")

    def handle(self, *args, province: int, dossiers: int, **options):
        if dossiers < 0:
            raise CommandError(_("Số hồ sơ phải là số không âm."))
        try:
            demo_province(province_code=province)
        except ValueError as exc:
            raise CommandError(_("Mã tỉnh không hợp lệ: %(code)s.") % {"code": province}) from exc
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            self._report(demo_units_seed(province_code=province))
            days = calendar_seed_holidays(years=CALENDAR_YEARS)
            self.stdout.write(
                _("Lịch làm việc %(first)s–%(last)s: thêm %(n)s ngày nghỉ, ngày làm bù.")
                % {"first": CALENDAR_YEARS[0], "last": CALENDAR_YEARS[-1], "n": days}
            )
            self._report(demo_catalogue_seed(province_code=province))
            staff = demo_staff_seed(password=password, province_code=province)
        self._staff_table(staff, password=password)
        if dossiers:
            self._dossiers_seed(dossiers)

    def _report(self, result: SeedResult) -> None:
        for label in result.labels():
            self.stdout.write(
                _("%(label)s: tạo mới %(created)s, đã có %(existing)s.")
                % {"label": _(label), "created": result.created[label], "existing": result.existing[label]}
            )

    def _staff_table(self, staff: list[DemoStaff], *, password: str) -> None:
        created = sum(s.created for s in staff)
        self.stdout.write(
            _("Người dùng: tạo mới %(created)s, đã có %(existing)s.")
            % {"created": created, "existing": len(staff) - created}
        )
        header = (_("Tên đăng nhập"), _("Họ tên"), _("Vai trò"), _("Đơn vị"), _("Mật khẩu"))
        rows = [(s.user.username, person_name(s.user), s.role, s.unit.name, password) for s in staff]
        widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
        for row in (header, tuple("-" * w for w in widths), *rows):
            self.stdout.write("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(_("Mật khẩu chỉ dùng để trình diễn; đặt DEMO_PASSWORD để đổi."))

    def _dossiers_seed(self, count: int) -> None:
        # Another module provides dossier seeding; it may not exist yet.
        if importlib.util.find_spec(DOSSIER_SEEDER) is None:
            self.stdout.write(
                self.style.WARNING(_("Chưa có chức năng tạo hồ sơ mẫu (%(m)s); bỏ qua.") % {"m": DOSSIER_SEEDER})
            )
            return
        result = importlib.import_module(DOSSIER_SEEDER).demo_dossiers_seed(count=count)
        self.stdout.write(_("Hồ sơ mẫu: tạo mới %(created)s, đã có %(existing)s.") % result)
