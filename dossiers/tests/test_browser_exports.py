"""A supervisor downloads the register and the overdue list as XLSX from the pages (issue 16
point 16): header bold and frozen, columns fitted, dates and numbers typed, formulas as text."""

from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dossiers.models import Dossier
from dossiers.services.applicants import applicant_clean
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import desktop_context, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context(browser):
    return desktop_context(browser, accept_downloads=True)


def _download(page, link_name: str):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return load_workbook(BytesIO(info.value.path().read_bytes()))


def _check_sheet(sheet, code: str) -> list:
    header = next(sheet.iter_rows(min_row=1, max_row=1))
    assert all(cell.font.bold for cell in header if cell.value)
    assert sheet.freeze_panes == "A2"
    row = next(r for r in sheet.iter_rows(min_row=2) if code in [c.value for c in r])
    widths = [sheet.column_dimensions[c.column_letter].width for c in header]
    assert all(w and w >= 6 for w in widths)
    return row


def test_does_download_typed_safe_spreadsheets_when_a_supervisor_exports(live_server, browser_context, world, receive):
    d = receive(applicant=applicant_clean(name='=HYPERLINK("x")', id_number="056190001234", phone="0905123456"))
    d = dossier_transition(dossier_id=d.pk, action="transfer", actor=world["clerk"])
    Dossier.objects.filter(pk=d.pk).update(due_at=d.received_at)  # overdue: on the supervision list
    page = logged_in(browser_context, live_server.url, world["supervisor"])

    page.goto(f"{live_server.url}{reverse('staff:register')}")
    register = _check_sheet(_download(page, "Xuất Excel").active, d.code)
    values = [c.value for c in register]
    assert isinstance(register[0].value, int)  # STT, a number
    assert any(isinstance(v, datetime) for v in values)  # received at, a date
    name = next(c for c in register if c.value and "HYPERLINK" in str(c.value))
    assert name.data_type == "s"  # a text cell, never a formula ("f")

    page.goto(f"{live_server.url}{reverse('staff:supervision')}")
    overdue = _check_sheet(_download(page, "Tải Excel (XLSX)").active, d.code)
    assert any(isinstance(c.value, datetime) for c in overdue)
