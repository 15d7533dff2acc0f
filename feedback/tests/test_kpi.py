"""The feedback figures the satisfaction KPI reads (portal.kpis, Decision 766 group 5)."""

from datetime import date

import pytest
import time_machine

from dossiers.tests.fixtures import local
from feedback.kpi import complaints, satisfaction_by_unit
from feedback.services.petitions import petition_reject
from feedback.services.ratings import rating_submit

pytestmark = pytest.mark.django_db


def test_does_count_each_dossier_once_when_it_has_a_bad_rating_and_a_petition(finish, petition, world):
    unhappy, happy, refused = finish(), finish(), finish()
    with time_machine.travel(local(2026, 5, 6, 9, 0), tick=False):
        rating_submit(dossier=unhappy, satisfied=False, source="lookup")
        rating_submit(dossier=happy, satisfied=True, source="lookup")
    petition(unit_code="", dossier_code=unhappy.code, dossier_key=unhappy.lookup_key, at=local(2026, 5, 7, 9, 0))
    rejected = petition(
        unit_code="", dossier_code=refused.code, dossier_key=refused.lookup_key, at=local(2026, 5, 7, 9, 0)
    )
    petition_reject(petition_id=rejected.pk, actor=world["leader"], text="Không thuộc thẩm quyền")
    period = {"start": date(2026, 5, 1), "end": date(2026, 5, 31)}
    assert complaints(unit_ids=None, group_by="unit", **period) == {world["agency"].pk: {"complained": 1}}
    by_day = satisfaction_by_unit(unit_ids=None, group_by="day", **period)
    assert by_day == {date(2026, 5, 6): {"complained": 1}, date(2026, 5, 7): {"complained": 1}}
    assert complaints(unit_ids=[world["other_agency"].pk], group_by="unit", **period) == {}
