"""KPI facts: the 766 rules on real lifecycles, and incremental refresh = full rebuild."""

from datetime import datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers.kpi.facts import kpi_facts_rebuild, kpi_facts_refresh
from dossiers.kpi.rollup import week_of
from dossiers.kpi.sql import COLUMNS
from dossiers.models import Apology, Attachment, Dossier, KpiFact, KpiRollup, KpiWatermark, Status
from dossiers.services.routing import dossier_transition
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = 8 * 3600


def facts(**filters) -> dict:
    rows = KpiFact.objects.filter(**filters).order_by("unit_id", "procedure_id", "day")
    return {(r.unit_id, r.procedure_id, r.day): tuple(getattr(r, c) for c in COLUMNS) for r in rows}


def rollups() -> dict:
    rows = KpiRollup.objects.order_by("grain", "unit_id", "start")
    return {(r.grain, r.unit_id, r.start): tuple(getattr(r, c) for c in COLUMNS) for r in rows}


def rollups_from_facts() -> dict:
    """The roll-ups recomputed in Python from the facts: what `KpiRollup` must hold."""
    out: dict = {}
    for (unit, _procedure, day), values in facts().items():
        for grain, start in (("d", day), ("w", week_of(day)), ("m", day.replace(day=1))):
            old = out.get((grain, unit), {}).get(start, (0,) * len(COLUMNS))
            out.setdefault((grain, unit), {})[start] = tuple(a + b for a, b in zip(old, values, strict=True))
    return {(g, u, s): v for (g, u), by_start in out.items() for s, v in by_start.items()}


def fact(world, day) -> KpiFact:
    return KpiFact.objects.get(unit=world["agency"], procedure=world["procedure"], day=day)


def act(world, dossier, action, who, at):
    with time_machine.travel(at, tick=False):
        return dossier_transition(dossier_id=dossier.pk, action=action, actor=world[who], reason="Lý do")


def finish(world, dossier, at):
    """The result at the procedure's last step: the leader's approval (Ký duyệt)."""
    act(world, dossier, "transfer", "specialist", at)
    return act(world, dossier, "complete", "leader", at)


@pytest.fixture
def received(world, receive):
    """Received Mon 09/03/2026 10:00 (10 working days: due 23/03 10:00), then at the agency."""
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()
    return act(world, dossier, "transfer", "clerk", local(2026, 3, 9, 10, 0))


def test_does_count_early_finish_with_its_working_time_when_finished_before_the_appointment(world, received):
    finish(world, received, local(2026, 3, 13, 10, 0))
    kpi_facts_rebuild()
    assert fact(world, local(2026, 3, 9).date()).received_counter == 1
    done = fact(world, local(2026, 3, 13).date())
    assert (done.finished, done.finished_early, done.finished_on_time, done.finished_late) == (1, 1, 0, 0)
    assert done.processing_seconds == 4 * DAY
    assert done.late_without_apology == 0


def test_does_count_late_when_supplement_was_requested_twice(world, received):
    for day in (10, 11):
        act(world, received, "request_supplement", "specialist", local(2026, 3, day, 9, 0))
        act(world, received, "supplement_received", "specialist", local(2026, 3, day, 10, 0))
    finish(world, received, local(2026, 3, 13, 10, 0))
    assert Dossier.objects.get(pk=received.pk).timeliness == "early"
    kpi_facts_rebuild()
    done = fact(world, local(2026, 3, 13).date())
    assert (done.finished_early, done.finished_on_time, done.finished_late, done.late_without_apology) == (0, 0, 1, 1)


def test_does_subtract_waiting_time_when_the_citizen_was_asked_for_a_supplement(world, received):
    act(world, received, "request_supplement", "specialist", local(2026, 3, 10, 10, 0))
    act(world, received, "supplement_received", "specialist", local(2026, 3, 12, 10, 0))
    finish(world, received, local(2026, 3, 16, 10, 0))
    kpi_facts_rebuild()
    assert fact(world, local(2026, 3, 16).date()).processing_seconds == 3 * DAY  # 5 days run, 2 waited


def test_does_not_change_anything_when_run_twice(world, received):
    finish(world, received, local(2026, 3, 13, 10, 0))
    kpi_facts_rebuild()
    before = facts()
    assert kpi_facts_refresh(overlap=timedelta(days=3650))["pairs"] == 1
    assert facts() == before  # the refresh over the same dossiers, not only the rebuild after it
    kpi_facts_rebuild()
    assert facts() == before


# -- incremental = full over random histories -------------------------------------------------

BASE = datetime(2026, 3, 2, 8, 0, tzinfo=local(2026, 1, 1).tzinfo)
new_op = st.tuples(st.just("new"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 20), st.integers(0, 23))
other_op = st.tuples(
    st.sampled_from(["finish", "scan", "result", "apology"]), st.integers(0, 40), st.integers(0, 15), st.integers(0, 3)
)
histories = st.lists(st.lists(st.one_of(new_op, other_op), max_size=6), min_size=1, max_size=6)


