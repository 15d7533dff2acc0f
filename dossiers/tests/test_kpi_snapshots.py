"""The late table's SQL (written to match its partial indexes) counts what the ORM query it replaced counted."""

from datetime import datetime, timedelta
from itertools import product

import pytest
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from dossiers.kpi.snapshots import late_by_responsible_unit
from dossiers.models import Dossier, Status, Timeliness, WatchLevel
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory, UnitFactory

pytestmark = pytest.mark.django_db
START, END = local(2026, 3, 1, 0, 0), local(2026, 4, 1, 0, 0)
# Decision 766 on time, as the ORM said it (dossiers.kpi.sql.ON_TIME_766 in SQL).
ON_TIME_766 = Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME], supplement_count__lte=1)


def reference(*, start: datetime, end: datetime, unit_ids=None) -> dict:
    """The ORM version before the partial indexes (commit 990140c)."""
    scope = Q() if unit_ids is None else Q(lead_unit_id__in=list(unit_ids))
    at_fault = Coalesce(F("late_unit_id"), F("lead_unit_id"))
    finished = (
        Dossier.objects.filter(scope, received_at__isnull=False, finished_at__gte=start, finished_at__lt=end)
        .exclude(ON_TIME_766)
        .values(unit=at_fault)
        .annotate(n=Count("id"))
    )
    flagged = (
        Dossier.objects.open()
        .filter(scope, watch_level__gte=WatchLevel.OVERDUE)
        .values(unit=at_fault)
        .annotate(n=Count("id"))
    )
    out: dict = {}
    for key, rows in (("finished_late", finished), ("open_overdue", flagged)):
        for row in rows:
            out.setdefault(row["unit"], {"finished_late": 0, "open_overdue": 0})[key] = row["n"]
    return out


def test_does_count_late_dossiers_per_unit_at_fault_as_the_orm_query_did():
    units = [UnitFactory(code=f"LATE.U{i}") for i in range(3)]
    procedure = ProcedureFactory(national_code="9.990")
    cases = product(
        ["early", "on_time", "late", ""],  # timeliness
        [0, 1, 2],  # supplement requests
        [None, local(2026, 2, 27, 9, 0), local(2026, 3, 10, 9, 0), END],  # finished
        [None, 1],  # late unit
        [WatchLevel.NONE, WatchLevel.OVERDUE, WatchLevel.OVERDUE_3X],
    )
    for n, (timeliness, supplements, finished, late_unit, watch) in enumerate(cases):
        lead = units[n % 3]
        status = (
            (Status.PROCESSING, Status.SUPPLEMENT, Status.SUBMITTED)[n % 3] if finished is None else Status.RETURNED
        )
        Dossier.objects.create(
            code=f"LATE-{n}", lookup_key="K", procedure=procedure, receiving_unit=lead, lead_unit=lead,
            current_unit=lead, applicant_name="A", applicant_id_number="001", applicant_phone="0900000000",
            status=status, received_at=None if status == Status.SUBMITTED else START - timedelta(days=10),
            finished_at=finished, timeliness=timeliness, supplement_count=supplements,
            late_unit=units[late_unit] if late_unit is not None else None, watch_level=watch,
        )  # fmt: skip
    for scope in (None, [units[0].pk], [units[1].pk, units[2].pk], []):
        got = late_by_responsible_unit(start=START, end=END, unit_ids=scope)
        assert got == reference(start=START, end=END, unit_ids=scope)
    assert got == {}  # the empty scope (the last one above)
    everything = late_by_responsible_unit(start=START, end=END)
    assert sum(v["finished_late"] for v in everything.values()) > 0
    assert sum(v["open_overdue"] for v in everything.values()) > 0
