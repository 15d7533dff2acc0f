"""Petitions through their services: code, routing, clock in working days, state machine, flagging."""

import re

import pytest

from dossiers.errors import Forbidden, InvalidInput, InvalidTransition
from dossiers.tests.fixtures import local
from feedback.models import Petition, PetitionEvent
from feedback.services.petitions import (
    BAD_EMAIL,
    NOT_NOW,
    REQUIRED,
    TEXT_REQUIRED,
    petition_answer,
    petition_for_citizen,
    petition_publish,
    petition_reject,
    petition_request_info,
)
from feedback.services.watch import petition_flag

pytestmark = pytest.mark.django_db


def test_does_count_deadlines_in_working_days_when_submitted_before_gio_to_and_30_4(petition):
    # Fri 24/04/2026 16:00; Mon 27/04 (Giỗ Tổ in lieu), Thu 30/04 and Fri 01/05 are days off.
    p = petition(at=local(2026, 4, 24, 16, 0))
    assert p.reject_by == local(2026, 4, 29, 16, 0)  # domain.md worked example 4
    assert p.info_by == local(2026, 5, 6, 16, 0)
    assert p.answer_by == local(2026, 5, 20, 16, 0)
    assert p.publish_by is None and p.status == Petition.Status.RECEIVED


def test_does_set_the_publishing_deadline_when_answered(petition, world):
    p = petition()
    p = petition_answer(petition_id=p.pk, actor=world["leader"], text="Đã chấn chỉnh.", at=local(2026, 5, 15, 10, 0))
    assert p.publish_by == local(2026, 5, 19, 10, 0)  # Fri 10:00 + 2 working days, across the weekend
    assert p.answered_by == world["leader"] and p.is_public is True


def test_does_number_codes_per_day_with_a_random_key_when_submitted(petition):
    first, second = petition(), petition()
    assert (first.code, second.code) == ("PAKN-260424-0001", "PAKN-260424-0002")
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{8}", first.key) and first.key != second.key
    assert petition(at=local(2026, 4, 28, 9, 0)).code == "PAKN-260428-0001"


def test_does_route_to_the_named_unit_when_a_unit_code_is_given(petition, world):
    assert petition(unit_code=world["other_agency"].code).unit == world["other_agency"]


def test_does_route_to_the_lead_unit_when_a_dossier_code_and_its_key_are_given(petition, receive, world):
    dossier = receive()
    p = petition(unit_code="", dossier_code=dossier.code, dossier_key=dossier.lookup_key.lower())
    assert p.unit == world["agency"] and p.dossier == dossier and p.about == Petition.About.DOSSIER
    by_id = petition(unit_code="", dossier_code=dossier.code, dossier_key=dossier.applicant_id_number)
    assert by_id.unit == world["agency"] and by_id.dossier == dossier


@pytest.mark.parametrize("key", ["", "SAIMA123"])
def test_cannot_tell_a_dossier_code_exists_when_a_petition_names_it_without_its_key(petition, receive, world, key):
    dossier = receive()
    known = petition(unit_code="", dossier_code=dossier.code, dossier_key=key)
    unknown = petition(unit_code="", dossier_code="000.00.01.H56-260101-9999", dossier_key=key)
    assert known.unit == unknown.unit == world["centre"]  # not the dossier's agency
    assert known.answer_by == unknown.answer_by and known.dossier is None and known.dossier_ref == dossier.code


def test_does_route_to_the_procedures_agency_when_only_a_procedure_is_named(petition, world):
    p = petition(unit_code="", procedure_code=world["procedure"].national_code)
    assert p.unit == world["agency"] and p.about == Petition.About.PROCEDURE


def test_does_route_to_the_provincial_centre_when_nothing_names_a_unit(petition, world):
    p = petition(unit_code="", dossier_code="000.00.01.H56-260101-9999")
    assert p.unit == world["centre"]  # the root province centre, not the commune's
    assert p.dossier is None and p.dossier_ref == "000.00.01.H56-260101-9999"


def test_cannot_submit_when_the_unit_code_is_unknown(petition):
    with pytest.raises(InvalidInput) as exc:
        petition(unit_code="KHONG-CO")
    assert set(exc.value.fields) == {"unit_code"}
    assert not Petition.objects.exists()