def _new(world, op, n, at):
    _, u, p, day, hour = op
    received = BASE + timedelta(days=day, hours=hour)
    return Dossier.objects.create(
        code=f"KPI-{n}",
        lookup_key="K",
        procedure=world["procs"][p],
        receiving_unit=world["units"][u],
        lead_unit=world["units"][u],
        current_unit=world["units"][u],
        applicant_name="Nguyễn Văn A",
        applicant_id_number="001",
        applicant_phone="0900000000",
        channel=("counter", "online", "postal")[(day + hour) % 3],
        status=Status.PROCESSING,
        received_at=received,
        due_at_original=received + timedelta(days=5),
        waiting_seconds=(hour % 3) * 3600,
    )


def _finish(dossier, op):
    _, _, days, extra = op
    dossier.status = (Status.RETURNED, Status.DONE, Status.WITHDRAWN, Status.STOPPED)[extra]
    dossier.finished_at = dossier.received_at + timedelta(days=days, hours=extra * 5)
    dossier.timeliness = ("early", "on_time", "late", "on_time")[(days + extra) % 4]
    dossier.supplement_count = extra % 3
    dossier.save()


def _file(dossier, kind, at):
    Attachment.objects.create(
        dossier=dossier, kind=kind, file="x.pdf", original_name="x.pdf", content_type="application/pdf",
        size=1, sha256="0" * 64, uploaded_at=at,
    )  # fmt: skip


def _apology(world, dossier, op, at):
    due, issued = dossier.due_at_original, at - timedelta(days=op[2])
    Apology.objects.create(
        dossier=dossier, unit=dossier.lead_unit, status="signed", reason="Trễ", original_due_at=due,
        new_due_at=due + timedelta(days=3), drafted_by=world["user"], drafted_at=at, issued_at=issued,
    )  # fmt: skip
    dossier.save()  # signing touches the dossier (apology_sign)


def _apply(world, op, made, at):
    if op[0] == "new":
        made.append(_new(world, op, len(made), at))
        return
    if not made:
        return
    dossier = made[op[1] % len(made)]
    dossier.refresh_from_db()
    if op[0] == "finish" and dossier.finished_at is None:
        _finish(dossier, op)
    elif op[0] in ("scan", "result"):
        _file(dossier, op[0], at)
    elif op[0] == "apology":
        _apology(world, dossier, op, at)


@pytest.fixture
def small_world(db):
    units = [UnitFactory(code=f"KPI.U{i}") for i in range(3)]
    procs = [ProcedureFactory(national_code=f"9.99{i}", committed_processing_time=i) for i in range(2)]
    return {"units": units, "procs": procs, "user": UserFactory(username="kpi")}


def _reset():
    for model in (Apology, Attachment, Dossier, KpiFact, KpiRollup, KpiWatermark):
        model.objects.all().delete()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_does_build_identical_facts_when_refreshed_incrementally_in_random_batches(small_world, history):
    _reset()
    made: list[Dossier] = []
    for i, batch in enumerate(history):
        at = BASE + timedelta(days=30, minutes=i)
        with time_machine.travel(at, tick=False):
            for op in batch:
                _apply(small_world, op, made, at)
        kpi_facts_refresh(now=at + timedelta(seconds=30), overlap=timedelta(0))
        assert rollups() == rollups_from_facts()
    incremental, incremental_rollups = facts(), rollups()
    kpi_facts_rebuild()
    assert incremental == facts()
    assert incremental_rollups == rollups() == rollups_from_facts()


def _all_visible_pages(table: str) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible, relpages FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("task", ["rebuild", "refresh after a calendar change"])
def test_does_leave_the_facts_and_roll_ups_vacuumed_after_a_full_rebuild(world, received, task):
    from dossiers import tasks

    KpiWatermark.objects.all().delete()  # the refresh then rebuilds, as after a calendar change
    done = tasks.kpi_facts_rebuild_task() if task == "rebuild" else tasks.kpi_facts_refresh_task()
    assert done
    for model in (KpiFact, KpiRollup):
        visible, pages = _all_visible_pages(model._meta.db_table)
        assert pages > 0 and visible == pages  # index-only reads need no heap fetch


@pytest.mark.postgres
@pytest.mark.django_db
def test_does_not_vacuum_inside_a_transaction(world, received):
    from dossiers.kpi.facts import kpi_tables_vacuum

    kpi_facts_rebuild()
    assert kpi_tables_vacuum() is False  # VACUUM cannot run in one; nothing was tried
    assert _all_visible_pages(KpiRollup._meta.db_table)[0] == 0
