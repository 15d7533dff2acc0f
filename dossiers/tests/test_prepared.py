"""execute_prepared: hot statements bound on the server and prepared from their second run."""

from unittest.mock import patch

import pytest
from django.db import ProgrammingError, connection

from dossiers.db.prepared import _converted, execute_prepared, server_placeholders

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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_does_send_a_literal_percent_and_log_the_statement_as_written(django_assert_num_queries):
    sql = "SELECT %s::text || '%%', 'a%%b' LIKE %s::text"
    with django_assert_num_queries(2) as log:
        assert execute_prepared(sql, ["50", "a%%b"]) == [("50%", True)]
        assert execute_prepared(sql, ["7", "_%%b"]) == [("7%", True)]
    assert prepared_statements("%'a\\%b' LIKE%") == ["SELECT $1::text || '%', 'a%b' LIKE $2::text"]
    assert [q["sql"] for q in log.captured_queries] == [sql, sql]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_does_convert_a_statement_once_however_often_it_runs():
    sql = "SELECT %s::int + %s::int -- converted once"
    _converted.cache_clear()
    with patch("dossiers.db.prepared.server_placeholders", wraps=server_placeholders) as convert:
        assert [execute_prepared(sql, [n, 1]) for n in range(4)] == [[(1,)], [(2,)], [(3,)], [(4,)]]
        assert execute_prepared(sql + " ", [2, 2]) == [(4,)]
    assert [c.args for c in convert.call_args_list] == [(sql,), (sql + " ",)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_cannot_run_a_statement_given_more_or_fewer_parameters_than_placeholders():
    with pytest.raises(ProgrammingError, match="2 placeholders but 1 parameters"):
        execute_prepared("SELECT %s::int + %s::int", [1])
    assert execute_prepared("SELECT 1", []) == [(1,)]


def test_does_number_the_placeholders_in_order_and_unescape_percent():
    assert server_placeholders("SELECT %s, '100%%' FROM t WHERE a = %s AND b LIKE %s") == (
        "SELECT $1, '100%' FROM t WHERE a = $2 AND b LIKE $3",
        3,
    )
    assert server_placeholders("SELECT 1") == ("SELECT 1", 0)
    assert server_placeholders("SELECT '%%s', %s") == ("SELECT '%s', $1", 1)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT %(name)s", "not named ones: '%\\(name\\)s'"),
        ("SELECT %s, %(n)s", "not named ones"),
        ("SELECT %b", "placeholders only"),
        ("SELECT 5 % 2", "%% for a literal %"),
        ("SELECT '100%", "placeholders only"),
    ],
)
def test_cannot_convert_named_or_other_placeholders(sql, message):
    with pytest.raises(ValueError, match=message):
        server_placeholders(sql)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
def test_cannot_run_a_statement_with_named_placeholders():
    with pytest.raises(ValueError, match="not named ones"):
        execute_prepared("SELECT %(n)s::int", {"n": 1})
