"""execute_prepared: hot statements bound on the server and prepared from their second run."""

import pytest
from django.db import connection

from dossiers.db.prepared import execute_prepared

pytestmark = pytest.mark.django_db


def prepared_statements(like: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [like])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_does_prepare_a_statement_from_its_second_run_and_log_every_run(django_assert_num_queries):
    sql = "SELECT %s::int * 7"
    with django_assert_num_queries(1) as first:
        assert execute_prepared(sql, [2]) == [(14,)]
    assert prepared_statements("%::int * 7") == []  # a connection used once pays no PREPARE round trip
    with django_assert_num_queries(1) as second:
        assert execute_prepared(sql, [3]) == [(21,)]
    assert prepared_statements("%::int * 7") == ["SELECT $1::int * 7"]
    assert [q["sql"] for q in first.captured_queries + second.captured_queries] == [sql, sql]  # Django's log sees both


def test_does_run_the_statement_on_any_database():
    assert execute_prepared("SELECT %s * 6", [7]) == [(42,)]
