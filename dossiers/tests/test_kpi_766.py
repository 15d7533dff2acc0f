"""Decision 766 §2.1 (docs/rules-766.md): the two classifications, the open dossiers judged at the
period's end, and the SQL that judges them agreeing with the pure rule."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers.kpi.backfill import timeliness_766_backfill
from dossiers.kpi.facts import kpi_days_refresh, kpi_facts_rebuild
from dossiers.kpi.snapshots import (
    backlog_by_age,
    backlog_edges,
    late_by_responsible_unit,
    open_at,
    open_dossier_figures,
)
from dossiers.kpi.timeliness import classify, judge, ledger_wait_seconds
from dossiers.models import ClockEntry, Dossier, DossierEvent, Status
from dossiers.services.routing import dossier_transition
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory, UnitFactory
from portal import kpis

pytestmark = pytest.mark.django_db


def act(world, dossier, action, who, at):
    with time_machine.travel(at, tick=False):
        return dossier_transition(dossier_id=dossier.pk, action=action, actor=world[who], reason="Thiếu giấy tờ")


def received(world, receive, *, days: int, at: datetime) -> Dossier:
    """A dossier of a `days` working-day procedure of the world's agency, received at `at`, at the agency."""
    procedure = ProcedureFactory(
        national_code=f"7.66{days}", lead_agency=world["agency"], legal_processing_time=Decimal(days)
    )
    with time_machine.travel(at, tick=False):
        dossier = receive(procedure=procedure)
    return act(world, dossier, "transfer", "clerk", at)


# -- the two classifications, across a weekend (the worked examples of docs/rules-766.md) ----------


def test_does_judge_late_by_law_but_early_under_766_when_the_wait_spans_a_weekend(world, receive):
    # 3 working days from Wed 04/03/2026 09:00: appointment Mon 09/03 09:00. Asked for a supplement
    # Fri 06/03 16:00, supplied Mon 09/03 08:00: 2 working hours, 64 clock hours.
    d = received(world, receive, days=3, at=local(2026, 3, 4, 9, 0))
    assert d.due_at_original == local(2026, 3, 9, 9, 0)
    act(world, d, "request_supplement", "specialist", local(2026, 3, 6, 16, 0))
    d = act(world, d, "supplement_received", "specialist", local(2026, 3, 9, 8, 0))
    assert (d.due_at, d.waiting_seconds, d.waiting_clock_seconds) == (local(2026, 3, 9, 11, 0), 2 * 3600, 64 * 3600)
    d = act(world, d, "complete", "specialist", local(2026, 3, 9, 15, 0))
    # Legal: 15:00 is past the appointment moved by 2 working hours (11:00). 766: 15:00 − 64 h =
    # Fri 06/03 23:00, before the appointment's day.
    assert (d.timeliness, d.timeliness_766) == ("late", "early")


def test_does_judge_on_time_by_law_but_late_under_766_when_the_moved_appointment_crosses_a_weekend(world, receive):
    # 2 working days from Wed 04/03/2026 17:00: appointment Fri 06/03 17:00. One clock (and working)
    # hour of waiting on Thu 05/03 moves the legal appointment over the weekend to Mon 09/03 08:00.
    d = received(world, receive, days=2, at=local(2026, 3, 4, 17, 0))
    assert d.due_at_original == local(2026, 3, 6, 17, 0)
    act(world, d, "request_supplement", "specialist", local(2026, 3, 5, 10, 0))
    d = act(world, d, "supplement_received", "specialist", local(2026, 3, 5, 11, 0))
    assert d.due_at == local(2026, 3, 9, 8, 0)
    d = act(world, d, "complete", "specialist", local(2026, 3, 9, 7, 45))
    # Legal: by Mon 08:00. 766: Mon 07:45 − 1 h = 06:45, after Fri 17:00.
    assert (d.timeliness, d.timeliness_766) == ("on_time", "late")