def test_cannot_submit_when_required_fields_are_blank_or_the_email_is_invalid(petition):
    with pytest.raises(InvalidInput) as exc:
        petition(subject="   ", name="", email="khong-phai-email")
    assert exc.value.fields == {"subject": REQUIRED, "name": REQUIRED, "email": BAD_EMAIL}


def test_does_walk_the_state_machine_with_history_when_handled_in_order(petition, world):
    p = petition()
    leader, spec = world["leader"], world["specialist"]
    p = petition_request_info(petition_id=p.pk, actor=spec, text="Đề nghị cho biết ngày nộp.")
    assert p.status == Petition.Status.INFO_REQUESTED
    p = petition_answer(petition_id=p.pk, actor=leader, text="Đã chấn chỉnh cán bộ.")
    p = petition_publish(petition_id=p.pk, actor=leader)
    assert p.status == Petition.Status.PUBLISHED and p.published_at is not None
    trail = list(p.events.values_list("action", "from_status", "to_status"))
    assert trail == [
        ("submit", "", "received"),
        ("request_info", "received", "info_requested"),
        ("answer", "info_requested", "answered"),
        ("publish", "answered", "published"),
    ]
    assert p.events.get(action="request_info").actor == spec


@pytest.mark.parametrize(
    ("first", "then"),
    [("reject", "answer"), ("reject", "publish"), (None, "publish"), ("answer", "request_info")],
)
def test_cannot_act_when_the_petition_is_not_in_a_source_state(petition, world, first, then):
    services = {
        "reject": petition_reject,
        "request_info": petition_request_info,
        "answer": petition_answer,
        "publish": petition_publish,
    }
    p = petition()
    if first:
        services[first](petition_id=p.pk, actor=world["leader"], text="Lý do")
    with pytest.raises(InvalidTransition) as exc:
        services[then](petition_id=p.pk, actor=world["leader"], text="Nội dung")
    assert exc.value.message == NOT_NOW and exc.value.status == 409


@pytest.mark.parametrize("user", ["outsider", "clerk", "supervisor"])
def test_cannot_act_when_the_user_is_not_a_handler_of_the_petitions_unit(petition, world, user):
    p = petition()
    with pytest.raises(Forbidden):
        petition_answer(petition_id=p.pk, actor=world[user], text="Trả lời")
    assert Petition.objects.get(pk=p.pk).status == Petition.Status.RECEIVED


def test_cannot_reject_when_no_reason_is_given(petition, world):
    with pytest.raises(InvalidInput) as exc:
        petition_reject(petition_id=petition().pk, actor=world["leader"], text="  ")
    assert exc.value.fields == {"text": TEXT_REQUIRED}


def test_does_flag_overdue_petitions_once_when_the_job_runs_twice(petition, world):
    late, answered, in_time = petition(), petition(), petition(at=local(2026, 5, 20, 9, 0))
    petition_answer(petition_id=answered.pk, actor=world["leader"], text="Trả lời", at=local(2026, 5, 15, 10, 0))
    at = local(2026, 5, 21, 8, 0)  # past late's answer_by (20/05 16:00) and answered's publish_by (19/05 10:00)
    assert petition_flag(at=at) == 2
    assert petition_flag(at=at) == 0
    flagged = dict(Petition.objects.values_list("pk", "overdue_flagged_at"))
    assert flagged == {late.pk: at, answered.pk: at, in_time.pk: None}
    events = PetitionEvent.objects.filter(action="flag_overdue")
    assert sorted(events.values_list("petition_id", "at")) == sorted(
        [(late.pk, local(2026, 5, 20, 16, 0)), (answered.pk, local(2026, 5, 19, 10, 0))]
    )
    assert not events.filter(is_public=True).exists()


def test_cannot_follow_a_petition_when_the_key_is_wrong(petition):
    p = petition()
    assert petition_for_citizen(code=p.code, key=p.key.lower()) == p
    assert petition_for_citizen(code=p.code, key="WRONGKEY") is None
    assert petition_for_citizen(code="PAKN-000000-0000", key=p.key) is None
