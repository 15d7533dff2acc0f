"""The dossier lifecycle through its services: statuses, steps, clock and trail."""

import re

import pytest
import time_machine

from dossiers.errors import Forbidden, InvalidInput, InvalidTransition, StaleVersion
from dossiers.models import ClockEntry, Dossier, DossierEvent, OutboxMessage, Status
from dossiers.services import intake, routing
from dossiers.services.routing import dossier_transition
from dossiers.services.timing import AT_BEFORE_PREVIOUS, AT_IN_FUTURE
from dossiers.tests.conftest import local

pytestmark = pytest.mark.django_db


def act(dossier, action, user, **kwargs):
    return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, **kwargs)


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_issue_code_key_and_appointment_when_received_at_the_counter(world, receive):
    dossier = receive()
    assert re.fullmatch(r"000\.00\.01\.H56-260309-0001", dossier.code)
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{8}", dossier.lookup_key)
    assert dossier.status == Status.RECEIVED
    # 10 working days from Mon 09/03/2026 10:00 → Mon 23/03/2026 10:00.
    assert dossier.due_at == local(2026, 3, 23, 10, 0) == dossier.due_at_original
    assert dossier.lead_unit == world["agency"] and dossier.current_unit == world["centre"]
    assert list(dossier.events.values_list("action", flat=True)) == ["submit", "receive"]


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_number_codes_per_unit_and_day_when_several_are_received(world, receive):
    codes = [receive().code for _ in range(3)] + [
        receive(receiving_unit=world["other_centre"], actor=world["other_clerk"]).code
    ]
    assert [c[-4:] for c in codes] == ["0001", "0002", "0003", "0001"]


def test_cannot_receive_when_a_mandatory_document_is_missing(world, receive):
    handed = [intake.HandedDocument("Tờ khai", "original", 1, world["procedure"].documents.first().pk)]
    with pytest.raises(InvalidInput) as exc:
        receive(documents=handed)
    assert exc.value.message == intake.INCOMPLETE and "Bản chụp CCCD" in exc.value.fields["documents"]
    assert Dossier.objects.count() == 0


def test_cannot_receive_when_the_clerk_belongs_to_another_centre(world, receive):
    with pytest.raises(InvalidInput) as exc:
        receive(actor=world["other_clerk"])
    assert exc.value.message == intake.NOT_CLERK
    assert Dossier.objects.count() == 0


def test_does_route_along_the_template_to_the_returned_result(world, receive):
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        dossier = receive()
        dossier = act(dossier, "transfer", world["clerk"])
    assert dossier.current_unit == world["agency"] and dossier.status == Status.PROCESSING
    with time_machine.travel(local(2026, 5, 5, 9, 0), tick=False):
        dossier = act(dossier, "transfer", world["specialist"])
        dossier = act(dossier, "complete", world["leader"])
    assert dossier.status == Status.DONE and dossier.current_unit == world["centre"]
    with time_machine.travel(local(2026, 5, 5, 10, 0), tick=False):
        dossier = act(dossier, "return_result", world["clerk"])
    assert dossier.status == Status.RETURNED and dossier.timeliness == "early"
    steps = list(dossier.steps.values_list("name", "timeliness"))
    assert steps == [
        ("Tiếp nhận", "on_time"),
        ("Thẩm định", "early"),
        ("Ký duyệt", "early"),
        ("Trả kết quả", "on_time"),
    ]
    assert [e.to_status for e in dossier.events.all()] == [1, 2, 4, 4, 9, 10]