def test_does_judge_late_under_766_when_a_supplement_was_requested_twice(world, receive):
    d = received(world, receive, days=3, at=local(2026, 3, 4, 9, 0))
    for day in (4, 5):
        act(world, d, "request_supplement", "specialist", local(2026, 3, day, 14, 0))
        d = act(world, d, "supplement_received", "specialist", local(2026, 3, day, 15, 0))
    d = act(world, d, "complete", "specialist", local(2026, 3, 5, 16, 0))
    assert (d.timeliness, d.timeliness_766, d.supplement_count) == ("early", "late", 2)
    judged = judge(d, at=local(2026, 4, 1, 0, 0))
    assert judged.too_many_supplements and judged.waited_seconds == 2 * 3600


def test_does_show_both_classifications_on_the_dossier_page_when_finished(client, world, receive):
    d = received(world, receive, days=2, at=local(2026, 3, 4, 17, 0))
    act(world, d, "request_supplement", "specialist", local(2026, 3, 5, 10, 0))
    act(world, d, "supplement_received", "specialist", local(2026, 3, 5, 11, 0))
    act(world, d, "complete", "specialist", local(2026, 3, 9, 7, 45))
    client.force_login(world["specialist"])
    html = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert "Đúng hạn" in html  # the legal classification
    assert 'id="timeliness-766"><span class="badge late">Quá hạn</span>' in html
    assert "trừ 1,0 giờ đồng hồ chờ công dân" in html


def test_does_judge_an_open_dossier_at_the_moment_asked_when_the_page_shows_it(world, receive):
    d = received(world, receive, days=3, at=local(2026, 3, 4, 9, 0))
    d = act(world, d, "request_supplement", "specialist", local(2026, 3, 6, 16, 0))
    # Still waiting on Tue 10/03 10:00: 90 clock hours waited, so it counts as Fri 06/03 16:00.
    judged = judge(d, at=local(2026, 3, 10, 10, 0))
    assert (judged.timeliness, judged.waited_seconds, judged.is_finished) == ("early", 90 * 3600, False)


def test_does_classify_by_day_and_by_second_when_given_figures():
    due = local(2026, 3, 9, 9, 0)
    assert classify(appointment=due, end=local(2026, 3, 9, 9, 0), waited_seconds=0, supplements=1) == "on_time"
    assert classify(appointment=due, end=local(2026, 3, 9, 9, 0, 1), waited_seconds=0, supplements=0) == "late"
    assert classify(appointment=due, end=local(2026, 3, 9, 10, 0), waited_seconds=3600, supplements=0) == "on_time"
    at_ten = local(2026, 3, 9, 10, 0)
    assert classify(appointment=due, end=at_ten, waited_seconds=10 * 3600, supplements=0) == "on_time"  # 00:00
    assert classify(appointment=due, end=at_ten, waited_seconds=10 * 3600 + 1, supplements=0) == "early"  # Sunday
    assert classify(appointment=None, end=due, waited_seconds=0, supplements=0) == "late"


# -- the on-time rate: processed or being processed on time (766 §2.1) -----------------------------


def _dossier(world, n, *, received_at, due, finished=None, tl766="", supplements=0) -> Dossier:
    unit = world["agency"]
    return Dossier.objects.create(
        code=f"T766-{n}", lookup_key="K", procedure=world["procedure"], receiving_unit=world["centre"],
        lead_unit=unit, current_unit=unit, applicant_name="A", applicant_id_number="1", applicant_phone="1",
        status=Status.RETURNED if finished else Status.PROCESSING, received_at=received_at, due_at=due,
        due_at_original=due, finished_at=finished, timeliness_766=tl766, supplement_count=supplements,
    )  # fmt: skip


