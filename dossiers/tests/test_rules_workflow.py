"""Workflow rules of issues 13 and 16 (docs/rules-workflow.md): supplements within the time and
Decision 766, the result by the procedure's last step, refusal before the receipt, completing an
online submission, the competent commune, the hand-over of the result, national channel codes."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.errors import Forbidden, InvalidInput, InvalidTransition
from dossiers.kpi.facts import kpi_facts_rebuild
from dossiers.models import ClockEntry, Dossier, DossierStep, KpiFact, OutboxMessage, Procedure, Status
from dossiers.presenters import actions_for
from dossiers.services import handover, intake, routing
from dossiers.services.apologies import apology_can_draft, apology_unit
from dossiers.services.attachments import attachment_add
from dossiers.services.calendar_days import calendar_day_set
from dossiers.services.routing import dossier_transition
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory, UserFactory
from dossiers.tests.test_api_dossiers import bearer
from portal import kpis

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% ket qua\n%%EOF\n"


def act(dossier, action, user, at=None, **kwargs):
    if at is None:
        return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, **kwargs)
    with time_machine.travel(at, tick=False):
        return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, **kwargs)


@pytest.fixture
def at_agency(world, receive):
    """Received Mon 09/03/2026 10:00 (10 working days: due Mon 23/03/2026 10:00), at the agency's appraisal."""
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        return act(receive(), "transfer", world["clerk"])


@pytest.fixture
def signing(world, at_agency):
    """At the leader's step (Ký duyệt), Tue 10/03/2026 09:00."""
    return act(at_agency, "transfer", world["specialist"], local(2026, 3, 10, 9, 0))


# -- supplements: within the processing time; Decision 766 counts a second one late ----------------


def test_cannot_request_a_supplement_when_the_processing_time_is_over(world, at_agency):
    with pytest.raises(InvalidTransition) as exc:
        act(at_agency, "request_supplement", world["specialist"], local(2026, 3, 23, 10, 1), reason="Thiếu")
    assert exc.value.code == "supplement_after_due"
    assert "thứ Hai 23/03/2026 10:00" in exc.value.message
    assert Dossier.objects.get(pk=at_agency.pk).status == Status.PROCESSING


def test_does_request_a_supplement_when_it_is_the_last_minute_of_the_processing_time(world, at_agency):
    dossier = act(at_agency, "request_supplement", world["specialist"], local(2026, 3, 23, 10, 0), reason="Thiếu")
    assert dossier.status == Status.SUPPLEMENT and dossier.supplement_count == 1


@pytest.fixture
def supplied_once(world, at_agency):
    act(at_agency, "request_supplement", world["specialist"], local(2026, 3, 10, 9, 0), reason="Thiếu tờ khai")
    return act(at_agency, "supplement_received", world["clerk"], local(2026, 3, 10, 10, 0))


def test_does_warn_and_ask_to_confirm_when_a_second_supplement_is_requested_on_the_page(client, world, supplied_once):
    client.force_login(world["specialist"])
    page = client.get(reverse("staff:dossier", args=[supplied_once.code])).content.decode()
    warning = str(routing.SECOND_SUPPLEMENT % {"n": 1})
    assert 'id="supplement-warning"' in page and warning in page
    url = reverse("staff:act", args=[supplied_once.code])
    with time_machine.travel(local(2026, 3, 11, 9, 0), tick=False):
        asked = client.post(url, {"action": "request_supplement", "reason": "Thiếu ảnh", "documents": "Ảnh 4x6"})
        assert asked.status_code == 200 and warning in asked.content.decode()
        assert Dossier.objects.get(pk=supplied_once.pk).supplement_count == 1  # nothing done yet
        confirmed = client.post(
            url, {"action": "request_supplement", "reason": "Thiếu ảnh", "documents": "Ảnh 4x6", "confirmed": "on"}
        )
    dossier = Dossier.objects.get(pk=supplied_once.pk)
    assert confirmed.status_code == 302 and dossier.supplement_count == 2 and dossier.status == Status.SUPPLEMENT
    assert dossier.events.filter(action="request_supplement").last().data["late_766"] is True


