"""Petitions under Decision 766 group 5: information supplied, transfer, the clock restarting, no
overdue while the citizen holds the petition, the petitioner's opinion, and §5.2 / §5.3."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dossiers.errors import InvalidInput, InvalidTransition
from dossiers.kpi import rules
from dossiers.tests.fixtures import local
from dossiers.tests.test_api_dossiers import bearer
from feedback.kpi import petition_figures
from feedback.models import Petition
from feedback.services.petition_opinion import NOT_RATEABLE, petition_rate_answer
from feedback.services.petitions import (
    SAME_UNIT,
    petition_answer,
    petition_reject,
    petition_request_info,
    petition_supply_info,
    petition_transfer,
)
from feedback.services.watch import petition_flag
from portal import kpis

pytestmark = pytest.mark.django_db


def test_does_restart_fifteen_working_days_when_the_citizen_supplies_the_information(world, petition):
    p = petition()  # Fri 24/04/2026 16:00: answer by Wed 20/05 16:00
    petition_request_info(petition_id=p.pk, actor=world["leader"], text="Số hồ sơ?", at=local(2026, 4, 28, 10, 0))
    p = petition_supply_info(
        petition_id=p.pk, actor=world["leader"], text="Hồ sơ 000.00.01.H56-260420-0003", at=local(2026, 5, 11, 9, 0)
    )
    assert (p.status, p.clock_from, p.answer_by) == ("received", local(2026, 5, 11, 9, 0), local(2026, 6, 1, 9, 0))
    event = p.events.get(action="supply_info")
    assert event.data == {"unit": world["agency"].pk, "answer_by": "2026-06-01T09:00:00+07:00"}


def test_cannot_be_overdue_when_the_citizen_holds_the_petition(world, petition):
    p = petition()
    petition_request_info(petition_id=p.pk, actor=world["leader"], text="Số hồ sơ?", at=local(2026, 4, 28, 10, 0))
    after = local(2026, 5, 21, 8, 0)  # past the first answer deadline (20/05 16:00)
    assert not Petition.objects.overdue(at=after).exists()
    assert petition_flag(at=after) == 0
    p.refresh_from_db()
    assert (p.due_at, p.is_overdue(after)) == (None, False)
    p = petition_supply_info(petition_id=p.pk, actor=world["leader"], text="Đã bổ sung", at=local(2026, 5, 22, 9, 0))
    assert p.answer_by == local(2026, 6, 12, 9, 0) and not p.is_overdue(local(2026, 6, 12, 9, 0))
    assert petition_flag(at=local(2026, 6, 12, 9, 1)) == 1


def test_does_move_the_petition_and_restart_its_clock_when_transferred(world, petition):
    p = petition()
    p = petition_transfer(
        petition_id=p.pk, actor=world["leader"], to_unit_code=world["other_agency"].code,
        text="Thuộc thẩm quyền Sở Tài chính", at=local(2026, 4, 28, 10, 0),
    )  # fmt: skip
    assert p.unit == world["other_agency"] and p.status == "received"
    # Tue 28/04 10:00 in the new unit's calendar, across 30/04 and 01/05.
    assert (p.reject_by, p.info_by, p.answer_by) == (
        local(2026, 5, 4, 10, 0), local(2026, 5, 7, 10, 0), local(2026, 5, 21, 10, 0)
    )  # fmt: skip
    event = p.events.get(action="transfer")
    assert (event.data["from_unit"], event.data["to_unit"]) == (world["agency"].code, world["other_agency"].code)
    # Now the new unit's officers handle it.
    petition_answer(petition_id=p.pk, actor=world["outsider"], text="Sở Tài chính trả lời", at=local(2026, 5, 6, 9, 0))


@pytest.mark.parametrize(("code", "message"), [("000.00.02.H56", SAME_UNIT), ("KHONG.CO", None)])
def test_cannot_transfer_a_petition_when_the_unit_is_its_own_or_unknown(world, petition, code, message):
    p = petition()
    with pytest.raises(InvalidInput) as caught:
        petition_transfer(petition_id=p.pk, actor=world["leader"], to_unit_code=code, text="Chuyển")
    assert "to_unit_code" in caught.value.fields and (message is None or caught.value.message == message)
    p.refresh_from_db()
    assert (p.unit, p.answer_by) == (world["agency"], local(2026, 5, 20, 16, 0))


# -- 766 §5.2 and §5.3 -----------------------------------------------------------------------------


@pytest.fixture
def may_petitions(world, petition):
    """Seven petitions of Fri 24/04/2026 16:00 (answer by Wed 20/05 16:00) to the world's agency."""
    leader = world["leader"]
    a, b, c, d, e, f, g = (petition() for _ in range(7))
    petition_answer(petition_id=a.pk, actor=leader, text="Trả lời", publish=False, at=local(2026, 5, 15, 9, 0))
    petition_answer(petition_id=b.pk, actor=leader, text="Trả lời", publish=False, at=local(2026, 5, 21, 9, 0))
    petition_answer(petition_id=c.pk, actor=leader, text="Trả lời", publish=False, at=local(2026, 5, 18, 9, 0))
    petition_rate_answer(petition_id=a.pk, satisfied=False, at=local(2026, 5, 16, 9, 0))
    petition_rate_answer(petition_id=c.pk, satisfied=True, at=local(2026, 5, 19, 9, 0))
    petition_request_info(petition_id=d.pk, actor=leader, text="Địa chỉ?", at=local(2026, 4, 28, 9, 0))  # held
    petition_reject(petition_id=f.pk, actor=leader, text="Không thuộc phạm vi", at=local(2026, 4, 28, 9, 0))
    petition_transfer(
        petition_id=g.pk, actor=leader, to_unit_code=world["other_agency"].code, text="Chuyển",
        at=local(2026, 4, 28, 10, 0),
    )  # fmt: skip
    return a, b, c, d, e, f, g