def test_does_count_open_dossiers_within_their_appointment_on_time_when_the_period_ends(world):
    march = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    _dossier(world, 1, received_at=local(2026, 3, 2, 8, 0), due=local(2026, 3, 9, 8, 0),
             finished=local(2026, 3, 5, 8, 0), tl766="early")  # fmt: skip
    _dossier(world, 2, received_at=local(2026, 3, 2, 8, 0), due=local(2026, 3, 9, 8, 0),
             finished=local(2026, 3, 10, 8, 0), tl766="late")  # fmt: skip
    _dossier(world, 3, received_at=local(2026, 3, 20, 8, 0), due=local(2026, 4, 3, 8, 0))  # open, in time
    _dossier(world, 4, received_at=local(2026, 3, 2, 8, 0), due=local(2026, 3, 16, 8, 0))  # open, overdue
    kpi_facts_rebuild()
    with time_machine.travel(local(2026, 4, 20, 9, 0), tick=False):
        row = kpis.kpi_rows(unit_ids=None, group_by="unit", **march)[0]
        summary = kpis.kpi_summary(unit_ids=None, **march)
    assert (row["finished"], row["early"], row["late"], row["open"], row["open_overdue"]) == (2, 1, 1, 2, 1)
    assert row["open_on_time"] == 1
    assert row["on_time_rate"] == 50.0  # (1 early + 1 open in time) ÷ (2 finished + 2 open)
    assert (summary["on_time_count"], summary["on_time_denominator"]) == (2, 4)
    assert summary["scores"][2]["score"] == 10.0


def test_does_judge_a_past_period_at_its_end_not_today_when_the_dossier_is_still_open(world):
    # Received Mon 02/03, appointment Mon 16/03, still open on 20/04: in time at 06/03, late at 31/03.
    _dossier(world, 1, received_at=local(2026, 3, 2, 8, 0), due=local(2026, 3, 16, 8, 0))
    kpi_facts_rebuild()
    with time_machine.travel(local(2026, 4, 20, 9, 0), tick=False):
        week = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 2), end=date(2026, 3, 6), group_by="unit")[0]
        month = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31), group_by="unit")[0]
    assert (week["open"], week["open_overdue"], week["on_time_rate"]) == (1, 0, 100.0)
    assert (month["open"], month["open_overdue"], month["on_time_rate"]) == (1, 1, 0.0)


def test_does_count_supplements_made_by_the_period_end_when_a_second_came_after_it(world, receive):
    # 10 working days from Mon 02/03 09:00 (appointment 16/03 09:00); supplements on 03/03 and 10/03.
    d = received(world, receive, days=10, at=local(2026, 3, 2, 9, 0))
    for day in (3, 10):
        act(world, d, "request_supplement", "specialist", local(2026, 3, day, 9, 0))
        act(world, d, "supplement_received", "specialist", local(2026, 3, day, 10, 0))
    kpi_facts_rebuild()
    with time_machine.travel(local(2026, 3, 12, 9, 0), tick=False):
        week = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 2), end=date(2026, 3, 6), group_by="unit")[0]
        now = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 9), end=date(2026, 3, 12), group_by="unit")[0]
    assert (week["open"], week["open_overdue"]) == (1, 0)  # one supplement by 06/03
    assert (now["open"], now["open_overdue"]) == (1, 1)  # the second makes it late under 766


# -- the SQL agrees with the pure rule ----------------------------------------------------------

BASE = local(2026, 3, 2, 8, 0)
wait_st = st.tuples(st.integers(1, 400), st.integers(0, 300), st.booleans())  # gap, length (h), supplement
history_st = st.tuples(
    st.lists(wait_st, max_size=3),
    st.booleans(),  # last wait still open
    st.integers(24, 600),  # appointment, hours after receipt
    st.one_of(st.none(), st.integers(1, 200)),  # finished, hours after the last entry
    st.integers(-50, 1500),  # the moment judged, hours after receipt
)


