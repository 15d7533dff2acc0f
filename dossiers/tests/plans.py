"""PostgreSQL plans for the index tests: EXPLAIN in a rolled-back savepoint.

Sequential scans are switched off so that the tiny test tables cannot hide an index whose
expression or predicate no longer matches the SQL Django writes."""

from django.db import connection, transaction


def explain(sql: str, params=None, *, drop: str = "", sort: bool = True, bitmap: bool = True) -> str:
    """The plan of `sql`; `drop`: indexes to do without (comma-separated: on a few rows another index
    whose predicate the query implies can look as cheap); `sort=False`: sort only when no index gives
    the order; `bitmap=False`: no bitmap scans (on a few rows one can look as cheap as an index-only scan)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not bitmap:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        for index in filter(None, drop.split(",")):
            cursor.execute(f"DROP INDEX {index}")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def explain_queryset(queryset, **options) -> str:
    sql, params = queryset.query.sql_with_params()
    return explain(sql, params, **options)