def test_does_count_petitions_on_time_and_satisfied_when_may_is_judged_at_its_end(world, may_petitions):
    with time_machine.travel(local(2026, 6, 10, 9, 0), tick=False):
        got = petition_figures(unit_ids=None, start=date(2026, 5, 1), until=local(2026, 6, 1, 0, 0), group_by="unit")
        summary = kpis.kpi_summary(unit_ids=[world["agency"].pk], start=date(2026, 5, 1), end=date(2026, 5, 31))
    # Agency: a (on time, unhappy), b (late), c (on time, happy), d (with the citizen), e (open, late).
    # §5.3 = (5 − a unhappy − b and e late) ÷ 5: c and d are satisfied.
    assert got[world["agency"].pk] == {
        "petitions": 5, "petitions_on_time": 3, "petitions_answered": 3, "petitions_satisfied": 2
    }  # fmt: skip
    # g: transferred on 28/04, due Thu 21/05 10:00, still open at the end of May: late, at its new unit.
    assert got[world["other_agency"].pk] == {
        "petitions": 1, "petitions_on_time": 0, "petitions_answered": 0, "petitions_satisfied": 0
    }  # fmt: skip
    assert (summary["petition_on_time_rate"], summary["petition_satisfaction_rate"]) == (60.0, 40.0)
    assert summary["scores"][5]["parts"]["5.2"] == 60.0 and summary["scores"][5]["parts"]["5.3"] == 40.0


def test_does_judge_april_at_its_end_when_the_petitions_were_answered_in_may(world, may_petitions):
    got = petition_figures(unit_ids=None, start=date(2026, 4, 1), until=local(2026, 5, 1, 0, 0), group_by="unit")
    assert got[world["agency"].pk] == {
        "petitions": 5, "petitions_on_time": 5, "petitions_answered": 0, "petitions_satisfied": 5
    }  # fmt: skip
    f = rules.Figures(**got[world["agency"].pk])
    assert (rules.petition_on_time_rate(f), rules.petition_satisfaction_rate(f)) == (100.0, 100.0)
    scoped = petition_figures(
        unit_ids=[world["other_agency"].pk], start=date(2026, 4, 1), until=local(2026, 5, 1, 0, 0), group_by="unit"
    )
    assert scoped == {world["other_agency"].pk: {"petitions": 1, "petitions_on_time": 1, "petitions_answered": 0,
                                                 "petitions_satisfied": 1}}  # fmt: skip