def _history(world, spec):
    waits, open_last, due_h, finished_h, _t = spec
    d = _dossier(world, 0, received_at=BASE, due=BASE + timedelta(hours=due_h))
    entries, at, supplements = [ClockEntry(dossier=d, kind="start", at=BASE)], BASE, 0
    for i, (gap, length, supplement) in enumerate(waits):
        at += timedelta(hours=gap, seconds=17)
        entries.append(ClockEntry(dossier=d, kind="pause", at=at))
        if supplement:
            supplements += 1
            DossierEvent.objects.create(dossier=d, action="request_supplement", effective_at=at)
        if i == len(waits) - 1 and open_last:
            break
        at += timedelta(hours=length, minutes=7)
        entries.append(ClockEntry(dossier=d, kind="resume", at=at))
    ClockEntry.objects.bulk_create(entries)
    paused = entries[-1].at if entries[-1].kind == "pause" else None
    finished = None if paused or finished_h is None else at + timedelta(hours=finished_h)
    Dossier.objects.filter(pk=d.pk).update(
        waiting_clock_seconds=ledger_wait_seconds(entries), paused_at=paused, supplement_count=supplements,
        finished_at=finished, status=Status.RETURNED if finished else Status.PROCESSING, updated_at=finished or at,
    )  # fmt: skip
    return Dossier.objects.get(pk=d.pk), entries


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=history_st)
def test_does_judge_open_dossiers_in_sql_as_the_pure_rule_when_histories_are_random(world, spec):
    _reset()
    d, entries = _history(world, spec)
    moment = BASE + timedelta(hours=spec[4], minutes=3)
    rows = open_at(moments=[("t", moment)])
    is_open = d.received_at <= moment and (d.finished_at is None or d.finished_at > moment)
    supplements = DossierEvent.objects.filter(action="request_supplement", effective_at__lte=moment).count()
    waited = ledger_wait_seconds(entries, until=moment)
    late = classify(appointment=d.due_at_original, end=moment, waited_seconds=waited, supplements=supplements)
    assert [(r[3], r[4]) for r in rows] == ([(1, int(late == "late"))] if is_open else [])
    # The dashboard's one read agrees with open_at and the late table at the same moment.
    figures = open_dossier_figures(moment=moment, backlog_at=moment)
    assert figures["by_unit"] == {r[1]: [r[3], r[4], r[5]] for r in rows}
    open_late = {u: v["open_overdue"] for u, v in late_by_responsible_unit(start=moment, end=moment).items()}
    assert {u: n for u, n in figures["late"].items() if n} == {u: n for u, n in open_late.items() if n}
    if d.finished_at is not None:  # and the backfill's SQL judges the finish as the service does
        Dossier.objects.filter(pk=d.pk).update(timeliness_766="", waiting_clock_seconds=0)
        timeliness_766_backfill()
        d.refresh_from_db()
        assert d.waiting_clock_seconds == ledger_wait_seconds(entries)
        assert d.timeliness_766 == judge(d, at=d.finished_at).timeliness


def _reset():
    from django.db import connection

    with connection.cursor() as cursor:  # append-only tables: emptied at the table level between examples
        cursor.execute("DELETE FROM dossiers_clockentry")
        cursor.execute("DELETE FROM dossiers_dossierevent")
    Dossier.objects.all().delete()


def test_does_leave_other_units_out_when_open_dossiers_are_judged_for_a_scope(world):
    other = UnitFactory(code="T766.OTHER")
    _dossier(world, 1, received_at=local(2026, 3, 2, 8, 0), due=local(2026, 3, 16, 8, 0))
    rows = open_at(moments=[("t", local(2026, 3, 20, 0, 0))], unit_ids=[other.pk])
    assert rows == []


@pytest.mark.parametrize("at", [local(2026, 3, 20, 10, 30), local(2026, 3, 21, 9, 0), local(2026, 3, 23, 7, 59, 30)])
def test_does_put_open_dossiers_in_the_same_age_buckets_when_the_edges_are_instants(world, at):
    # Around every edge (a second before, on it, after) and at closed hours: as backlog_by_age counts them.
    kpi_days_refresh()
    closed = [local(2026, 3, 14, 10, 0), local(2026, 3, 12, 19, 0), local(2026, 3, 13, 6, 0), local(2026, 3, 13, 12, 5)]
    instants = [e + timedelta(seconds=s) for e in backlog_edges(at) if e for s in (-1, 0, 1)] + closed + [at]
    for n, received_at in enumerate([*instants, at + timedelta(minutes=5)]):
        d = _dossier(world, n, received_at=received_at, due=received_at + timedelta(days=30))
        Dossier.objects.filter(pk=d.pk).update(lead_unit=UnitFactory(code=f"T766.B{n}"))
    figures = open_dossier_figures(moment=at, backlog_at=at)
    assert figures["backlog"] == backlog_by_age(at=at)
    assert sorted(sum(figures["backlog"].values(), [])).count(1) == len(instants) + 1
