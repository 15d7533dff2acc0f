"""Hot statements bound and prepared on the server (PostgreSQL).

Django binds parameters on the client and keeps psycopg from preparing statements
(`prepare_threshold=None`, so that transaction-mode poolers work). A receipt's few
statements are the same text every time: `execute_prepared` sends their parameters
separately and has the server parse and plan each once per connection, which saved
more than a third of a receipt's database time (bench/README.md). Elsewhere (SQLite)
it is a plain execute. The statements still pass Django's cursor wrapper, so they show
in the query log and its execute wrappers like any other.

Behind a transaction-mode pooler, PgBouncer needs `max_prepared_statements` (1.21+).
"""

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from django.db import connections

_ONLY_WHEN_ASKED = 2**31 - 1


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
        # Django's None turns preparing off altogether; its client-binding cursors never prepare
        # anyway, so only explicit `prepare=True` (ours) prepares with a threshold out of reach.
        connection.connection.prepare_threshold = _ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        # Django's own wrapping of a new cursor (thread check, query log), around a preparing one.
        cursor = connection._prepare_cursor(_preparing_cursor()(connection.connection))
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@cache
def _preparing_cursor() -> type:
    """Django's server-binding cursor class, preparing every statement it runs."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            super().execute(query, params, prepare=prepare, binary=binary)
            if self._query is None:  # psycopg leaves it unset for a prepared statement; Django's log reads it
                self._query = _Sent(query.encode())
            return self

    return PreparingCursor


def select_list(model: type, alias: str, using: str = "default") -> str:
    """The columns `model_from_row` reads, qualified by `alias`: `t."id", t."code", …`."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def model_from_row(model: type, row: Sequence, using: str = "default"):
    """An instance of `model` from a row starting with `select_list`'s columns, as the ORM builds it."""
    fields = model._meta.concrete_fields
    return model.from_db(using, [f.attname for f in fields], row[: len(fields)])
