"""One clock (issue 14 point 3): `dossiers.clock` replays the ledger once per change and works
out the due time by law once, with no database access of its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from dossiers import clock
from dossiers.calendar import WorkCalendar
from dossiers.models import ClockEntry
from dossiers.services import clock_sync
from dossiers.services.routing import dossier_transition

from .fixtures import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch):
    """How many times the clock was read and the due time by law worked out."""
    calls = {"clock_read": 0, "due_by_law": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(clock_sync, "clock_read", counting("clock_read", clock.clock_read))
    monkeypatch.setattr(clock, "due_by_law", counting("due_by_law", clock.due_by_law))
    return calls


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_work_out_the_due_time_once_when_a_dossier_is_received(receive, counted):
    dossier = receive()
    assert counted == {"clock_read": 1, "due_by_law": 1}
    assert dossier.due_at and dossier.soon_at and dossier.late2_at and dossier.late3_at


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_work_out_the_due_time_once_when_the_clock_stops(world, receive, counted):
    dossier = receive()
    counted.update(clock_read=0, due_by_law=0)
    dossier = dossier_transition(dossier_id=dossier.pk, action="withdraw", actor=world["clerk"], reason="Công dân rút")
    # Before: once to sync, again to judge timeliness (and a third time when late).
    assert counted == {"clock_read": 1, "due_by_law": 1} and dossier.timeliness == "early"


def test_does_answer_without_the_database_when_the_ledger_is_in_memory(django_assert_num_queries):
    start = local(2026, 3, 9, 10, 0)
    entries = [
        ClockEntry(kind=ClockEntry.Kind.START, at=start, data={"amount": "2", "time_unit": "working_days"}),
        ClockEntry(kind=ClockEntry.Kind.PAUSE, at=start + timedelta(hours=1)),
        ClockEntry(kind=ClockEntry.Kind.RESUME, at=start + timedelta(days=1, hours=1)),
    ]
    legal = clock.LegalTime(Decimal(2), "working_days")
    with django_assert_num_queries(0):
        reading = clock.clock_read(entries, cal=WorkCalendar(), legal=legal, at=start + timedelta(days=2), soon_days=1)
    assert reading.due_by_law == reading.due_at == local(2026, 3, 12, 10, 0)  # two days, one waited
    assert reading.waiting_seconds == 8 * 3600 and reading.paused_at is None
    assert reading.soon_at == local(2026, 3, 11, 10, 0) and reading.late2_at < reading.late3_at
