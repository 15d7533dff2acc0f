"""The KPI dashboard's XLSX tables: the shared writer's typed cells, bold frozen header, text as text."""

import io
from datetime import datetime

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from dossiers.tests.fixtures import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(client, world):
    client.force_login(world["supervisor"])
    with time_machine.travel(local(2026, 3, 25, 14, 0), tick=False):
        yield client


def _sheet(client, table: str):
    response = client.get(reverse("kpi-dashboard"), {"format": "xlsx", "table": table})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_does_type_the_weeks_as_dates_and_the_figures_as_numbers_when_the_trend_is_exported(supervisor):
    sheet = _sheet(supervisor, "weeks")
    header, *rows = list(sheet.iter_rows())
    assert header[0].value == "Tuần từ" and header[0].font.b and sheet.freeze_panes == "A2"
    assert len(rows) == 12 and rows[-1][0].value == datetime(2026, 3, 23)  # the Monday of 25/03/2026
    assert rows[-1][0].number_format == "dd/mm/yyyy" and rows[-1][1].data_type == "n"


def test_does_type_the_months_as_months_when_the_trend_is_exported(supervisor):
    rows = list(_sheet(supervisor, "months").iter_rows(min_row=2))
    assert rows[-1][0].value == datetime(2026, 3, 1) and rows[-1][0].number_format == "mm/yyyy"


def test_does_show_weeks_and_months_as_dates_on_the_page_when_the_dashboard_is_shown(supervisor):
    html = supervisor.get(reverse("kpi-dashboard")).content.decode()
    assert "<td>23/03/2026</td>" in html and "<td>03/2026</td>" in html
