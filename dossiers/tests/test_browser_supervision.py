"""A supervisor in a real browser: the overdue list, then a signed apology printed (Mẫu 04)."""

import pytest
import time_machine
from django.urls import reverse

from dossiers.services.apologies import apology_issue
from dossiers.services.routing import dossier_transition
from dossiers.services.watch import watch_flag
from dossiers.tests.conftest import local
from dossiers.tests.fixtures import desktop_context, logged_in, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()


@pytest.fixture
def browser_context(browser):
    return desktop_context(browser, viewport={"width": 1400, "height": 900})


@pytest.fixture
def late_and_apologised(world, receive):
    """One dossier long overdue; another whose leader signed an apology in time."""
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        overdue = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        other = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        apology = apology_issue(
            dossier_id=other.pk,
            actor=world["leader"],
            reason="Chờ kết quả xác minh của Công an tỉnh",
            new_due_at=local(2026, 3, 26, 10, 0),
        )
    watch_flag()  # now: attributes the lateness to the agency holding the dossiers
    return overdue, apology


def test_does_show_the_overdue_row_and_print_the_apology_when_a_supervisor_browses(
    live_server, browser_context, world, late_and_apologised
):
    from playwright.sync_api import expect

    overdue, apology = late_and_apologised
    page = logged_in(browser_context, live_server.url, world["supervisor"])
    page.goto(f"{live_server.url}{reverse('staff:supervision')}")
    expect(page.get_by_role("heading", name="Giám sát hồ sơ quá hạn, sắp đến hạn")).to_be_visible()
    row = page.locator(f'#supervision-list tr[data-code="{overdue.code}"]')
    expect(row).to_contain_text("Cấp Phiếu lý lịch tư pháp")
    expect(row).to_contain_text("16/03/2026 10:00")
    expect(row).to_contain_text("Quá hạn trên 3 lần thời hạn")
    expect(page.locator("#counts")).to_contain_text("Sở Tư pháp")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "supervision.png"), full_page=True)

    page.get_by_role("link", name="Trễ hạn chưa xin lỗi").click()
    expect(page.locator(f'#supervision-list tr[data-code="{overdue.code}"]')).to_be_visible()

    page.goto(f"{live_server.url}{reverse('staff:apology', args=[apology.pk])}")
    expect(page.locator("#apology-status")).to_have_text("Đã ký, đã gửi")
    page.get_by_role("link", name="In văn bản xin lỗi (Mẫu 04)").click()
    sheet = page.locator("article.sheet")
    expect(sheet).to_contain_text("VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
    expect(sheet).to_contain_text("Kính gửi: Ông/Bà Trần Thị Bình")
    expect(sheet).to_contain_text("Chờ kết quả xác minh của Công an tỉnh")
    expect(sheet).to_contain_text("hẹn lại ngày trả kết quả vào 10 giờ 00 phút, ngày 26/03/2026")
    expect(sheet).to_contain_text(apology.number.split("/", 1)[1])
    page.screenshot(path=str(SCREENSHOTS / "apology-print.png"), full_page=True)


@pytest.fixture
def linh(world):
    """A specialist with a Vietnamese name: family name Đặng, given names Thị Mỹ Linh."""
    from dossiers.tests.factories import UserFactory

    return UserFactory(
        username="linh", first_name="Thị Mỹ Linh", last_name="Đặng", roles=["specialist"], units=[world["agency"]]
    )


def test_does_show_names_family_name_first_when_a_supervisor_reads_the_list_and_the_apologies(
    live_server, browser_context, world, receive, linh
):
    from playwright.sync_api import expect

    from dossiers.models import DossierStep
    from dossiers.services.apologies import apology_draft

    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        late = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
        # Linh took the appraisal step (the claim is the lead's page; here the fixture records it).
        DossierStep.objects.filter(dossier=late, finished_at=None).update(receiver=linh)
    with time_machine.travel(local(2026, 3, 12, 9, 0), tick=False):
        apology_draft(dossier_id=late.pk, actor=linh, reason="Chờ xác minh", extension_days=3)
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        watch_flag()
    page = logged_in(browser_context, live_server.url, world["supervisor"])
    page.goto(f"{live_server.url}{reverse('staff:supervision')}")
    row = page.locator(f'#supervision-list tr[data-code="{late.code}"]')
    expect(row).to_contain_text("Đặng Thị Mỹ Linh")
    expect(row).not_to_contain_text("Thị Mỹ Linh Đặng")

    leader = logged_in(browser_context, live_server.url, world["leader"])
    leader.goto(f"{live_server.url}{reverse('staff:apologies')}")
    expect(leader.locator("#apologies")).to_contain_text("Đặng Thị Mỹ Linh")
    leader.get_by_role("link", name="Xem và ký").click()
    expect(leader.locator("dl.summary")).to_contain_text("Đặng Thị Mỹ Linh")
    expect(leader.locator("body")).not_to_contain_text("Thị Mỹ Linh Đặng")
