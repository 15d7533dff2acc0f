"""Issue 16 points 2 and 12 walked in a real browser, as staff do it: the result only at the
leader's step, with its file and a confirmation; an apology returned, edited and signed after a
confirmation; a payment demand confirmed. No inline script: the confirmations are pages."""

import pytest
from django.urls import reverse

from dossiers.models import Apology, Dossier, Procedure, Status
from dossiers.services.routing import RESULT_MISSING, dossier_transition
from dossiers.tests.fixtures import desktop_context, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n% Phieu ly lich tu phap\n%%EOF\n"


def page_as(browser, base: str, user):
    """A page in a context of its own, logged in as `user`."""
    return logged_in(desktop_context(browser), base, user)


@pytest.fixture
def at_agency(world, receive):
    """Received now and handed to the agency's appraisal (Thẩm định)."""
    return dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])


def test_does_require_the_leaders_step_the_result_file_and_a_confirmation_when_a_result_is_given(
    browser, live_server, world, at_agency, tmp_path
):
    from playwright.sync_api import expect

    Procedure.objects.filter(pk=world["procedure"].pk).update(result_type=Procedure.ResultType.ELECTRONIC)
    url = f"{live_server.url}{reverse('staff:dossier', args=[at_agency.code])}"
    complete = {"name": "Có kết quả giải quyết", "exact": True}

    specialist = page_as(browser, live_server.url, world["specialist"])
    specialist.goto(url)
    expect(specialist.get_by_role("button", name="Chuyển xử lý", exact=True)).to_be_visible()
    expect(specialist.get_by_role("button", **complete)).to_have_count(0)  # the appraisal cannot finish it
    specialist.get_by_role("button", name="Chuyển xử lý", exact=True).click()
    expect(specialist.get_by_role("status")).to_contain_text("Đã thực hiện: Chuyển xử lý.")
    expect(specialist.get_by_role("button", **complete)).to_have_count(0)  # nor can a specialist sign

    leader = page_as(browser, live_server.url, world["leader"])
    leader.goto(url)
    leader.get_by_role("button", **complete).click()
    expect(leader.locator("#error")).to_have_text(str(RESULT_MISSING))  # no confirmation for what cannot go
    result = tmp_path / "phieu-ly-lich-tu-phap.pdf"
    result.write_bytes(PDF)
    leader.get_by_label("Loại tệp").select_option("result")
    leader.get_by_label("Tệp (PDF, JPEG, PNG)").set_input_files(str(result))
    leader.get_by_role("button", name="Tải tệp lên").click()
    expect(leader.get_by_role("status")).to_contain_text("Đã đính kèm tệp phieu-ly-lich-tu-phap.pdf.")

    leader.get_by_role("button", **complete).click()
    expect(leader.get_by_role("heading", name="Xác nhận: Có kết quả giải quyết")).to_be_visible()
    expect(leader.locator("#confirm-what")).to_contain_text("phieu-ly-lich-tu-phap.pdf")
    leader.get_by_role("link", name="Quay lại, không thực hiện").click()
    expect(leader.locator("#status")).to_have_text("Đang xử lý")
    assert Dossier.objects.get(pk=at_agency.pk).status == Status.PROCESSING

    leader.get_by_role("button", **complete).click()
    leader.get_by_role("button", name="Xác nhận: Có kết quả giải quyết").click()
    expect(leader.locator("#status")).to_have_text("Đã xử lý xong")
    event = Dossier.objects.get(pk=at_agency.pk).events.get(action="complete")
    assert event.actor == world["leader"] and event.data["approved"] is True


def test_does_offer_return_edit_and_a_confirmed_signature_when_an_apology_is_handled(
    browser, live_server, world, at_agency
):
    from playwright.sync_api import expect

    url = f"{live_server.url}{reverse('staff:dossier', args=[at_agency.code])}"
    draft_link = {"name": "Soạn văn bản xin lỗi, hẹn lại"}

    clerk = page_as(browser, live_server.url, world["clerk"])
    clerk.goto(url)
    expect(clerk.locator("#status")).to_have_text("Đang xử lý")
    expect(clerk.get_by_role("link", **draft_link)).to_have_count(0)  # the counter is not at fault

    specialist = page_as(browser, live_server.url, world["specialist"])
    specialist.goto(url)
    specialist.get_by_role("link", **draft_link).click()
    specialist.get_by_label("Lý do chậm trễ").fill("Chờ kết quả xác minh")
    specialist.get_by_label("Gia hạn thêm (ngày làm việc)").fill("2")
    specialist.get_by_role("button", name="Soạn văn bản, trình lãnh đạo ký").click()
    expect(specialist.locator("#apology-status")).to_have_text("Chờ lãnh đạo ký")
    expect(specialist.get_by_role("button", name="Ký và gửi")).to_have_count(0)
    expect(specialist.get_by_role("button", name="Trả lại để sửa")).to_have_count(0)
    apology_url = specialist.url

    leader = page_as(browser, live_server.url, world["leader"])
    leader.goto(apology_url)
    leader.get_by_label("Ý kiến khi trả lại để sửa").fill("Ghi rõ cơ quan xác minh")
    leader.get_by_role("button", name="Trả lại để sửa").click()
    expect(leader.locator("#apology-status")).to_have_text("Lãnh đạo trả lại để sửa")
    expect(leader.get_by_role("button", name="Ký và gửi")).to_have_count(0)

    specialist.goto(apology_url)
    expect(specialist.locator("#review-comment")).to_contain_text("Ghi rõ cơ quan xác minh")
    specialist.get_by_role("link", name="Sửa văn bản").click()
    specialist.get_by_label("Lý do chậm trễ").fill("Chờ kết quả xác minh của Công an tỉnh")
    specialist.get_by_role("button", name="Lưu văn bản đã sửa, trình lãnh đạo ký").click()
    expect(specialist.locator("#apology-status")).to_have_text("Chờ lãnh đạo ký")

    leader.goto(apology_url)
    leader.get_by_role("link", name="Sửa văn bản").click()  # the head may edit it too
    leader.get_by_label("Gia hạn thêm (ngày làm việc)").fill("3")
    leader.get_by_role("button", name="Lưu văn bản đã sửa, trình lãnh đạo ký").click()
    new_due = leader.locator("#new-due")
    expect(new_due).to_contain_text("gia hạn 3 ngày làm việc")
    leader.get_by_role("button", name="Ký và gửi").click()
    expect(leader.locator("#confirm-sign")).to_contain_text("Không thể hoàn tác")
    expect(leader.locator("#apology-status")).to_have_text("Chờ lãnh đạo ký")  # asked, not signed
    leader.get_by_role("button", name="Xác nhận ký và gửi").click()
    expect(leader.locator("#apology-status")).to_have_text("Đã ký, đã gửi")
    apology = Apology.objects.get(dossier=at_agency)
    assert apology.reason == "Chờ kết quả xác minh của Công an tỉnh" and apology.extension_days == 3
    assert Dossier.objects.get(pk=at_agency.pk).due_at == apology.new_due_at

    specialist.goto(url)
    specialist.get_by_role("button", name="Yêu cầu thực hiện nghĩa vụ tài chính", exact=True).click()
    expect(specialist.locator("#confirm-what")).to_contain_text("50.000 đồng")
    specialist.get_by_role("button", name="Xác nhận: Yêu cầu thực hiện nghĩa vụ tài chính").click()
    expect(specialist.locator("#status")).to_have_text("Yêu cầu thực hiện nghĩa vụ tài chính")
