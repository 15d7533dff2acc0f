"""Demo dossiers: every status, coherent trails, made once (dossiers.demo.dossiers)."""

from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from dossiers.demo.dossiers import DEMO_NOTE, demo_dossiers_seed
from dossiers.demo.seed import demo_catalogue_seed, demo_staff_seed, demo_units_seed
from dossiers.models import Dossier, DossierEvent, Status
from dossiers.services.calendar_days import calendar_seed_holidays

COUNT = 60


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """What `seed_demo --dossiers 60` does, once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_units_seed()
        calendar_seed_holidays(years=range(2024, 2031))
        demo_catalogue_seed()
        demo_staff_seed(password="motcua-demo-2026")
        yield demo_dossiers_seed(count=COUNT)
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_does_create_every_status_when_seeding_sixty(demo):
    assert demo["created"] == COUNT
    statuses = Counter(Dossier.objects.filter(note=DEMO_NOTE).values_list("status", flat=True))
    assert set(statuses) == set(Status)
    assert statuses[Status.RETURNED] == max(statuses.values())


def test_does_keep_every_trail_in_order_when_back_dated(demo):
    trails: dict[int, list] = {}
    for dossier_id, action, at in DossierEvent.objects.order_by("dossier", "id").values_list(
        "dossier", "action", "effective_at"
    ):
        trails.setdefault(dossier_id, []).append((action, at))
    assert len(trails) == COUNT
    now = timezone.now()
    for trail in trails.values():
        times = [at for _action, at in trail]
        assert trail[0][0] == "submit"
        assert times == sorted(times) and times[-1] <= now


def test_does_spread_dossiers_over_months_and_centres_when_seeding(demo):
    dossiers = Dossier.objects.filter(note=DEMO_NOTE)
    first = min(d.submitted_at for d in dossiers)
    assert (timezone.now() - first).days > 60
    assert dossiers.values("receiving_unit").distinct().count() >= 3
    assert dossiers.filter(receiving_unit__level="commune").exists()
    assert dossiers.filter(channel="online", status=Status.SUBMITTED).exists()


def test_does_set_timeliness_when_returned(demo):
    returned = Dossier.objects.filter(status=Status.RETURNED)
    assert returned.exists() and not returned.filter(timeliness="").exists()
    assert returned.filter(timeliness="late").exists()
    assert not returned.filter(returned_at=None).exists()


def test_does_issue_unique_well_formed_codes_when_seeding(demo):
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == COUNT
    assert all(code.count("-") == 2 and len(code.rsplit("-", 1)[1]) == 4 for code in codes)


def test_cannot_duplicate_when_seeded_again(demo):
    events = DossierEvent.objects.count()
    again = demo_dossiers_seed(count=COUNT)
    assert again["created"] == 0
    assert Dossier.objects.count() == COUNT and DossierEvent.objects.count() == events


def test_cannot_notify_invented_applicants_when_demo_dossiers_are_seeded(demo):
    from dossiers.models import OutboxMessage
    from dossiers.services.notify import outbox_deliver, outbox_pending_ids

    held = OutboxMessage.objects.filter(dossier__note=DEMO_NOTE)
    assert held.exists() and not held.filter(sent_at__isnull=False).exists()
    assert outbox_pending_ids() == [] and outbox_deliver(message_id=held.first().pk) is False
