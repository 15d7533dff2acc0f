"""766 §1.4 in the score: the dossier changes the national portal acknowledged ÷ the changes, from the
outbox, by lead unit, procedure, field or day, and "no data" while sync is off."""

from datetime import date
from decimal import Decimal

import pytest

from dossiers.kpi.facts import kpi_facts_rebuild
from dossiers.models import Procedure
from dossiers.tests.factories import ProcedureFactory
from dossiers.tests.fixtures import local
from integrations.models import SyncMessage, SyncStatus
from integrations.national.outbox import sync_messages_send
from integrations.national.rates import sync_figures
from portal import kpis

pytestmark = pytest.mark.django_db
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.fixture
def march(world, receive, national):
    """At the provincial centre: two dossiers of the agency's procedure (one transferred on 04/03)
    and a commune-level one decided by the commune, all in March; one more on 01/04 00:30."""
    from dossiers.services.routing import dossier_transition

    birth = ProcedureFactory(
        national_code="1.001612", level=Procedure.Level.COMMUNE, lead_agency=None, legal_processing_time=Decimal(2)
    )
    agency = [receive(received_at=local(2026, 3, day, 9, 0)) for day in (2, 3)]
    dossier_transition(dossier_id=agency[0].pk, action="transfer", actor=world["clerk"], at=local(2026, 3, 4, 9, 0))
    commune = receive(procedure=birth, competent_unit=world["other_centre"], received_at=local(2026, 3, 31, 23, 30))
    receive(received_at=local(2026, 4, 1, 0, 30))
    return {"agency": agency, "commune": commune, "birth": birth}


def test_does_count_changes_by_lead_unit_and_local_day_when_the_portal_acknowledged_some(world, march):
    # The portal acknowledged the agency's first dossier's receipt and the commune dossier's.
    SyncMessage.objects.filter(dossier__in=[march["agency"][0], march["commune"]], sequence=1).update(
        status=SyncStatus.SENT
    )
    agency, commune = world["agency"].pk, world["other_centre"].pk
    assert sync_figures(unit_ids=None, **MARCH) == {
        agency: {"changes": 3, "acknowledged": 1},  # 2 receipts + 1 transfer, received at the centre
        commune: {"changes": 1, "acknowledged": 1},  # received at the centre, decided by the commune
    }
    assert sync_figures(unit_ids=[commune], **MARCH, group_by="day") == {
        date(2026, 3, 31): {"changes": 1, "acknowledged": 1}
    }
    assert sync_figures(unit_ids=[agency], **MARCH, group_by="procedure") == {
        world["procedure"].pk: {"changes": 3, "acknowledged": 1}
    }
    assert sync_figures(unit_ids=[world["centre"].pk], **MARCH) == {}  # the centre leads none of them


def test_does_score_indicator_1_4_from_the_messages_the_partner_acknowledged_when_sync_is_on(world, march):
    assert sync_messages_send() == 5  # the loopback portal acknowledges every message…
    SyncMessage.objects.filter(dossier=march["agency"][1]).update(status=SyncStatus.PENDING)  # …but this one's
    kpi_facts_rebuild()
    summary = kpis.kpi_summary(unit_ids=None, **MARCH)
    assert (summary["figures"].sync_changes, summary["figures"].sync_acknowledged) == (4, 3)
    assert summary["sync_rate"] == 75.0
    group = summary["scores"][1]
    assert group["parts"] == {"1.1": None, "1.2": None, "1.3": None, "1.4": 75.0}
    assert (group["known"], group["missing"]) == (3.38, ["1.1", "1.2", "1.3"])  # 4,5 × 75 %
    by_unit = kpis.figures_by(unit_ids=None, **MARCH, group_by="unit")
    assert (by_unit[world["other_centre"].pk].sync_changes, by_unit[world["other_centre"].pk].sync_acknowledged) == (
        1,
        1,
    )
    by_day = kpis.figures_by(unit_ids=[world["agency"].pk], **MARCH, group_by="day")
    assert {day: (f.sync_changes, f.sync_acknowledged) for day, f in by_day.items() if f.sync_changes} == {
        date(2026, 3, 2): (1, 1),
        date(2026, 3, 3): (1, 0),
        date(2026, 3, 4): (1, 1),
    }


def test_does_date_a_change_by_its_local_day_when_it_falls_just_after_midnight(world, march):
    kpi_facts_rebuild()
    by_unit = kpis.figures_by(unit_ids=None, start=date(2026, 4, 1), end=date(2026, 4, 30), group_by="unit")
    # The 01/04 00:30 receipt is April's; the commune's dossier, still open then, changed in March: 0, not None.
    assert {unit: (f.sync_changes, f.sync_acknowledged) for unit, f in by_unit.items()} == {
        world["agency"].pk: (1, 0),
        world["other_centre"].pk: (0, 0),
    }


def test_does_say_no_data_for_1_4_when_sync_is_off(world, receive, settings):
    settings.PORTAL_NATIONAL_SYNC_URL = ""  # the default: no message is written
    receive(received_at=local(2026, 3, 2, 9, 0))
    kpi_facts_rebuild()
    summary = kpis.kpi_summary(unit_ids=None, **MARCH)
    assert summary["figures"].sync_changes is None and summary["sync_rate"] is None
    assert summary["scores"][1]["missing"] == ["1.1", "1.2", "1.3", "1.4"] and summary["scores"][1]["known"] == 0
