"""schemathesis over the whole OpenAPI document: no server error, no answer outside the schema."""

from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Schema-valid but wrong in substance (an unknown unit code, a phone number that does not exist)
# is rightly a 422 with a Vietnamese message: that check does not apply to business validation.
# The test sends a valid token on every request, so a case schemathesis generated as
# "invalid" because of its Authorization header is in fact valid: that check cannot apply either.
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance  # noqa: E402

from dossiers.services.tokens import api_token_create
from portal.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Every date-time field gets any instant of years 1–9999 with any offset ISO 8601 allows (±23:59, beyond
# PostgreSQL's ±15:59) as well as everyday ones: the dates that gave the reviewer's 500s (issue 12).
_OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
schemathesis.openapi.format(
    "date-time",
    st.one_of(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=_OFFSETS),
        st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=_OFFSETS),
    ).map(datetime.isoformat),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI app directly, so each request's end would close the test
    transaction's connection (Django's test client disconnects this handler the same way)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_token(world, django_user_model):
    user = django_user_model.objects.create_superuser("schema-admin", "a@example.vn", "x")
    return api_token_create(user=user)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_does_answer_within_the_schema_when_fed_generated_requests(case, superuser_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {superuser_token}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