def test_does_show_766_late_beside_the_legal_timeliness_when_supplements_were_requested_twice(
    client, world, supplied_once
):
    act(supplied_once, "request_supplement", world["specialist"], local(2026, 3, 11, 9, 0), reason="Thiếu ảnh")
    act(supplied_once, "supplement_received", world["clerk"], local(2026, 3, 11, 10, 0))
    act(supplied_once, "transfer", world["specialist"], local(2026, 3, 13, 10, 0))
    done = act(supplied_once, "complete", world["leader"], local(2026, 3, 13, 10, 0))
    assert done.timeliness == "early" and done.supplements_make_late  # the law says early, 766 says late
    client.force_login(world["clerk"])
    html = client.get(reverse("staff:dossier", args=[done.code])).content.decode()
    assert "Trước hạn" in html.split('id="timeliness"')[1].split("</dd>")[0]
    late = html.split('id="timeliness-766"')[1].split("</dd>")[0]
    assert "Quá hạn" in late and "yêu cầu bổ sung quá 1 lần tính là trễ hạn" in late


# -- the result: by the procedure's last step and its role, confirmed, with its document -----------


def test_cannot_complete_when_the_leaders_step_is_still_ahead(world, at_agency):
    assert "complete" not in actions_for(world["specialist"], at_agency)
    for officer in ("specialist", "leader"):
        with pytest.raises(InvalidTransition) as exc:
            act(at_agency, "complete", world[officer])
        assert exc.value.code == "not_the_last_step"
        assert exc.value.message == routing.NOT_THE_LAST_STEP % {"step": "Ký duyệt", "role": "Lãnh đạo đơn vị"}
    assert Dossier.objects.get(pk=at_agency.pk).status == Status.PROCESSING


def test_cannot_complete_when_the_officer_does_not_hold_the_steps_role(world, signing):
    assert "complete" not in actions_for(world["specialist"], signing)
    with pytest.raises(Forbidden):
        act(signing, "complete", world["specialist"])
    assert "complete" in actions_for(world["leader"], signing)
    done = act(signing, "complete", world["leader"], local(2026, 3, 10, 14, 0))
    assert done.status == Status.DONE and done.current_unit == world["centre"]
    sign = done.steps.get(name="Ký duyệt")
    assert (sign.giver, sign.finished_at, sign.timeliness) == (world["leader"], local(2026, 3, 10, 14, 0), "early")


def test_does_let_the_specialist_complete_when_the_procedure_has_no_leaders_step(world, receive):
    plain = ProcedureFactory(national_code="2.000002", lead_agency=world["agency"])  # default template
    dossier = act(receive(procedure=plain), "transfer", world["clerk"])
    assert [s.role for s in dossier.steps.order_by("position")] == ["counter_clerk", "specialist", "counter_clerk"]
    assert act(dossier, "complete", world["specialist"]).status == Status.DONE


def test_cannot_complete_without_the_electronic_result_when_the_procedure_issues_one(world, signing):
    Procedure.objects.filter(pk=world["procedure"].pk).update(result_type=Procedure.ResultType.ELECTRONIC)
    with pytest.raises(InvalidInput) as exc:
        act(signing, "complete", world["leader"])
    assert exc.value.code == "result_missing" and exc.value.fields == {"attachments": routing.RESULT_MISSING}
    result = SimpleUploadedFile("phieu-ly-lich.pdf", PDF, content_type="application/pdf")
    attachment_add(dossier=signing, kind="result", uploaded_file=result, actor=world["leader"])
    assert act(signing, "complete", world["leader"]).status == Status.DONE


def test_does_ask_to_confirm_the_result_and_a_payment_demand_when_posted_from_the_page(client, world, signing):
    client.force_login(world["leader"])
    url = reverse("staff:act", args=[signing.code])
    asked = client.post(url, {"action": "request_payment", "version": signing.version})
    assert asked.status_code == 200 and "50.000 đồng" in asked.content.decode()
    asked = client.post(url, {"action": "complete", "outcome": "approved", "version": signing.version})
    html = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-form"' in html and "CHẤP THUẬN" in html
    assert 'name="confirmed" value="on"' in html and f'name="version" value="{signing.version}"' in html
    assert Dossier.objects.get(pk=signing.pk).status == Status.PROCESSING  # nothing done before the confirmation
    done = client.post(
        url, {"action": "complete", "outcome": "approved", "version": signing.version, "confirmed": "on"}
    )
    assert done.status_code == 302 and Dossier.objects.get(pk=signing.pk).status == Status.DONE