def test_does_pause_the_clock_when_a_supplement_is_requested(world, receive):
    """Worked example 3 of domain.md, through the ledger."""
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        dossier = act(receive(), "transfer", world["clerk"])
    with time_machine.travel(local(2026, 5, 7, 8, 0), tick=False):
        dossier = act(dossier, "request_supplement", world["specialist"], reason="Thiếu bản sao CCCD")
    assert dossier.status == Status.SUPPLEMENT and dossier.due_at is None
    with time_machine.travel(local(2026, 5, 12, 14, 0), tick=False):
        dossier = act(dossier, "supplement_received", world["clerk"])
    assert dossier.due_at == local(2026, 5, 21, 14, 0)
    assert dossier.due_at_original == local(2026, 5, 18, 8, 0)
    assert dossier.waiting_seconds == 28 * 3600 and dossier.supplement_count == 1
    kinds = list(dossier.clock.values_list("kind", flat=True))
    assert kinds == [ClockEntry.Kind.START, ClockEntry.Kind.PAUSE, ClockEntry.Kind.RESUME]


def test_does_restart_the_clock_when_the_procedure_resets_on_supplement(world, receive):
    world["procedure"].supplement_resets_clock = True
    world["procedure"].save()
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        dossier = act(receive(), "transfer", world["clerk"])
    with time_machine.travel(local(2026, 5, 7, 8, 0), tick=False):
        dossier = act(dossier, "request_supplement", world["specialist"], reason="Thiếu giấy tờ")
    with time_machine.travel(local(2026, 5, 12, 14, 0), tick=False):
        dossier = act(dossier, "supplement_received", world["clerk"])
    # A full 10 working days again from Tue 12/05 14:00.
    assert dossier.due_at == local(2026, 5, 26, 14, 0)


def test_cannot_move_when_the_transition_is_not_in_the_table(world, receive):
    dossier = receive()
    with pytest.raises(InvalidTransition):
        act(dossier, "complete", world["leader"])
    with pytest.raises(InvalidTransition):
        act(dossier, "return_result", world["clerk"])
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_cannot_leave_a_terminal_status(world, receive):
    dossier = act(receive(), "withdraw", world["clerk"], reason="Công dân xin rút")
    for action in ("transfer", "withdraw", "refuse", "stop", "complete"):
        with pytest.raises(InvalidTransition):
            act(dossier, action, world["leader"], reason="x")


def test_cannot_act_when_the_officer_is_of_another_unit_or_role(world, receive):
    dossier = act(receive(), "transfer", world["clerk"])
    with pytest.raises(Forbidden):
        act(dossier, "complete", world["outsider"])
    with pytest.raises(Forbidden):
        act(dossier, "stop", world["specialist"], reason="x")
    with pytest.raises(Forbidden):
        act(dossier, "transfer", world["supervisor"])


def test_cannot_refuse_when_no_reason_is_given(world, receive):
    dossier = receive(channel="online", submit_only=True)
    with pytest.raises(InvalidInput) as exc:
        act(dossier, "refuse", world["clerk"], reason="  ")
    assert exc.value.message == routing.REASON_REQUIRED


def test_does_record_back_dated_actions_with_both_times(world, receive):
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        dossier = receive()
    with time_machine.travel(local(2026, 5, 5, 16, 0), tick=False):
        dossier = act(dossier, "transfer", world["clerk"], at=local(2026, 5, 4, 9, 30))
    event = dossier.events.get(action="transfer")
    assert event.effective_at == local(2026, 5, 4, 9, 30) and event.recorded_at == local(2026, 5, 5, 16, 0)


def test_cannot_back_date_into_the_future_or_before_the_previous_event(world, receive):
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        dossier = receive()
    with time_machine.travel(local(2026, 5, 5, 8, 0), tick=False):
        with pytest.raises(InvalidInput) as future:
            act(dossier, "transfer", world["clerk"], at=local(2026, 5, 5, 9, 0))
        with pytest.raises(InvalidInput) as before:
            act(dossier, "transfer", world["clerk"], at=local(2026, 5, 4, 7, 0))
    assert future.value.message == AT_IN_FUTURE and before.value.message == AT_BEFORE_PREVIOUS
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_cannot_act_when_the_version_is_stale(world, receive):
    dossier = receive()
    read_version = dossier.version
    act(dossier, "transfer", world["clerk"])
    with pytest.raises(StaleVersion):
        act(dossier, "request_supplement", world["specialist"], reason="x", version=read_version)


