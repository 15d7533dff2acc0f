"""The overdue watch at exact moments: level-triggered, idempotent, attributed."""

import pytest
import time_machine

from dossiers.models import Dossier, DossierEvent, WatchLevel
from dossiers.services import watch
from dossiers.services.calendar_days import calendar_day_set
from dossiers.services.routing import dossier_transition
from dossiers.services.watch import watch_flag
from dossiers.tests.conftest import local

pytestmark = pytest.mark.django_db


def flags(dossier):
    return list(
        DossierEvent.objects.filter(dossier=dossier, action__startswith="flag_").values_list("action", "effective_at")
    )


@pytest.fixture
def transferred(world, receive):
    """Received Mon 09/03/2026 10:00 (10 working days: due Mon 23/03 10:00), at the agency."""
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()
        return dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])


def test_does_flag_due_soon_exactly_two_working_days_before(transferred):
    assert transferred.soon_at == local(2026, 3, 19, 10, 0)
    assert watch_flag(at=local(2026, 3, 19, 9, 59))["flag_due_soon"] == 0
    assert watch_flag(at=local(2026, 3, 19, 10, 0))["flag_due_soon"] == 1
    event = DossierEvent.objects.get(dossier=transferred, action="flag_due_soon")
    assert event.effective_at == local(2026, 3, 19, 10, 0) and not event.is_public


def test_does_flag_overdue_only_after_the_appointment(transferred):
    assert watch_flag(at=local(2026, 3, 23, 10, 0))["flag_overdue"] == 0
    assert watch_flag(at=local(2026, 3, 23, 10, 1))["flag_overdue"] == 1
    dossier = Dossier.objects.get(pk=transferred.pk)
    assert dossier.watch_level == WatchLevel.OVERDUE
    assert dossier.late_unit.code == "000.00.02.H56"


def test_does_flag_at_closing_time_when_the_deadline_ends_at_closing(world, receive):
    with time_machine.travel(local(2026, 3, 9, 7, 30), tick=False):
        dossier = receive()  # 10 working days from the opening: due Fri 20/03 17:30
    assert dossier.due_at == local(2026, 3, 20, 17, 30)
    assert watch_flag(at=local(2026, 3, 20, 17, 30))["flag_overdue"] == 0
    assert watch_flag(at=local(2026, 3, 20, 17, 31))["flag_overdue"] == 1


def test_does_count_a_holiday_added_later_before_flagging(world, transferred):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        calendar_day_set(day=local(2026, 3, 16).date(), is_working=False, name="Nghỉ bù thử nghiệm")
        from dossiers.services.recompute import calendar_recompute_pending

        assert calendar_recompute_pending() == 1 and calendar_recompute_pending() == 0
    dossier = Dossier.objects.get(pk=transferred.pk)
    assert dossier.due_at == local(2026, 3, 24, 10, 0) and dossier.due_at_original == local(2026, 3, 23, 10, 0)
    assert watch_flag(at=local(2026, 3, 23, 10, 1))["flag_overdue"] == 0
    event = dossier.events.get(action="calendar_recompute")
    assert "Nghỉ bù thử nghiệm" in event.reason and event.data["after"].startswith("2026-03-24T10:00")


def test_does_catch_up_every_level_when_run_after_an_outage(transferred):
    counts = watch_flag(at=local(2026, 5, 20, 9, 0))  # far past 3× the legal time
    assert counts["flag_due_soon"] == counts["flag_overdue"] == counts["flag_overdue_2x"] == 1
    assert counts["flag_overdue_3x"] == 1
    dossier = Dossier.objects.get(pk=transferred.pk)
    events = dict(
        DossierEvent.objects.filter(dossier=dossier, action__startswith="flag_overdue").values_list(
            "action", "effective_at"
        )
    )
    assert events["flag_overdue"] == dossier.due_at and events["flag_overdue_2x"] == dossier.late2_at
    assert dossier.watch_level == WatchLevel.OVERDUE_3X


def test_does_change_nothing_when_run_twice(transferred):
    first = watch_flag(at=local(2026, 4, 1, 9, 0))
    events = DossierEvent.objects.count()
    second = watch_flag(at=local(2026, 4, 1, 9, 0))
    assert sum(first.values()) > 0 and sum(second.values()) == 0
    assert DossierEvent.objects.count() == events


