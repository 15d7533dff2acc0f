"""The KPI dashboard in a real browser (issue #16): Vietnamese labels naming each 766 indicator,
whole-number chart axes and Vietnamese number format, a one-line explanation per figure."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from dossiers.kpi.facts import kpi_facts_rebuild
from dossiers.kpi.rules import INDICATORS
from dossiers.models import Dossier, Status
from dossiers.tests.factories import UserFactory
from dossiers.tests.fixtures import desktop_context, local, logged_in, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()
MARCH = {"from": "01/03/2026", "to": "31/03/2026"}


def dossier(world, n: int, *, received, due, finished=None, tl766="") -> Dossier:
    unit = world["agency"]
    return Dossier(
        code=f"KPI-{n:04d}", lookup_key="K", procedure=world["procedure"], receiving_unit=world["centre"],
        lead_unit=unit, current_unit=unit, applicant_name="A", applicant_id_number="1", applicant_phone="1",
        status=Status.RETURNED if finished else Status.PROCESSING, received_at=received, due_at=due,
        due_at_original=due, finished_at=finished, timeliness_766=tl766,
    )  # fmt: skip


@pytest.fixture
def march(world):
    """1,200 dossiers received 02–21/03/2026 and finished the next day, one in three late under
    766; three still open at the end of March, one of them past its appointment."""
    rows = []
    for i in range(1200):
        received = local(2026, 3, 2, 8, 0) + timedelta(days=i % 20)
        late = "late" if i % 3 == 0 else "early"
        due, finished = received + timedelta(days=5), received + timedelta(days=1)
        rows.append(dossier(world, i, received=received, due=due, finished=finished, tl766=late))
    in_time, overdue = local(2026, 4, 10, 8, 0), local(2026, 3, 20, 8, 0)
    for n, due in ((1200, in_time), (1201, in_time), (1202, overdue)):
        rows.append(dossier(world, n, received=local(2026, 3, 16, 8, 0), due=due))
    Dossier.objects.bulk_create(rows)
    kpi_facts_rebuild()
    return UserFactory(username="giamsat", roles=["supervisor"], units=[world["agency"]])


def test_does_show_vietnamese_labels_integer_axes_and_number_format_when_a_supervisor_opens_the_dashboard(
    live_server, browser, world, march
):
    from playwright.sync_api import expect

    page = logged_in(desktop_context(browser), live_server.url, march)
    page.goto(f"{live_server.url}{reverse('kpi-dashboard')}?from={MARCH['from']}&to={MARCH['to']}")

    summary = page.locator("#summary")
    expect(summary.locator('[data-figure="received"] strong')).to_have_text("1.203")
    # 766 §2.1: (800 finished on time + 2 open in time) ÷ (1,200 finished + 3 open) = 66,67 %.
    expect(summary.locator('[data-figure="on_time_rate"] strong')).to_have_text("66,7 %")
    expect(summary.locator('[data-figure="on_time_rate"] small')).to_contain_text("802 trên 1.203 hồ sơ")
    open_text = "2 trong hạn, 1 đã quá hạn tại thời điểm cuối kỳ."
    expect(summary.locator('[data-figure="open"] small')).to_have_text(open_text)
    satisfaction = summary.locator('[data-figure="satisfaction_rate"]')
    expect(satisfaction.locator("strong")).to_have_text("66,7 %")  # (1,203 − 400 late − 1 open late) ÷ 1,203
    expect(satisfaction.locator("small")).to_contain_text("không trễ hạn, không bị đánh giá không hài lòng")

    scores = page.locator("#scores")
    expect(scores.locator('tbody[data-group="2"] tr.group')).to_contain_text("Nhóm 2: Tiến độ, kết quả giải quyết")
    row = scores.locator('tr[data-indicator="2.1"]')
    expect(row).to_contain_text("Tỷ lệ hồ sơ giải quyết đúng hạn")
    expect(row).to_contain_text("66,7 %")
    expect(row).to_contain_text("13,33")  # 20 × 66,67 %
    expect(scores.locator('tr[data-indicator="6.3"]')).to_contain_text("chưa có số liệu")
    expect(scores.locator('tbody[data-group="6"] tr.group')).to_contain_text("chưa có số liệu")
    assert scores.locator("tr[data-indicator]").count() == len(INDICATORS) == 16  # 1.1–1.4 … 6.3
    for indicator in INDICATORS:
        expect(scores.locator(f'tr[data-indicator="{indicator.code}"] small')).not_to_be_empty()  # explained
    text = page.locator("main").inner_text()
    for raw in ("on_time_rate", "online_rate", "digitisation_rate", "satisfaction_rate", "electronic_result_rate"):
        assert raw not in text

    # The month's volume chart: 1,203 received in March, the axis up to 1.204 in steps of 301.
    month_ticks = page.locator("svg.chart").nth(2).locator('text[text-anchor="end"]').all_text_contents()
    assert month_ticks == ["0", "301", "602", "903", "1.204"]
    for label in page.locator('svg.chart text[text-anchor="end"]').all_text_contents():
        assert re.fullmatch(r"\d{1,3}(\.\d{3})*", label), label  # whole numbers, Vietnamese grouping
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "kpi-dashboard.png"), full_page=True)
