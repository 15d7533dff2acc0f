"""Hot statements bound and prepared on the server (PostgreSQL).

Django binds parameters on the client and keeps psycopg from preparing statements
(`prepare_threshold=None`, so that transaction-mode poolers work). A receipt's few
statements are the same text every time: `execute_prepared` sends their parameters
separately and, from a statement's second run on a connection, has the server run the
plan it made once (preparing costs a round trip of its own, which a connection used for
one request, CONN_MAX_AGE=0, would pay every time). That saved more than a third of a
receipt's database time on persistent connections (bench/README.md). Elsewhere (SQLite)
it is a plain execute. The statements still pass Django's cursor wrapper, so they show
in the query log and its execute wrappers like any other.

Behind a transaction-mode pooler, PgBouncer needs `max_prepared_statements` (1.21+).
"""

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from django.db import connections
from django.db.models import Model

# psycopg prepares a statement once it has run this many times on the connection.
_PREPARE_AFTER = 1


class _Sent(NamedTuple):
    query: bytes


def execute_prepared(sql: str, params: Sequence, *, using: str = "default") -> list[tuple]:
    """Run `sql` (`%s` placeholders; every parameter's type known from its context, e.g. by
    a cast) and return all its rows."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django's None turns preparing off altogether. Its client-binding cursors never prepare
        # whatever the threshold, so only the server-binding cursors made here do.
        connection.connection.prepare_threshold = _PREPARE_AFTER
    with connection.wrap_database_errors:
        # Django's own wrapping of a new cursor (thread check, query log), around a server-binding one.
        cursor = connection._prepare_cursor(_preparing_cursor()(connection.connection))  # type: ignore[attr-defined]  # private Django API, absent from django-stubs
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@cache
def _preparing_cursor() -> type:
    """Django's server-binding cursor class, telling Django's query log what it ran."""
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]  # psycopg 3 only; django-stubs omit it

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            super().execute(query, params, prepare=prepare, binary=binary)
            # Django's query log reads the text run from `_query`, which psycopg leaves unset when it
            # runs a prepared statement: the statement as written, whether prepared yet or not.
            self._query = _Sent(query.encode())
            return self

    return PreparingCursor


def select_list(model: type[Model], alias: str, using: str = "default") -> str:
    """The columns `model_from_row` reads, qualified by `alias`: `t."id", t."code", …`."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def model_from_row(model: type[Model], row: Sequence, using: str = "default"):
    """An instance of `model` from a row starting with `select_list`'s columns, as the ORM builds it."""
    fields = model._meta.concrete_fields
    return model.from_db(using, [f.attname for f in fields], row[: len(fields)])
