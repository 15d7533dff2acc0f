"""The late table: late dossiers per unit at fault under 766 §2.1, open ones judged at the period's end."""

from itertools import count

import pytest
import time_machine

from dossiers.kpi.snapshots import late_by_responsible_unit
from dossiers.models import Dossier, Status
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory, UnitFactory

pytestmark = pytest.mark.django_db
START, END = local(2026, 3, 1, 0, 0), local(2026, 4, 1, 0, 0)
numbers = count()


def make(lead, *, due, finished=None, tl766="", late_unit=None):
    procedure = ProcedureFactory(national_code=f"9.99{next(numbers)}")
    return Dossier.objects.create(
        code=f"LATE-{next(numbers)}", lookup_key="K", procedure=procedure, receiving_unit=lead, lead_unit=lead,
        current_unit=lead, applicant_name="A", applicant_id_number="001", applicant_phone="0900000000",
        status=Status.RETURNED if finished else Status.PROCESSING, received_at=local(2026, 2, 20, 9, 0),
        due_at=due, due_at_original=due, finished_at=finished, timeliness_766=tl766, late_unit=late_unit,
    )  # fmt: skip


def test_does_count_late_dossiers_per_unit_at_fault_at_the_period_end_when_asked_later():
    lead, at_fault, other = (UnitFactory(code=f"LATE.U{i}") for i in range(3))
    march = local(2026, 3, 10, 9, 0)
    make(lead, due=march, finished=local(2026, 3, 12, 9, 0), tl766="late")  # finished late in March
    make(lead, due=march, finished=local(2026, 3, 12, 9, 0), tl766="late", late_unit=at_fault)
    make(lead, due=march, finished=local(2026, 3, 9, 9, 0), tl766="on_time")
    make(lead, due=local(2026, 2, 25, 9, 0), finished=local(2026, 2, 27, 9, 0), tl766="late")  # February
    make(lead, due=march)  # open and past its appointment at 31/03
    make(lead, due=march, late_unit=at_fault)
    make(lead, due=local(2026, 4, 15, 9, 0))  # open: in time at 31/03, late by 20/04 (not counted)
    make(other, due=march)
    with time_machine.travel(local(2026, 4, 20, 9, 0), tick=False):
        got = late_by_responsible_unit(start=START, end=END, unit_ids=[lead.pk, at_fault.pk])
    assert got == {
        lead.pk: {"finished_late": 1, "open_overdue": 1},
        at_fault.pk: {"finished_late": 1, "open_overdue": 1},
    }
    assert late_by_responsible_unit(start=START, end=END, unit_ids=[]) == {}
    assert late_by_responsible_unit(start=START, end=END)[other.pk] == {"finished_late": 0, "open_overdue": 1}
