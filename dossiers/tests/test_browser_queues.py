"""Each role lands on its real work, claims a dossier, and a supervisor filters by the department
holding it (issue 16 points 4 and 10), in headless Chromium."""

import pytest
from django.urls import reverse

from dossiers.services.routing import dossier_transition
from dossiers.tests.factories import UnitFactory, UserFactory
from dossiers.tests.fixtures import desktop_context, logged_in, screenshots_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = screenshots_dir()


@pytest.fixture
def browser_context(browser):
    return desktop_context(browser)


def test_does_land_the_specialist_on_their_step_and_let_them_claim_it(live_server, browser_context, world, receive):
    from playwright.sync_api import expect

    d = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    page = logged_in(browser_context, live_server.url, world["specialist"])
    page.goto(f"{live_server.url}{reverse('staff:home')}")
    expect(page.locator(".tabs a[aria-current=page]")).to_contain_text("Bước của tôi")
    row = page.locator("#queue tbody tr").filter(has_text=d.code)
    expect(row).to_contain_text("Thẩm định")  # the current step is shown in the queue
    row.get_by_role("link", name=d.code).click()
    expect(page.locator("#assignee")).to_contain_text("Chưa giao cho ai")
    page.get_by_role("button", name="Nhận xử lý").click()
    expect(page.locator("#assignee")).to_contain_text("Nguyễn Văn A")
    page.goto(f"{live_server.url}{reverse('staff:home')}?tab=mine")
    expect(page.locator("#queue tbody tr").filter(has_text=d.code)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-queue.png"), full_page=True)


def test_does_land_the_leader_on_what_waits_for_their_signature(live_server, browser_context, world, receive):
    from playwright.sync_api import expect

    d = receive()
    for actor in ("clerk", "specialist"):
        d = dossier_transition(dossier_id=d.pk, action="transfer", actor=world[actor])
    page = logged_in(browser_context, live_server.url, world["leader"])
    page.goto(f"{live_server.url}{reverse('staff:home')}")
    expect(page.locator(".tabs a[aria-current=page]")).to_contain_text("Chờ tôi phê duyệt, ký")
    expect(page.locator("#queue tbody tr").filter(has_text=d.code)).to_contain_text("Ký duyệt")
    expect(page.locator(".tabs").get_by_role("link", name="Xin lỗi chờ ký")).to_contain_text("0")


def test_does_let_a_supervisor_find_and_pick_the_department_holding_late_dossiers(
    live_server, browser_context, world, receive
):
    from playwright.sync_api import expect

    department = UnitFactory(
        code="000.01.02.H56", name="Phòng Hành chính tư pháp", parent=world["agency"], kind="department"
    )
    UserFactory(username="dept_specialist", roles=["specialist"], units=[department])
    late = receive()
    late = dossier_transition(dossier_id=late.pk, action="transfer", actor=world["clerk"], to_unit=department)
    type(late).objects.filter(pk=late.pk).update(due_at=late.received_at)  # past its appointment
    page = logged_in(browser_context, live_server.url, world["supervisor"])
    page.goto(f"{live_server.url}{reverse('staff:supervision')}")
    page.locator("input.select-filter").fill("hanh chinh tu phap")
    picker = page.locator("#id_unit")
    expect(picker.locator("option", has_text="Phòng Hành chính tư pháp")).not_to_have_attribute("hidden", "")
    expect(picker.locator("option", has_text="Khánh Hòa")).to_have_attribute("hidden", "")
    picker.select_option(label="Phòng Hành chính tư pháp")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator(f'#supervision-list tr[data-code="{late.code}"]')).to_be_visible()


