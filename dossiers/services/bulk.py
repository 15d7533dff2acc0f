"""Inserting the rows of several models in one round trip."""

from collections.abc import Sequence

from django.db import connections
from django.db.models import AutoField
from django.db.models.sql import InsertQuery

# Data-modifying CTEs, as (name, SQL), and their parameters: see bulk_create_together's `then`.
Ctes = tuple[Sequence[tuple[str, str]], Sequence]


def bulk_create_together(*batches, then: Ctes | None = None, using: str = "default") -> tuple | None:
    """`bulk_create` each list of new instances (one model per list, primary keys from the database).

    On PostgreSQL all the lists go in one statement, a chain of data-modifying CTEs, each the
    INSERT Django itself would issue, so a receipt's documents, events, clock entry and steps
    cost one round trip instead of four. The instances get their primary keys as with
    bulk_create. Elsewhere: one bulk_create per list.

    `then` (PostgreSQL only): more data-modifying CTEs carried by the same statement, which
    must not touch the rows being inserted (all CTEs see the same snapshot); the one row of
    the last is returned.
    """
    batches = [list(objs) for objs in batches if objs]
    if any(obj.pk is not None for objs in batches for obj in objs):
        raise ValueError("bulk_create_together inserts new rows only")
    connection = connections[using]
    if then is not None and connection.vendor != "postgresql":
        raise ValueError("bulk_create_together carries other statements on PostgreSQL only")
    if then is None and (connection.vendor != "postgresql" or len(batches) < 2):
        for objs in batches:
            type(objs[0])._base_manager.using(using).bulk_create(objs)
        return None
    with connection.cursor() as cursor:
        cursor.execute(*_chain_sql(batches, then, using))
        row = cursor.fetchone()
    if row is None:
        raise ValueError("bulk_create_together: the last statement carried returned no row")
    for objs, ids in zip(batches, row, strict=False):
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, using
    return tuple(row[len(batches) :]) if then is not None else None


def _chain_sql(batches: list[list], then: Ctes | None, using: str) -> tuple[str, list]:
    """WITH i0 AS (INSERT …), …, [then's CTEs] SELECT the ids of each list as an array[, the last CTE's row]."""
    quote = connections[using].ops.quote_name
    ctes, columns, params, source = [], [], [], ""
    for n, objs in enumerate(batches):
        sql, sql_params = _insert_sql(objs, using)
        pk = quote(objs[0]._meta.pk.column)
        ctes.append(f"i{n} AS ({sql})")
        # Ids come from each table's sequence in row order, as bulk_create also relies on.
        columns.append(f"ARRAY(SELECT {pk} FROM i{n} ORDER BY {pk})")
        params += sql_params
    if then is not None:
        then_ctes, then_params = then
        ctes += [f"{name} AS ({sql})" for name, sql in then_ctes]
        params += then_params
        last = then_ctes[-1][0]
        columns.append(f"{last}.*")
        source = f" FROM {last}"
    return f"WITH {', '.join(ctes)} SELECT {', '.join(columns)}{source}", params


def _insert_sql(objs: list, using: str) -> tuple[str, list]:
    """The INSERT … RETURNING pk that bulk_create would run for `objs`, not run."""
    model = type(objs[0])
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    fields = [f for f in model._meta.concrete_fields if not f.generated and not isinstance(f, AutoField)]
    query = InsertQuery(model)
    query.insert_values(fields, objs)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [model._meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)