# -- refusal before the receipt only; a negative result after it; no withdrawal of a result ---------


def test_cannot_refuse_a_dossier_when_its_receipt_was_issued(world, receive):
    with pytest.raises(InvalidTransition):
        act(receive(), "refuse", world["clerk"], reason="Không thuộc thẩm quyền")
    online = receive(channel="online", submit_only=True)
    assert act(online, "refuse", world["clerk"], reason="Không thuộc thẩm quyền").status == Status.REFUSED


def test_does_record_a_reasoned_refusal_as_the_result_when_the_dossier_was_received(world, signing):
    with pytest.raises(InvalidInput) as exc:
        act(signing, "complete", world["leader"], approved=False)
    assert exc.value.fields == {"reason": routing.REFUSAL_NEEDS_REASON}
    done = act(signing, "complete", world["leader"], approved=False, reason="Không đủ điều kiện cấp phiếu")
    assert done.status == Status.DONE and done.result_approved is False
    event = done.events.get(action="complete")
    assert event.reason == "Không đủ điều kiện cấp phiếu" and event.data["approved"] is False


def test_cannot_withdraw_when_the_result_is_ready(world, signing):
    done = act(signing, "complete", world["leader"])
    assert "withdraw" not in actions_for(world["clerk"], done)
    with pytest.raises(InvalidTransition):
        act(done, "withdraw", world["clerk"], reason="Công dân xin rút")


# -- an online submission to complete: Mẫu 02, the submission stays open ------------------------------


def test_does_keep_an_online_submission_open_with_mẫu_02_when_it_needs_completing(client, world, receive):
    with time_machine.travel(local(2026, 3, 9, 8, 0), tick=False):
        online = receive(channel="online", submit_only=True)
    guided = act(
        online,
        "request_completion",
        world["clerk"],
        local(2026, 3, 9, 9, 0),
        reason="Bản chụp CCCD không đọc được",
        documents=["Bản chụp CCCD (rõ nét, đủ hai mặt)"],
    )
    assert guided.status == Status.SUBMITTED and guided.due_at is None and guided.received_at is None
    assert not ClockEntry.objects.filter(dossier=guided).exists()  # no clock before reception
    event = guided.events.get(action="request_completion")
    assert event.data["documents"] == ["Bản chụp CCCD (rõ nét, đủ hai mặt)"] and event.actor == world["clerk"]
    sms = OutboxMessage.objects.get(dedup_key=f"{guided.code}:completion:1:sms")
    assert "Bản chụp CCCD không đọc được" in sms.body and "Bản chụp CCCD (rõ nét, đủ hai mặt)" in sms.body
    client.force_login(world["clerk"])
    printed = client.get(reverse("staff:print-completion", args=[guided.code])).content.decode()
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in printed and "Bản chụp CCCD (rõ nét, đủ hai mặt)" in printed
    public = client.get(f"/api/v1/public/dossiers/{guided.code}", {"key": guided.lookup_key}).json()
    assert public["waiting_for"]["action"] == "request_completion"
    accepted = act(guided, "accept", world["clerk"], local(2026, 3, 11, 10, 0))  # completed by the citizen
    assert accepted.status == Status.RECEIVED and accepted.due_at == local(2026, 3, 25, 10, 0)


# -- the competent commune (Decree 118/2025: filing anywhere in the province) ------------------------


@pytest.fixture
def commune_procedure(world):
    return ProcedureFactory(
        national_code="1.001612",
        name="Đăng ký khai sinh",
        level=Procedure.Level.COMMUNE,
        lead_agency=None,
        legal_processing_time=Decimal(2),
    )


@pytest.fixture
def commune(world):
    """The commune competent for the applicant's address, with a local day off on Tue 10/03/2026."""
    calendar_day_set(day=date(2026, 3, 10), is_working=False, name="Nghỉ bù địa phương", unit=world["other_centre"])
    return world["other_centre"]


