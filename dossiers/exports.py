"""Every CSV and XLSX the portal writes (dossier lists, the register, KPI tables, the admin's
catalogue exports): one writer for each, streamed with flat memory whatever the row count.

Rows come from a generator over `QuerySet.iterator(chunk_size=…)`, so neither the
queryset cache nor the file is ever held in memory whole. Text that a spreadsheet program would
run as a formula (=, +, -, @, tab, CR first) is written as text in both (OWASP CSV injection).
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calendar import LOCAL_TZ
from .people import person_name

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
        person_name(d.late_assignee),
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


# -- every spreadsheet the portal writes goes through here ------------------------------------------
# A cell a spreadsheet program would read as a formula (OWASP "CSV injection"): text that begins with
# one of these. Numbers are never text here, so a negative number is not touched.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
WIDTH_SAMPLE = 200  # rows read ahead to fit the column widths (the rest streams behind them)
MIN_WIDTH, MAX_WIDTH = 6, 60


class MonthStart(date):
    """The first day of a month standing for the month: shown and typed in spreadsheets as mm/yyyy."""

    display, number_format = "%m/%Y", "mm/yyyy"

    def __str__(self) -> str:
        return self.strftime(self.display)


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_text(value) -> str:
    """A value as a CSV cell: dates dd/mm/yyyy [HH:MM]; text that could run as a formula behind a
    single quote, which spreadsheet programs show as text."""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return value.strftime(getattr(value, "display", "%d/%m/%Y"))
    if value is None:
        return ""
    return "'" + value if is_formula_like(value) else str(value)


def csv_untext(value):
    """What `csv_text` escaped, back as it was (a CSV file read for import)."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def csv_lines(header: Iterable, rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([csv_text(str(title)) for title in header])
    for row in rows:
        yield writer.writerow([csv_text(v) for v in row])


def csv_response(header: Iterable, rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_write(file, header: Iterable, rows: Iterable[list], *, title: str) -> None:
    """One sheet: the header bold and frozen, columns as wide as their first rows, dates and numbers
    as typed cells, text never a formula. openpyxl's write-only workbook streams the rows to `file`,
    so memory stays flat whatever the count."""
    from openpyxl import Workbook

    header = [str(t) for t in header]
    rows = iter(rows)
    ahead = list(islice(rows, WIDTH_SAMPLE))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    for letter, width in _widths(header, ahead).items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, t) for t in header])
    for row in chain(ahead, rows):
        sheet.append([_cell(sheet, v) for v in row])
    workbook.save(file)


def xlsx_response(header: Iterable, rows: Iterable[list], *, filename: str, title: str) -> FileResponse:
    # openpyxl needs a real file to write into; FileResponse streams it back and closes it.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    xlsx_write(file, header, rows, title=title)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet's name, and more than 31 of them.
    return "".join("-" if c in "[]:*?/\\" else c for c in str(title))[:31] or "Sheet"


def _header_cell(sheet, title: str):
    from openpyxl.styles import Font

    cell = _cell(sheet, title, always=True)
    cell.font = Font(bold=True)
    return cell


def _cell(sheet, value, *, always: bool = False):
    """A typed cell: a datetime or date with its format, a number as a number, formula-like text as text."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, datetime):
        value = local_naive(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = getattr(value, "number_format", DATE_TIME_FORMAT)
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = getattr(value, "number_format", DATE_FORMAT)
        return cell
    if isinstance(value, Decimal | float | int | bool) or value is None:
        return WriteOnlyCell(sheet, value=value) if always else value
    text = str(value)
    if not (is_formula_like(text) or always):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    if is_formula_like(text):
        cell.data_type, cell.quotePrefix = "s", True  # openpyxl made it a formula; Excel shows it as typed
    return cell


def _display_length(value) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return len(value.strftime(getattr(value, "display", "%d/%m/%Y")))
    return max((len(line) for line in str("" if value is None else value).splitlines()), default=0)


def _widths(header: list[str], rows: list[list]) -> dict[str, float]:
    from openpyxl.utils import get_column_letter

    widths = [_display_length(t) for t in header]
    for row in rows:
        for i, value in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], _display_length(value))
    return {get_column_letter(i + 1): min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for i, w in enumerate(widths)}