def test_does_mark_late_when_the_result_comes_after_the_appointment(world, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = act(receive(), "transfer", world["clerk"])
    with time_machine.travel(local(2026, 3, 24, 8, 0), tick=False):
        dossier = act(act(dossier, "transfer", world["specialist"]), "complete", world["leader"])
    assert dossier.timeliness == "late"


def test_does_accept_or_refuse_online_submissions(world, receive):
    online = receive(channel="online", submit_only=True)
    assert online.status == Status.SUBMITTED and online.due_at is None
    accepted = act(online, "accept", world["clerk"])
    assert accepted.status == Status.RECEIVED and accepted.due_at is not None
    refused = act(
        receive(channel="online", submit_only=True), "refuse", world["clerk"], reason="Không thuộc thẩm quyền"
    )
    assert refused.status == Status.REFUSED
    assert refused.events.last().reason == "Không thuộc thẩm quyền"


def test_does_route_to_another_agency_when_transferred_outside_the_template(world, receive):
    dossier = act(receive(), "transfer", world["clerk"])
    dossier = act(dossier, "transfer", world["specialist"], to_unit=world["other_agency"])
    assert dossier.current_unit == world["other_agency"]
    adhoc = dossier.steps.get(is_adhoc=True)
    assert adhoc.unit == world["other_agency"] and adhoc.started_at is not None


def test_cannot_edit_or_delete_the_trail(world, receive):
    event = receive().events.first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        DossierEvent.objects.all().delete()


def test_does_write_notifications_in_the_same_transaction(world, receive):
    dossier = receive()
    assert set(OutboxMessage.objects.filter(dossier=dossier).values_list("channel", flat=True)) == {"sms", "email"}
    body = OutboxMessage.objects.get(dossier=dossier, channel="sms").body
    assert dossier.code in body and dossier.lookup_key in body


def test_does_keep_the_list_of_missing_documents_when_a_supplement_is_requested(world, receive):
    dossier = act(receive(), "transfer", world["clerk"])
    dossier = act(
        dossier,
        "request_supplement",
        world["specialist"],
        reason="Hồ sơ thiếu",
        documents=["Bản sao giấy khai sinh", "  ", "Xác nhận cư trú"],
    )
    event = dossier.events.get(action="request_supplement")
    assert event.data["documents"] == ["Bản sao giấy khai sinh", "Xác nhận cư trú"]


def test_does_name_the_officer_who_handled_each_step(world, receive):
    dossier = act(act(receive(), "transfer", world["clerk"]), "transfer", world["specialist"])
    handled = dossier.steps.get(name="Thẩm định")
    assert handled.receiver == handled.giver == world["specialist"]


def test_cannot_count_late_when_stopped_while_waiting_for_the_citizen(world, receive):
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        dossier = act(receive(), "transfer", world["clerk"])
    with time_machine.travel(local(2026, 5, 5, 8, 0), tick=False):
        dossier = act(dossier, "request_supplement", world["specialist"], reason="Thiếu giấy tờ")
    with time_machine.travel(local(2026, 6, 30, 8, 0), tick=False):  # the citizen never came back
        dossier = act(dossier, "stop", world["leader"], reason="Công dân không bổ sung")
    # 8 of 80 hours used before the wait; the wait is not counted, so it is well within time.
    assert dossier.status == Status.STOPPED and dossier.timeliness == "early"
    assert dossier.paused_at is None and dossier.due_at is not None


def test_cannot_transfer_into_the_return_step_without_a_result(world, receive):
    dossier = act(act(receive(), "transfer", world["clerk"]), "transfer", world["specialist"])
    with pytest.raises(InvalidInput) as exc:
        act(dossier, "transfer", world["leader"])  # the next step is handing the result back
    assert exc.value.message == routing.NO_NEXT_STEP
    done = act(dossier, "complete", world["leader"])
    assert done.status == Status.DONE and done.current_unit == world["centre"]
