"""Deadline rules of issue 13 on received dossiers (docs/rules-workflow.md): the 15:00 cut-off,
and pauses begun after the appointment."""

from decimal import Decimal

import pytest
import time_machine

from dossiers.services.apologies import apology_issue
from dossiers.services.routing import dossier_transition
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def act(dossier, action, user, at, **kwargs):
    with time_machine.travel(at, tick=False):
        return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, reason="Lý do", **kwargs)


def received_on(receive, at, **kwargs):
    with time_machine.travel(at, tick=False):
        return receive(**kwargs)


@pytest.fixture
def same_day(world):
    return ProcedureFactory(
        national_code="2.000001", lead_agency=world["agency"], legal_processing_time=Decimal(0), same_day=True
    )


def test_does_give_the_same_day_when_a_same_day_dossier_is_received_at_1500_exactly(receive, same_day):
    dossier = received_on(receive, local(2026, 3, 9, 15, 0), procedure=same_day)
    assert dossier.due_at == local(2026, 3, 9, 17, 30)


def test_does_give_the_next_working_day_when_a_same_day_dossier_is_received_after_1500(receive, same_day):
    dossier = received_on(receive, local(2026, 3, 9, 15, 1), procedure=same_day)
    assert dossier.due_at == local(2026, 3, 10, 17, 30)
    friday = received_on(receive, local(2026, 3, 13, 15, 1), procedure=same_day)
    assert friday.due_at == local(2026, 3, 16, 17, 30)  # after the weekend


@pytest.fixture
def ten_calendar_days(world, receive):
    """10 calendar days from Mon 02/03/2026 10:00 (the day after receipt is the first): due Thu 12/03/2026 17:30."""
    procedure = ProcedureFactory(
        national_code="2.000010",
        lead_agency=world["agency"],
        legal_processing_time=Decimal(10),
        time_unit="calendar_days",
    )
    dossier = received_on(receive, local(2026, 3, 2, 10, 0), procedure=procedure)
    assert dossier.due_at == local(2026, 3, 12, 17, 30)
    return act(dossier, "transfer", world["clerk"], local(2026, 3, 2, 10, 0))


def test_cannot_move_a_calendar_day_appointment_when_the_pause_begins_after_it(world, ten_calendar_days):
    act(ten_calendar_days, "request_payment", world["specialist"], local(2026, 3, 13, 9, 0))
    dossier = act(ten_calendar_days, "payment_received", world["clerk"], local(2026, 3, 16, 9, 0))
    assert dossier.due_at == local(2026, 3, 12, 17, 30)  # was Mon 16/03 17:30 (three paused days added)
    assert dossier.due_at_original == local(2026, 3, 12, 17, 30)


def test_does_move_a_calendar_day_appointment_when_the_pause_begins_before_it(world, ten_calendar_days):
    act(ten_calendar_days, "request_payment", world["specialist"], local(2026, 3, 10, 9, 0))
    dossier = act(ten_calendar_days, "payment_received", world["clerk"], local(2026, 3, 12, 9, 0))
    assert dossier.due_at == local(2026, 3, 16, 17, 30)  # 12/03 + 2 days = Sat 14/03 → Mon 16/03


def test_cannot_move_an_apologys_new_date_when_the_pause_begins_after_it(world, receive):
    dossier = act(received_on(receive, local(2026, 3, 9, 10, 0)), "transfer", world["clerk"], local(2026, 3, 9, 10))
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        apology_issue(dossier_id=dossier.pk, actor=world["leader"], reason="Chờ", new_due_at=local(2026, 3, 24, 17, 30))
    act(dossier, "request_payment", world["specialist"], local(2026, 3, 25, 9, 0))
    dossier = act(dossier, "payment_received", world["clerk"], local(2026, 3, 26, 9, 0))
    assert dossier.due_at == local(2026, 3, 24, 17, 30)  # was Wed 25/03 17:30 (8 working hours added)
