"""766 rules by hand, and the composed KPIs against a plain SQL recomputation."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers.calendar import LOCAL_TZ
from dossiers.kpi import rules
from dossiers.kpi.facts import kpi_facts_rebuild
from dossiers.models import Apology, Dossier, KpiFact, KpiWatermark, Status
from dossiers.tests.factories import ProcedureFactory, UnitFactory, UserFactory
from portal import kpis

F = rules.Figures


def test_does_rate_processed_and_being_processed_on_time_when_basis_is_processed():
    # 766 §2.1: (6 finished on time + 2 open within their appointment) ÷ (8 finished + 4 open).
    f = F(finished=8, early=3, on_time=3, late=2, open=4, open_overdue=2)
    assert rules.on_time_rate(f) == 66.67
    assert rules.on_time_rate(f, basis="finished") == 75.0
    assert rules.late_rate(f) == 33.33


def test_does_return_none_when_nothing_was_processed():
    assert rules.on_time_rate(F()) is None and rules.satisfaction_rate(F()) is None


def test_does_rate_online_share_of_dossiers_and_procedures():
    assert rules.online_rate(F(received=4, received_online=1)) == 25.0
    assert rules.procedures_online_rate(offered=3, total=4) == 75.0


def test_does_return_no_payment_rate_when_no_payment_data_exists():
    assert rules.online_payment_rate(F(received_with_fee=10)) is None
    assert rules.online_payment_rate(F(received_with_fee=10, paid_online=4)) == 40.0


def test_does_subtract_late_and_complained_dossiers_once_when_computing_satisfaction():
    # 766 §5.4: (20 − 2 late − 1 complained, not late) ÷ 20.
    f = F(finished=20, early=10, on_time=8, late=2, complained=1)
    assert rules.satisfaction_rate(f) == 85.0


def test_does_give_full_dossier_satisfaction_marks_from_ninety_percent():
    def points_54(f):
        return next(i for i in rules.group_scores(f, procedures_online=None)[5]["indicators"] if i["code"] == "5.4")

    assert points_54(F(finished=10, early=9, late=1))["points"] == 6.0
    assert points_54(F(finished=10, early=8, late=2))["points"] == 5.33  # 6 × 80 / 90


def test_does_score_group_5_from_petitions_and_dossiers_when_all_have_data():
    # Of 4 petitions: 1 handled late, 1 answered on time but rated "not satisfied", 2 neither.
    f = F(finished=10, early=9, late=1, petitions=4, petitions_on_time=3, petitions_answered=2, petitions_satisfied=2)
    group = rules.group_scores(f, procedures_online=None)[5]
    assert group["parts"] == {"5.2": 75.0, "5.3": 50.0, "5.4": 90.0}
    assert group["score"] == 13.5  # 6 × 75 % + 6 × 50 % + 6 (full from 90 %)
    assert group["missing"] == []


def test_does_say_which_indicator_has_no_data_when_a_group_cannot_be_scored():
    f = F(received=10, received_online=5, received_full=4, received_full_online=2, finished=10, early=5, on_time=3,
          late=2, finished_paper=6, finished_paper_eresult=6, received_with_fee=3)  # fmt: skip
    scores = rules.group_scores(f, procedures_online=50.0)
    assert scores[2]["score"] == 16.0 and scores[2]["parts"] == {"2.1": 80.0}
    assert scores[3]["parts"] == {"3.1": 50.0, "3.2": 50.0, "3.3": None}  # no dossier of a partly-online procedure
    assert (scores[3]["score"], scores[3]["known"], scores[3]["missing"]) == (None, 6.5, ["3.3"])  # 4 × 50/80 + 4
    assert (scores[4]["score"], scores[4]["missing"]) == (None, ["4.1", "4.2"])
    assert scores[6]["parts"] == {"6.1": 100.0, "6.2": 0.0, "6.3": None}
    assert (scores[6]["score"], scores[6]["known"], scores[6]["missing"]) == (None, 7.33, ["6.3"])
    assert scores[1]["missing"] == ["1.1", "1.2", "1.3", "1.4"] and rules.total_score(scores) is None
    assert [i["code"] for g in scores.values() for i in g["indicators"]] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "3.1", "3.2", "3.3", "4.1", "4.2", "5.2", "5.3", "5.4", "6.1", "6.2", "6.3"
    ]  # fmt: skip


def test_does_score_the_sync_share_as_indicator_1_4_and_leave_the_catalogue_ones_without_data():
    # 766 §1.4: 45 of 50 changes acknowledged = 90 % → 4,5 × 0,9 = 4,05 of the group's 18 points.
    scores = rules.group_scores(F(sync_changes=50, sync_acknowledged=45), procedures_online=None)
    assert scores[1]["parts"] == {"1.1": None, "1.2": None, "1.3": None, "1.4": 90.0}
    assert (scores[1]["score"], scores[1]["known"], scores[1]["missing"]) == (None, 4.05, ["1.1", "1.2", "1.3"])
    assert [i["max"] for i in scores[1]["indicators"]] == [4.5, 4.5, 4.5, 4.5]
    # Sync off (None) or nothing changed in the period: no data, not 0 %.
    assert rules.group_scores(F(), procedures_online=None)[1]["parts"]["1.4"] is None
    assert rules.sync_rate(F(sync_changes=0, sync_acknowledged=0)) is None
    assert rules.sync_rate(F(sync_changes=3, sync_acknowledged=0)) == 0.0


def test_does_sum_sync_counts_and_keep_none_only_when_every_part_has_none():
    assert (F(sync_changes=2, sync_acknowledged=1) + F()).sync_changes == 2
    assert (F() + F()).sync_changes is None


def test_does_score_4_1_from_the_procedures_paid_online_when_given():
    # 766 §4.1: 1 of 4 procedures with a dossier to pay had one paid online → 25 % → 1,25 of 5.
    assert rules.procedures_payment_rate(paid=1, with_fee=4) == 25.0
    assert rules.procedures_payment_rate(paid=0, with_fee=0) is None
    f = F(received_with_fee=4, paid_online=2)
    scores = rules.group_scores(f, procedures_online=None, procedures_paid_online=25.0)
    assert (scores[4]["parts"], scores[4]["score"]) == ({"4.1": 25.0, "4.2": 50.0}, 3.75)


# -- the composition against plain SQL --------------------------------------------------------

BASE = date(2026, 3, 2)
START, END = date(2026, 3, 5), date(2026, 3, 25)
dossier_st = st.tuples(
    st.integers(0, 2),  # unit
    st.integers(0, 40),  # received day
    st.integers(8, 16),  # received hour
    st.sampled_from(["counter", "online", "postal"]),
    st.one_of(st.none(), st.integers(0, 20)),  # finished after (days)
    st.sampled_from(["early", "on_time", "late"]),
    st.integers(0, 2),  # supplements
    st.integers(1, 15),  # due after (weekdays)
    st.booleans(),  # signed apology
)


def _weekday_after(d: date, n: int) -> date:
    while n:
        d += timedelta(days=1)
        n -= d.weekday() < 5
    return d


def _make(world, i, spec):
    u, day, hour, channel, fin, tl, sup, due, apology = spec
    sup = sup if fin is not None else 0  # open ones: judged by their appointment alone here
    received = datetime.combine(BASE + timedelta(days=day), time(hour), LOCAL_TZ)
    due_at = datetime.combine(_weekday_after(received.date(), due), time(9), LOCAL_TZ)
    d = Dossier.objects.create(
        code=f"R-{i}", lookup_key="K", procedure=world["proc"], receiving_unit=world["units"][u],
        lead_unit=world["units"][u], current_unit=world["units"][u], applicant_name="A", applicant_id_number="1",
        applicant_phone="1", channel=channel, status=Status.RETURNED if fin is not None else Status.PROCESSING,
        received_at=received, due_at_original=due_at, due_at=due_at,
        finished_at=received + timedelta(days=fin, hours=1) if fin is not None else None,
        timeliness=tl if fin is not None else "", supplement_count=sup,
        timeliness_766=("late" if sup > 1 else tl) if fin is not None else "",
    )  # fmt: skip
    if apology:
        Apology.objects.create(
            dossier=d, unit=d.lead_unit, status="signed", reason="Trễ", original_due_at=due_at,
            new_due_at=due_at + timedelta(days=2), drafted_by=world["user"], drafted_at=received, issued_at=received,
        )  # fmt: skip


def _bounds():
    a = datetime.combine(START, time(0), LOCAL_TZ)
    b = datetime.combine(END + timedelta(days=1), time(0), LOCAL_TZ)
    return [connection.ops.adapt_datetimefield_value(x) for x in (a, b)]


PLAIN_SQL = {
    "received": "SELECT lead_unit_id, COUNT(*), SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END)"
    " FROM dossiers_dossier WHERE received_at >= %s AND received_at < %s GROUP BY lead_unit_id",
    "finished": "SELECT lead_unit_id, COUNT(*),"
    " SUM(CASE WHEN timeliness_766 = 'early' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN timeliness_766 = 'on_time' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN timeliness_766 = 'late' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN timeliness_766 = 'late' AND NOT EXISTS (SELECT 1 FROM dossiers_apology a"
    " WHERE a.dossier_id = d.id AND a.status = 'signed') THEN 1 ELSE 0 END)"
    " FROM dossiers_dossier d WHERE received_at IS NOT NULL AND finished_at >= %s AND finished_at < %s"
    " GROUP BY lead_unit_id",
    "open": "SELECT lead_unit_id, COUNT(*), SUM(CASE WHEN due_at_original < %s THEN 1 ELSE 0 END)"
    " FROM dossiers_dossier WHERE received_at < %s AND (finished_at IS NULL OR finished_at >= %s)"
    " GROUP BY lead_unit_id",
    "apologies": "SELECT d.lead_unit_id, COUNT(*) FROM dossiers_apology a JOIN dossiers_dossier d"
    " ON d.id = a.dossier_id WHERE a.status = 'signed' AND a.issued_at >= %s AND a.issued_at < %s"
    " GROUP BY d.lead_unit_id",
}


def _plain() -> dict[int, dict]:
    lo, hi = _bounds()
    out: dict[int, dict] = {}
    with connection.cursor() as c:
        for name, params in (
            ("received", [lo, hi]),
            ("finished", [lo, hi]),
            ("open", [hi, hi, hi]),
            ("apologies", [lo, hi]),
        ):
            c.execute(PLAIN_SQL[name], params)
            for unit, *values in c.fetchall():
                out.setdefault(unit, {})[name] = [int(v or 0) for v in values]
    return out


def _expected(v: dict) -> dict:
    received, online = v.get("received", [0, 0])
    finished, early, on_time, late, lwa = v.get("finished", [0] * 5)
    open_, overdue = v.get("open", [0, 0])
    pct, whole = rules.percent, finished + open_
    return {
        "received": received, "finished": finished, "early": early, "on_time": on_time, "late": late,
        "open": open_, "open_overdue": overdue, "open_on_time": open_ - overdue,
        "on_time_rate": pct(early + on_time + open_ - overdue, whole),
        "online_rate": pct(online, received), "apologies": v.get("apologies", [0])[0],
        "late_without_apology": lwa, "received_with_fee": 0,
        "satisfaction_rate": pct(whole - late - overdue, whole),
    }  # fmt: skip


@pytest.fixture
def kpi_world(db):
    units = [UnitFactory(code=f"RU{i}") for i in range(3)]
    return {"units": units, "proc": ProcedureFactory(national_code="8.001"), "user": UserFactory(username="u")}


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(dossier_st, max_size=25))
def test_does_equal_a_plain_sql_recomputation_when_data_is_random(kpi_world, specs):
    for model in (Apology, Dossier, KpiFact, KpiWatermark):
        model.objects.all().delete()
    for i, spec in enumerate(specs):
        _make(kpi_world, i, spec)
    kpi_facts_rebuild()
    rows = kpis.kpi_rows(unit_ids=None, start=START, end=END, group_by="unit")
    got = {r["code"]: {k: v for k, v in r.items() if k not in ("code", "name")} for r in rows}
    codes = {u.pk: u.code for u in kpi_world["units"]}
    want = {codes[u]: _expected(v) for u, v in _plain().items()}
    assert {k: v for k, v in got.items() if any(v.values())} == {k: v for k, v in want.items() if any(v.values())}


@pytest.mark.django_db
def test_does_count_an_open_dossier_late_when_its_appointment_passed_before_the_period_end(kpi_world):
    # Received Mon 02/03 08:00, due Mon 09/03 09:00, still open: late for March, not for 02–06/03.
    _make(kpi_world, 0, (0, 0, 8, "counter", None, "early", 0, 5, False))
    kpi_facts_rebuild()
    march = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31), group_by="unit")[0]
    assert (march["open"], march["open_overdue"], march["on_time_rate"]) == (1, 1, 0.0)
    week = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 2), end=date(2026, 3, 6), group_by="unit")[0]
    assert (week["open"], week["open_overdue"], week["on_time_rate"]) == (1, 0, 100.0)


@pytest.mark.django_db
def test_does_use_the_feedback_source_when_one_is_plugged_in(kpi_world, monkeypatch, settings):
    settings.PORTAL_KPI_SATISFACTION_SOURCE = "portal.tests.test_kpi_rules.two_complaints"
    for i in range(10):
        _make(kpi_world, i, (0, 5, 9, "online", 1, "early", 0, 5, False))
    kpi_facts_rebuild()
    row = kpis.kpi_rows(unit_ids=None, start=START, end=END, group_by="unit")[0]
    assert row["satisfaction_rate"] == 80.0  # (10 − 0 late − 2 complained) ÷ 10


def two_complaints(*, unit_ids, start, end, group_by):
    return {Dossier.objects.first().lead_unit_id: {"complained": 2}}


def test_does_default_to_no_ratings_yet_when_feedback_has_no_kpi_module(settings):
    settings.PORTAL_KPI_SATISFACTION_SOURCE = "feedback.kpi_missing.satisfaction_by_unit"
    assert kpis.satisfaction_source() is kpis.no_ratings_yet


def test_does_translate_every_indicators_name_and_explanation_when_english_is_asked():
    from django.utils import translation

    with translation.override("en"):
        english = {i.code: (str(i.name), str(i.explain)) for i in rules.INDICATORS}
    assert english["1.4"] == (
        "Dossiers synchronised to the National Public Service Portal",
        "Creations and status changes of dossiers in the period that the National Public Service Portal "
        "acknowledged, over all of them; no data while sync is off.",
    )
    assert english["4.1"][1].endswith("no data while no payment gateway is configured.")
    with translation.override("vi"):
        vietnamese = {i.code: (str(i.name), str(i.explain)) for i in rules.INDICATORS}
    untranslated = [c for c in english for en, vi in zip(english[c], vietnamese[c], strict=True) if en == vi]
    assert untranslated == []