# -- the petitioner's opinion of the answer ----------------------------------------------------


def test_does_record_the_petitioners_opinion_once_when_rated_from_the_follow_page(client, world, petition):
    p = petition()
    follow = reverse("feedback:petition", args=[p.code])
    assert "rate-answer" not in client.get(follow, {"key": p.key}).content.decode()  # not answered yet
    petition_answer(petition_id=p.pk, actor=world["leader"], text="Đã chấn chỉnh cán bộ.", at=local(2026, 5, 4, 9, 0))
    assert 'id="rate-answer"' in client.get(follow, {"key": p.key}).content.decode()
    rate = reverse("feedback:petition-rate", args=[p.code])
    assert client.post(rate, {"key": "SAIMAKHOA", "satisfied": "no"}).status_code == 404
    response = client.post(rate, {"key": p.key, "satisfied": "no"}, follow=True)
    assert "Ông/Bà đã đánh giá: không hài lòng với câu trả lời." in response.content.decode()
    response = client.post(rate, {"key": p.key, "satisfied": "yes"}, follow=True)
    assert str(NOT_RATEABLE) in response.content.decode()
    p.refresh_from_db()
    assert p.citizen_satisfied is False and p.events.filter(action="rate_answer").count() == 1


def test_cannot_rate_an_answer_when_the_petition_is_not_answered(petition):
    with pytest.raises(InvalidTransition):
        petition_rate_answer(petition_id=petition().pk, satisfied=True)


def test_does_rate_and_act_through_the_api_when_the_fields_are_given(client, world, petition):
    p = petition()
    auth = bearer(world["leader"])
    url = f"/api/v1/petitions/{p.code}/actions"
    body = {"action": "transfer", "text": "Thuộc Sở Tài chính", "to_unit_code": "KHONG.CO"}
    bad = client.post(url, body, content_type="application/json", **auth)
    assert bad.status_code == 422 and "to_unit_code" in bad.json()["fields"]
    body = {"action": "request_info", "text": "Số hồ sơ?"}
    assert client.post(url, body, content_type="application/json", **auth).json()["due_at"] is None
    body = {"action": "supply_info", "text": "Đã có số hồ sơ"}
    with time_machine.travel(local(2026, 5, 11, 9, 0), tick=False):
        supplied = client.post(url, body, content_type="application/json", **auth).json()
    assert (supplied["status"], supplied["due_at"]) == ("received", "2026-06-01T09:00:00+07:00")
    rating = f"/api/v1/public/petitions/{p.code}/rating"
    early = client.post(rating, {"key": p.key, "satisfied": True}, content_type="application/json")
    assert early.status_code == 409
    petition_answer(petition_id=p.pk, actor=world["leader"], text="Trả lời")
    rated = client.post(rating, {"key": p.key, "satisfied": True}, content_type="application/json")
    assert rated.status_code == 201 and rated.json()["satisfied"] is True
    wrong = client.post(rating, {"key": "SAIMAKHOA", "satisfied": True}, content_type="application/json")
    assert wrong.status_code == 404


def test_does_offer_transfer_and_information_supplied_when_the_handler_opens_the_petition(client, world, petition):
    p = petition()
    petition_request_info(petition_id=p.pk, actor=world["leader"], text="Số hồ sơ?", at=local(2026, 4, 28, 10, 0))
    client.force_login(world["leader"])
    html = client.get(reverse("feedback:staff-petition", args=[p.code])).content.decode()
    assert 'name="action" value="supply_info"' in html and 'name="action" value="transfer"' in html
    assert f'<option value="{world["other_agency"].code}">Sở Tài chính</option>' in html
    assert "tạm dừng: chờ công dân bổ sung thông tin" in html
    response = client.post(
        reverse("feedback:staff-petition-act", args=[p.code]),
        {"action": "transfer", "text": "Thuộc Sở Tài chính", "to_unit_code": world["other_agency"].code},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.unit == world["other_agency"] and p.status == "received"
