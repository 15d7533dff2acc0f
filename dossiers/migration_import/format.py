"""The file format of the history import (docs/adr/0004-history-import.md).

Two tables, each a CSV (UTF-8, comma-separated, header row) or an XLSX workbook (first sheet):

* **dossiers**: one row per dossier;
* **events** (optional): one row per audit event, keyed by the dossier code, in time order
  per dossier (rows of different dossiers may be interleaved).

A header may be the English code (`applicant_phone`), the Vietnamese label (`Số điện thoại`)
or both as exported by the admin (`Số điện thoại (applicant_phone)`); case and spacing do not
matter. Times are ISO 8601 (`2026-03-09T10:00:00+07:00`, `2026-03-09 10:00`) or
`dd/mm/yyyy HH:MM[:SS]`; a time without an offset is Asia/Ho_Chi_Minh. Files are read as a
stream: memory does not grow with their length.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..calendar import LOCAL_TZ

DOSSIERS, EVENTS = "dossiers", "events"


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


DOSSIER_COLUMNS = (
    Column("code", "Mã hồ sơ", True),
    Column("procedure_code", "Mã thủ tục", True, ("mã tthc",)),
    Column("receiving_unit_code", "Mã đơn vị tiếp nhận", True, ("nơi tiếp nhận",)),
    Column("lead_unit_code", "Mã cơ quan chủ trì"),
    Column("channel", "Kênh nộp", aliases=("kênh",)),
    Column("status", "Trạng thái", True),
    Column("applicant_name", "Họ tên người nộp", True, ("họ tên",)),
    Column("applicant_id_number", "Số định danh cá nhân", True, ("cccd", "số cccd")),
    Column("applicant_phone", "Số điện thoại", True),
    Column("applicant_email", "Thư điện tử", aliases=("email",)),
    Column("applicant_address", "Địa chỉ"),
    Column("submitted_at", "Nộp lúc", aliases=("ngày nộp",)),
    Column("received_at", "Tiếp nhận lúc", aliases=("ngày tiếp nhận",)),
    Column("due_at", "Hẹn trả", aliases=("ngày hẹn trả",)),
    Column("finished_at", "Có kết quả lúc", aliases=("ngày có kết quả",)),
    Column("returned_at", "Trả kết quả lúc", aliases=("ngày trả kết quả",)),
    Column("timeliness", "Tiến độ"),
    Column("note", "Ghi chú"),
)

EVENT_COLUMNS = (
    Column("code", "Mã hồ sơ", True),
    Column("action", "Thao tác", True),
    Column("from_status", "Từ trạng thái"),
    Column("to_status", "Đến trạng thái"),
    Column("effective_at", "Thời điểm", True),
    Column("actor_username", "Người thực hiện", aliases=("tài khoản",)),
    Column("unit_code", "Mã đơn vị"),
    Column("reason", "Lý do"),
)

UNSUPPORTED = _("Chỉ nhận tệp .csv hoặc .xlsx.")
NO_HEADER = _("Tệp trống: thiếu dòng tiêu đề.")
UNKNOWN_HEADER = _("Cột «%(h)s» không thuộc định dạng nhập; dùng một trong: %(codes)s.")
REPEATED_HEADER = _("Cột «%(h)s» lặp lại.")
MISSING_HEADER = _("Thiếu cột bắt buộc «%(label)s» (%(code)s).")
BAD_TIME = _("«%(v)s» không phải thời điểm dạng dd/mm/yyyy HH:MM hoặc ISO 8601.")


class FormatError(Exception):
    """The file cannot be read as a table of this kind: (line, column, message) triples."""

    def __init__(self, problems: list[tuple[int, str, str | Promise]]):
        super().__init__("; ".join(str(message) for _line, _column, message in problems))
        self.problems = problems


def _key(text: str) -> str:
    return " ".join(str(text).lower().split())


def _lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    names = {}
    for column in columns:
        for name in (column.code, column.label, *column.aliases):
            names[_key(name)] = column.code
    return names


def header_map(cells: list, columns: tuple[Column, ...]) -> list[str | None]:
    """The column code of each header cell (None: an empty trailing cell); FormatError if wrong."""
    problems: list[tuple[int, str, str | Promise]] = []
    names, seen, codes = _lookup(columns), set(), []
    for cell in cells:
        text = _key(cell or "")
        inner = re.search(r"\(([^()]+)\)\s*$", text)  # "Số điện thoại (applicant_phone)"
        code = names.get(text) or (names.get(inner.group(1).strip()) if inner else None)
        if text and code is None:
            problems.append((1, str(cell), UNKNOWN_HEADER % {"h": cell, "codes": ", ".join(c.code for c in columns)}))
        elif code in seen:
            problems.append((1, str(cell), REPEATED_HEADER % {"h": cell}))
        seen.add(code)
        codes.append(code)
    for column in columns:
        if column.required and column.code not in seen:
            problems.append((1, column.code, MISSING_HEADER % {"label": column.label, "code": column.code}))
    if problems:
        raise FormatError(problems)
    return codes


def cell_text(value) -> str | datetime:
    """A cell as stripped text; spreadsheet numbers without their ".0", datetimes as they are."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)  # noqa: DTZ001 (made local by parse_time)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader, line = csv.reader(handle), 1
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1  # a quoted cell may span lines: report where the row starts


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for line, cells in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1):
            yield line, list(cells)
    finally:
        workbook.close()


def read_table(path: str | Path, columns: tuple[Column, ...]) -> Iterator[tuple[int, dict]]:
    """(line number, {column code: text or datetime}) per non-empty data row, streamed."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FormatError([(0, "", UNSUPPORTED)])
    rows = _csv_rows(path) if suffix == ".csv" else _xlsx_rows(path)
    first = next(rows, None)
    if first is None:
        raise FormatError([(1, "", NO_HEADER)])
    codes = header_map(first[1], columns)
    for line, cells in rows:
        values = {code: cell_text(cell) for code, cell in zip(codes, cells, strict=False) if code}
        if any(values.values()):
            yield line, values


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_time(value: str | datetime) -> datetime:
    """An aware datetime; ValueError with a Vietnamese message otherwise."""
    moment = value if isinstance(value, datetime) else _parse_text_time(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _parse_text_time(text: str) -> datetime:
    match = _DMY.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))  # noqa: DTZ001
        if len(text) > 10:  # a date alone is not a moment
            return datetime.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(BAD_TIME % {"v": text})