def test_does_land_the_clerk_on_what_waits_to_be_received_and_returned(live_server, browser_context, world, receive):
    from playwright.sync_api import expect

    submitted = receive(submit_only=True)
    finished = receive()
    for actor, action in (("clerk", "transfer"), ("specialist", "transfer"), ("leader", "complete")):
        finished = dossier_transition(dossier_id=finished.pk, action=action, actor=world[actor])
    page = logged_in(browser_context, live_server.url, world["clerk"])
    page.goto(f"{live_server.url}{reverse('staff:home')}")
    tabs = page.locator(".tabs")
    expect(tabs.locator("a[aria-current=page]")).to_contain_text("Chờ tiếp nhận")
    expect(tabs.locator("a[aria-current=page] .badge")).to_have_text("1")
    expect(page.locator("#queue tbody tr").filter(has_text=submitted.code)).to_be_visible()
    expect(page.locator("#queue tbody tr").filter(has_text=finished.code)).to_have_count(0)
    tabs.get_by_role("link", name="Chờ trả kết quả").click()
    expect(tabs.locator("a[aria-current=page]")).to_contain_text("Chờ trả kết quả")
    expect(tabs.locator("a[aria-current=page] .badge")).to_have_text("1")
    expect(page.locator("#queue tbody tr").filter(has_text=finished.code)).to_be_visible()
    expect(page.locator("#queue tbody tr").filter(has_text=submitted.code)).to_have_count(0)


def test_does_land_the_supervisor_on_overdue_dossiers(live_server, browser_context, world, receive):
    from playwright.sync_api import expect

    late = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    type(late).objects.filter(pk=late.pk).update(due_at=late.received_at)  # past its appointment
    on_time = receive()
    page = logged_in(browser_context, live_server.url, world["supervisor"])
    page.goto(f"{live_server.url}{reverse('staff:home')}")
    current = page.locator(".tabs a[aria-current=page]")
    expect(current).to_contain_text("Quá hạn")
    expect(current.locator(".badge")).to_have_text("1")
    expect(page.locator("#queue tbody tr").filter(has_text=late.code)).to_be_visible()
    expect(page.locator("#queue tbody tr").filter(has_text=on_time.code)).to_have_count(0)


def test_does_let_a_leader_assign_a_dossier_that_the_specialist_then_finds_as_theirs(
    live_server, browser_context, world, receive
):
    from playwright.sync_api import expect

    colleague = UserFactory(
        username="spec2", first_name="Thị Lan", last_name="Trần", roles=["specialist"], units=[world["agency"]]
    )
    d = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    page = logged_in(browser_context, live_server.url, world["leader"])
    page.goto(f"{live_server.url}{reverse('staff:dossier', args=[d.code])}")
    expect(page.locator("#assignee")).to_contain_text("Chưa giao cho ai")
    page.locator("#assign-to").select_option(label="Trần Thị Lan")
    page.locator("#assign-reason").fill("Anh/chị thụ lý giúp")
    page.locator("#assign").get_by_role("button", name="Phân công").click()
    expect(page.locator("#assignee")).to_contain_text("Trần Thị Lan")
    page.context.clear_cookies()

    page = logged_in(browser_context, live_server.url, colleague)
    page.goto(f"{live_server.url}{reverse('staff:home')}")
    mine = page.locator(".tabs").get_by_role("link", name="Giao cho tôi")
    expect(mine.locator(".badge")).to_have_text("1")
    mine.click()
    expect(page.locator(".tabs a[aria-current=page]")).to_contain_text("Giao cho tôi")
    expect(page.locator("#queue tbody tr").filter(has_text=d.code)).to_contain_text("Trần Thị Lan")

    page.context.clear_cookies()
    page = logged_in(browser_context, live_server.url, world["specialist"])  # the colleague's, not theirs
    page.goto(f"{live_server.url}{reverse('staff:home')}?tab=mine")
    expect(page.locator(".tabs a[aria-current=page] .badge")).to_have_text("0")
    expect(page.locator("#queue tbody tr").filter(has_text=d.code)).to_have_count(0)


def test_does_count_the_apologies_waiting_for_the_leaders_signature(live_server, browser_context, world, receive):
    from decimal import Decimal

    from playwright.sync_api import expect

    from dossiers.services.apologies import apology_draft

    d = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    apology_draft(dossier_id=d.pk, actor=world["specialist"], reason="Chờ xác minh", extension_days=Decimal(2))
    page = logged_in(browser_context, live_server.url, world["leader"])
    page.goto(f"{live_server.url}{reverse('staff:home')}")
    apologies = page.locator(".tabs").get_by_role("link", name="Xin lỗi chờ ký")
    expect(apologies.locator(".badge")).to_have_text("1")
    apologies.click()
    expect(page.locator("body")).to_contain_text(d.code)
