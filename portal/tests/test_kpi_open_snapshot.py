"""The open dossiers' per-minute snapshot (`dossiers.kpi.snapshots.open_snapshot_take`, beat): the
current period's dashboard reads it while it is fresh, and reads the open dossiers otherwise."""

from datetime import date, timedelta

import pytest
import time_machine

from dossiers.kpi.snapshots import open_dossier_figures
from dossiers.models import KpiOpenSnapshot
from dossiers.tasks import kpi_open_snapshot_task
from dossiers.tests.factories import UnitFactory
from dossiers.tests.fixtures import local
from portal import kpis

pytestmark = pytest.mark.django_db
TAKEN = local(2026, 3, 20, 12, 0, 20)
MARCH_END = date(2026, 3, 31)


@pytest.fixture
def snapshot(history, receive, settings):
    """The snapshot taken at TAKEN (one open dossier then), then a second dossier received 10 s later;
    "at_taken": the figures read from the dossiers at TAKEN, for the world's agency and for all."""
    settings.PORTAL_KPI_SNAPSHOT_SECONDS = 0  # no cache: what the page computes each time
    with time_machine.travel(TAKEN, tick=False):
        assert kpi_open_snapshot_task() >= 1
        at_taken = {
            "all": open_dossier_figures(moment=TAKEN, backlog_at=TAKEN),
            "agency": open_dossier_figures(moment=TAKEN, backlog_at=TAKEN, unit_ids=[history["agency"].pk]),
        }
    with time_machine.travel(TAKEN + timedelta(seconds=10), tick=False):
        receive()
    return {**history, "at_taken": at_taken}


def shown(seconds_after: int, *, end: date = MARCH_END, unit_ids=None) -> dict:
    with time_machine.travel(TAKEN + timedelta(seconds=seconds_after), tick=False):
        return kpis.open_figures(unit_ids=unit_ids, end=end)


def open_count(figures: dict) -> int:
    return sum(n for n, _late, _waiting in figures["by_unit"].values())


def test_does_show_the_snapshots_figures_while_it_is_fresh(snapshot):
    figures = shown(30)
    assert (
        figures == snapshot["at_taken"]["all"] and open_count(figures) == 1
    )  # the dossier received since is not in it


def test_does_read_the_open_dossiers_when_the_snapshot_is_older_than_the_limit(snapshot):
    moment = TAKEN + timedelta(seconds=kpis.OPEN_SNAPSHOT_MAX_AGE + 1)
    figures = shown(kpis.OPEN_SNAPSHOT_MAX_AGE + 1)
    assert figures == open_dossier_figures(moment=moment, backlog_at=moment) and open_count(figures) == 2


def test_does_read_the_open_dossiers_when_beat_has_taken_no_snapshot(history, receive, settings):
    settings.PORTAL_KPI_SNAPSHOT_SECONDS = 0
    assert not KpiOpenSnapshot.objects.exists()
    assert open_count(shown(30)) == 1


def test_does_not_use_the_snapshot_for_a_past_period(snapshot):
    figures = shown(30, end=date(2026, 3, 15))
    moment, now = local(2026, 3, 16, 0, 0), TAKEN + timedelta(seconds=30)
    assert figures == open_dossier_figures(moment=moment, backlog_at=now)
    assert sum(sum(ages) for ages in figures["backlog"].values()) == 2  # the backlog is judged now


def test_does_give_a_scope_only_its_own_units_rows_when_the_snapshot_is_read(snapshot):
    agency, other = snapshot["agency"], UnitFactory(code="SNAP.OTHER")
    assert (
        shown(30, unit_ids=[agency.pk]) == snapshot["at_taken"]["agency"] != {"by_unit": {}, "late": {}, "backlog": {}}
    )
    assert shown(30, unit_ids=[other.pk]) == {"by_unit": {}, "late": {}, "backlog": {}}


def test_cannot_use_a_snapshot_taken_after_the_moment_asked(snapshot):
    figures = shown(-60)  # a clock set back: the snapshot says nothing about a minute before it
    moment = TAKEN - timedelta(seconds=60)
    assert figures == open_dossier_figures(moment=moment, backlog_at=moment)


def test_does_keep_one_snapshot_replaced_in_place_when_beat_runs_again(snapshot):
    with time_machine.travel(TAKEN + timedelta(seconds=60), tick=False):
        kpi_open_snapshot_task()
    kept = KpiOpenSnapshot.objects.get()
    assert kept.taken_at == TAKEN + timedelta(seconds=60) and open_count(shown(70)) == 2
