"""Streamed exports of dossier lists: CSV and XLSX with flat memory, whatever the row count.

Rows come from a generator over `QuerySet.iterator(chunk_size=…)`, so neither the
queryset cache nor the file is ever held in memory whole.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..calendar import LOCAL_TZ

CHUNK_SIZE = 2000
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with a byte-order mark
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"

SUPERVISION_COLUMNS = (
    _("Mã hồ sơ"),
    _("Mã TTHC"),
    _("Thủ tục"),
    _("Người nộp"),
    _("Kênh nộp"),
    _("Đơn vị đang giữ"),
    _("Đơn vị làm trễ hạn"),
    _("Cán bộ làm trễ hạn"),
    _("Hẹn trả"),
    _("Hẹn trả ban đầu"),
    _("Số ngày làm việc quá hạn"),
    _("Xin lỗi, hẹn lại"),
    _("Mức cảnh báo"),
    _("Mã kênh (KenhThucHien)"),
)


def local_naive(at: datetime | None) -> datetime | None:
    """Spreadsheets have no time zones: the local wall-clock time."""
    return timezone.localtime(at, LOCAL_TZ).replace(tzinfo=None) if at else None


def person(user) -> str:
    if user is None:
        return ""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def supervision_row(d) -> list:
    """One dossier of the supervision list; `d` carries `days_overdue`, `apology_label` and `watch`."""
    return [
        d.code,
        d.procedure.national_code,
        d.procedure.name,
        d.applicant_name,
        d.get_channel_display(),
        d.current_unit.name,
        d.late_unit.name if d.late_unit else "",
        person(d.late_assignee),
        local_naive(d.due_at),
        local_naive(d.due_at_original),
        d.days_overdue,
        str(d.apology_label),
        str(d.watch.label),
        d.channel_code,  # the national portal's code: 1 counter, 2 online, 3 postal
    ]


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value):
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    return "" if value is None else value


def csv_lines(header: Iterable, rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([str(title) for title in header])
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row])


def csv_response(header: Iterable, rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_write(file, header: Iterable, rows: Iterable[list], *, title: str) -> None:
    """openpyxl's write-only workbook streams rows to a temporary file, so memory stays flat."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([str(t) for t in header])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime):
                value = WriteOnlyCell(sheet, value=value)
                value.number_format = DATE_TIME_FORMAT
            cells.append(value)
        sheet.append(cells)
    workbook.save(file)


def xlsx_response(header: Iterable, rows: Iterable[list], *, filename: str, title: str) -> FileResponse:
    # openpyxl needs a real file to write into; FileResponse streams it back and closes it.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    xlsx_write(file, header, rows, title=title)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