def test_does_give_the_same_result_when_a_run_dies_midway_and_restarts(transferred, monkeypatch):
    def dies(at):
        raise SystemExit("worker killed")

    monkeypatch.setattr(watch, "_flag_steps", dies)
    with pytest.raises(SystemExit):
        watch_flag(at=local(2026, 4, 1, 9, 0))
    monkeypatch.undo()
    watch_flag(at=local(2026, 4, 1, 9, 0))
    actions = sorted(DossierEvent.objects.filter(action__startswith="flag").values_list("action", flat=True))
    assert actions == sorted(["flag_due_soon", "flag_overdue", "flag_step_overdue"])


def test_does_attribute_lateness_to_the_holder_at_the_due_time(world, transferred):
    with time_machine.travel(local(2026, 3, 24, 9, 0), tick=False):
        dossier_transition(
            dossier_id=transferred.pk, action="transfer", actor=world["specialist"], to_unit=world["other_agency"]
        )
    watch_flag(at=local(2026, 3, 25, 9, 0))  # the job ran late; the dossier has moved on since
    dossier = Dossier.objects.get(pk=transferred.pk)
    assert dossier.current_unit == world["other_agency"] and dossier.late_unit == world["agency"]


def test_cannot_flag_a_paused_dossier(world, transferred):
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        dossier_transition(
            dossier_id=transferred.pk, action="request_supplement", actor=world["specialist"], reason="Thiếu giấy tờ"
        )
    counts = watch_flag(at=local(2026, 6, 1, 9, 0))
    assert sum(counts.values()) == 0


def test_does_flag_a_late_step(world, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()  # the reception step has 2 working hours: due 12:00... 14:00 after lunch
    step = dossier.steps.get(name="Tiếp nhận")
    assert step.due_at == local(2026, 3, 9, 14, 0)
    assert watch_flag(at=local(2026, 3, 9, 14, 1))["flag_step_overdue"] == 1
    assert DossierEvent.objects.get(dossier=dossier, action="flag_step_overdue").data == {"step": "Tiếp nhận"}


def test_does_lower_the_level_when_the_appointment_moves_later(world, transferred):
    from dossiers.services.apologies import apology_issue

    watch_flag(at=local(2026, 3, 19, 11, 0))
    assert Dossier.objects.get(pk=transferred.pk).watch_level == WatchLevel.DUE_SOON
    with time_machine.travel(local(2026, 3, 19, 11, 0), tick=False):
        apology_issue(
            dossier_id=transferred.pk,
            actor=world["leader"],
            reason="Chờ ý kiến cơ quan phối hợp",
            new_due_at=local(2026, 4, 3, 10, 0),
        )
    assert Dossier.objects.get(pk=transferred.pk).watch_level == WatchLevel.NONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_does_flag_once_when_two_runs_are_concurrent(world, receive):
    from dossiers.tests.test_concurrency import run_together

    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        for _ in range(20):
            receive()
    results = run_together(2, lambda i: watch_flag(at=local(2026, 3, 24, 9, 0)))
    assert all(isinstance(r, dict) for r in results), results
    assert DossierEvent.objects.filter(action="flag_overdue").count() == 20
    assert sum(r["flag_overdue"] for r in results) == 20


def test_open_range_of_the_watch_indexes_is_the_open_statuses():
    from dossiers.models import OPEN, Status
    from dossiers.models.dossier import OPEN_RANGE

    in_range = {s for s in Status if OPEN_RANGE.check({"status": s})}
    assert in_range == set(OPEN)


@pytest.mark.postgres
def test_does_read_each_level_through_its_own_partial_index(world, transferred):
    """Each level's statement is provable from its own index predicate and from no other level's
    (a parameter bound server-side instead of a literal, say, would break that)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dossiers.tests.plans import explain as plan

    with CaptureQueriesContext(connection) as captured:
        watch_flag(at=local(2026, 3, 24, 9, 0))
    statements = [q["sql"] for q in captured.captured_queries if "UPDATE dossiers_dossier" in q["sql"]]
    assert len(statements) == len(watch.LEVELS)

    every = {f"dossier_watch{n}_idx" for n in range(1, 5)} | {"dossier_open_due_idx"}
    for level, sql in enumerate(statements, start=1):
        own = f"dossier_watch{level}_idx"
        assert {name for name in every if name in plan(sql)} == {own}, plan(sql)
        # Without it, no other open-dossier index may serve it (not even by filtering it whole).
        assert not {name for name in every if name in plan(sql, drop=own)}, plan(sql, drop=own)