def test_does_route_to_the_competent_commune_when_filed_at_the_provincial_centre(
    world, receive, commune_procedure, commune
):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive(procedure=commune_procedure, competent_unit=commune)
    assert dossier.receiving_unit == world["centre"] and dossier.lead_unit == commune
    # 2 working days on the commune's calendar, without its day off: Thu 12/03 10:00 (Wed 11/03 at the centre).
    assert dossier.due_at == local(2026, 3, 12, 10, 0)
    dossier = act(dossier, "transfer", world["clerk"])
    assert dossier.current_unit == commune
    assert DossierStep.objects.get(dossier=dossier, position=20).unit == commune
    assert Dossier.objects.visible_to(world["other_clerk"]).filter(pk=dossier.pk).exists()


def test_does_give_the_competent_commune_the_kpis_the_apology_and_the_lateness_when_filed_at_the_centre(
    world, receive, commune_procedure, commune
):
    specialist = UserFactory(username="chuyenvien.xa", roles=["specialist"], units=[commune])
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = act(receive(procedure=commune_procedure, competent_unit=commune), "transfer", world["clerk"])
    with time_machine.travel(local(2026, 3, 12, 11, 0), tick=False):  # an hour past the commune's appointment
        assert apology_unit(dossier) == commune
        assert apology_can_draft(specialist, dossier) and not apology_can_draft(world["clerk"], dossier)
    with time_machine.travel(local(2026, 3, 13, 10, 0), tick=False):
        dossier = act(dossier, "complete", specialist)
    assert (dossier.timeliness, dossier.timeliness_766, dossier.late_unit) == ("late", "late", commune)
    kpi_facts_rebuild()
    assert set(KpiFact.objects.values_list("unit", flat=True)) == {commune.pk}
    with time_machine.travel(local(2026, 4, 1, 9, 0), tick=False):
        rows = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31), group_by="unit")
    assert [(r["code"], r["received"], r["late"]) for r in rows] == [(commune.code, 1, 1)]


def test_cannot_receive_a_commune_procedure_at_the_provincial_centre_when_no_commune_is_chosen(
    world, receive, commune_procedure
):
    with pytest.raises(InvalidInput) as exc:
        receive(procedure=commune_procedure)
    assert exc.value.fields == {"competent_unit_code": intake.COMPETENT_REQUIRED}
    with pytest.raises(InvalidInput) as exc:
        receive(procedure=commune_procedure, competent_unit=world["agency"])
    assert exc.value.fields == {"competent_unit_code": intake.COMPETENT_NOT_COMMUNE}
    with pytest.raises(InvalidInput) as exc:
        receive(competent_unit=world["other_centre"])  # a provincial procedure has its own lead agency
    assert exc.value.fields == {"competent_unit_code": intake.COMPETENT_ONLY_COMMUNE}
    assert Dossier.objects.count() == 0


def test_does_take_the_competent_commune_from_the_api_and_the_counter_form(client, world, commune_procedure, commune):
    body = {
        "procedure_code": "1.001612",
        "competent_unit_code": "26734.H56",
        "applicant": {"name": "Lê Văn Cường", "id_number": "056190009876", "phone": "0914222333"},
    }
    created = client.post("/api/v1/dossiers", body, content_type="application/json", **bearer(world["clerk"]))
    assert created.status_code == 201, created.content
    detail = client.get(f"/api/v1/dossiers/{created.json()['code']}", **bearer(world["clerk"])).json()
    assert (detail["receiving_unit_code"], detail["lead_unit_code"]) == ("000.00.01.H56", "26734.H56")
    bad = client.post(
        "/api/v1/dossiers",
        {**body, "competent_unit_code": "000.00.02.H56"},
        content_type="application/json",
        **bearer(world["clerk"]),
    )
    assert bad.status_code == 422 and bad.json()["fields"] == {"competent_unit_code": str(intake.COMPETENT_NOT_COMMUNE)}
    client.force_login(world["clerk"])
    form = client.get(reverse("staff:intake"), {"procedure": "1.001612"}).content.decode()
    assert 'name="competent_unit"' in form and '<option value="26734.H56">' in form
    post = {"procedure": "1.001612", "name": "Trần Thị Bình", "id_number": "056190001234", "phone": "0905123456"}
    post |= {
        "channel": "counter",
        "set_count": "1",
        "receiving_unit": world["centre"].pk,
        "competent_unit": "26734.H56",
    }
    response = client.post(reverse("staff:intake"), post)
    assert response.status_code == 302
    assert Dossier.objects.get(applicant_id_number="056190001234").lead_unit == commune


