"""KPI roll-ups: a period cut into months, weeks and days, and the sums read back equal the facts'."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers.kpi.rollup import (
    MONTH,
    TREND_COLUMNS,
    WEEK,
    month_of,
    pieces,
    rollup_by_buckets,
    rollup_by_unit,
    rollup_rebuild,
    week_of,
)
from dossiers.kpi.sql import COLUMNS
from dossiers.models import KpiFact, KpiRollup

FIRST = date(2025, 11, 1)
days = st.integers(0, 500).map(lambda n: FIRST + timedelta(days=n))
buckets = st.sampled_from([("period", lambda d: None), ("week", week_of), ("month", month_of), ("day", lambda d: d)])


@given(a=days, b=days, bucket=buckets)
def test_does_cover_each_day_once_without_crossing_a_bucket(a, b, bucket):
    start, end = min(a, b), max(a, b)
    _name, of = bucket
    covered = []
    for grain, first, key in pieces(start, end, of):
        length = {MONTH: (month_of(first + timedelta(days=31)) - first).days, WEEK: 7}.get(grain, 1)
        span = [first + timedelta(days=i) for i in range(length)]
        assert grain != MONTH or first.day == 1
        assert grain != WEEK or first.weekday() == 0
        assert {of(d) for d in span} == {key}
        covered += span
    assert covered == [start + timedelta(days=i) for i in range((end - start).days + 1)]


def test_does_use_whole_months_and_weeks_when_they_fit():
    parts = pieces(date(2026, 1, 1), date(2026, 3, 18), lambda d: None)
    assert [(g, f.isoformat()) for g, f, _k in parts] == [
        ("m", "2026-01-01"),
        ("m", "2026-02-01"),
        ("d", "2026-03-01"),  # a Sunday
        ("w", "2026-03-02"),
        ("w", "2026-03-09"),
        *(("d", f"2026-03-{d}") for d in range(16, 19)),
    ]


facts_rows = st.lists(
    st.tuples(st.integers(1, 3), st.integers(1, 2), days, st.integers(0, 5), st.integers(0, 5)),
    max_size=40,
    unique_by=lambda r: r[:3],
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=facts_rows, a=days, b=days, scope=st.sampled_from([None, [1], [2, 3]]))
def test_does_sum_like_the_facts_over_any_period(rows, a, b, scope):
    start, end = min(a, b), max(a, b)
    KpiFact.objects.all().delete()
    KpiFact.objects.bulk_create(
        KpiFact(unit_id=u, procedure_id=p, day=d, received_online=x, finished=y, processing_seconds=x * y * 3600)
        for u, p, d, x, y in rows
    )
    with transaction.atomic(), connection.cursor() as cursor:
        rollup_rebuild(cursor)
    inside = [r for r in rows if start <= r[2] <= end and (scope is None or r[0] in scope)]

    def expected(key) -> dict:
        out: dict = {}
        for r in inside:
            into = out.setdefault(key(r), dict.fromkeys(COLUMNS, 0))
            into["received_online"] += r[3]
            into["finished"] += r[4]
            into["processing_seconds"] += r[3] * r[4] * 3600
        return out

    assert rollup_by_unit(unit_ids=scope, start=start, end=end) == expected(lambda r: r[0])
    spans = {"w": (start, end, week_of), "m": (start, end, month_of), "d": (start, end, lambda d: d)}
    got = rollup_by_buckets(unit_ids=scope, spans=spans)
    assert got["w"] == expected(lambda r: week_of(r[2]))
    assert got["m"] == expected(lambda r: month_of(r[2]))
    assert got["d"] == expected(lambda r: r[2])
    # The trend's read: the same sums of its columns, the others 0 (here: the hours worked).
    trend = rollup_by_buckets(unit_ids=scope, spans=spans, columns=TREND_COLUMNS)
    for name, key in (("w", lambda r: week_of(r[2])), ("m", lambda r: month_of(r[2]))):
        assert trend[name] == {k: {**v, "processing_seconds": 0} for k, v in expected(key).items()}
    assert KpiRollup.objects.filter(grain="d").count() == len({(u, d) for u, _p, d, _x, _y in rows})


def test_does_carry_every_trend_column_in_the_trend_index():
    [index] = [i for i in KpiRollup._meta.indexes if i.name == "kpirollup_trend_idx"]
    assert tuple(index.fields) == ("grain", "start") and tuple(index.include) == ("unit", *TREND_COLUMNS)


@pytest.mark.django_db
@pytest.mark.postgres
def test_does_read_the_trend_from_its_index_alone_when_the_scope_is_every_unit():
    from django.test.utils import CaptureQueriesContext

    from dossiers.tests.plans import explain

    spans = {"w": (date(2026, 1, 5), date(2026, 3, 29), week_of), "m": (date(2025, 4, 1), date(2026, 3, 31), month_of)}
    with CaptureQueriesContext(connection) as captured:
        rollup_by_buckets(unit_ids=None, spans=spans, columns=TREND_COLUMNS)
    text = explain(captured.captured_queries[-1]["sql"])
    assert "Index Only Scan using kpirollup_trend_idx" in text, text