# -- returning the result: method, recipient or proxy with ID, tracking number, electronic link -----


@pytest.fixture
def done(world, signing):
    return act(signing, "complete", world["leader"], local(2026, 3, 10, 14, 0))


def test_does_record_the_applicant_at_the_counter_when_no_hand_over_is_given(world, done):
    returned = act(done, "return_result", world["clerk"], local(2026, 3, 11, 9, 0))
    assert (returned.return_method, returned.return_by_proxy) == ("counter", False)
    assert (returned.return_recipient_name, returned.return_recipient_id_number) == ("Trần Thị Bình", "056190001234")


def test_does_record_the_postal_tracking_number_and_the_proxy_when_given(world, done):
    given = {
        "method": "postal",
        "by_proxy": True,
        "recipient_name": "Trần Văn Nam",
        "recipient_id_number": "056 190 005 678",
        "tracking_number": "EB123456789VN",
    }
    returned = act(done, "return_result", world["clerk"], handover=given)
    assert (returned.return_method, returned.return_tracking_number) == ("postal", "EB123456789VN")
    assert (returned.return_recipient_name, returned.return_recipient_id_number) == ("Trần Văn Nam", "056190005678")
    assert returned.return_by_proxy and returned.events.get(action="return_result").data["handover"] == {
        "method": "postal",
        "recipient_name": "Trần Văn Nam",
        "recipient_id_number": "056190005678",
        "by_proxy": True,
        "tracking_number": "EB123456789VN",
        "result_url": "",
    }


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"method": "postal"}, "handover.tracking_number", handover.TRACKING_REQUIRED),
        ({"method": "online", "result_url": "ftp://x"}, "handover.result_url", handover.RESULT_URL_REQUIRED),
        (
            {"by_proxy": True, "recipient_name": "Trần Văn Nam"},
            "handover.recipient_id_number",
            handover.RECIPIENT_ID_INVALID,
        ),
        ({"method": "drone"}, "handover.method", handover.BAD_METHOD),
    ],
)
def test_cannot_return_the_result_when_the_hand_over_is_incomplete(world, done, given, field, message):
    with pytest.raises(InvalidInput) as exc:
        act(done, "return_result", world["clerk"], handover=given)
    assert exc.value.fields[field] == message and Dossier.objects.get(pk=done.pk).status == Status.DONE


def test_does_record_the_electronic_result_link_through_the_api_and_the_page(client, world, done):
    url = "https://dichvucong.gov.vn/ket-qua/000.00.01.H56-260309-0001.pdf"
    response = client.post(
        f"/api/v1/dossiers/{done.code}/actions",
        {"action": "return_result", "handover": {"method": "online", "result_url": url}},
        content_type="application/json",
        **bearer(world["clerk"]),
    )
    assert response.status_code == 200, response.content
    assert response.json()["handover"] == {
        "method": "online",
        "by_proxy": False,
        "recipient_name": "Trần Thị Bình",
        "recipient_id_number": "056190001234",
        "tracking_number": "",
        "result_url": url,
    }
    client.force_login(world["clerk"])
    html = client.get(reverse("staff:dossier", args=[done.code])).content.decode()
    assert "Trực tuyến (kết quả điện tử)" in html and f'href="{url}"' in html


# -- national channel codes (KenhThucHien) -----------------------------------------------------------


def test_does_give_the_national_channel_code_in_the_api_and_the_export(client, world, receive):
    codes = {}
    for channel in ("counter", "online", "postal"):
        body = {"procedure_code": "1.001193", "channel": channel}
        body["applicant"] = {"name": "Lê Văn Cường", "id_number": "056190009876", "phone": "0914222333"}
        created = client.post("/api/v1/dossiers", body, content_type="application/json", **bearer(world["clerk"]))
        codes[channel] = created.json()["channel_code"]
    assert codes == {"counter": 1, "online": 2, "postal": 3}
    listed = client.get("/api/v1/dossiers", **bearer(world["clerk"])).json()["items"]
    assert sorted(row["channel_code"] for row in listed) == [1, 2, 3]
    online = Dossier.objects.get(channel="online")
    assert client.get(f"/api/v1/dossiers/{online.code}", **bearer(world["clerk"])).json()["channel_code"] == 2
