"""Inserting the rows of several models in one round trip."""

from django.db import connections
from django.db.models import AutoField
from django.db.models.sql import InsertQuery


def bulk_create_together(*batches, using: str = "default") -> None:
    """`bulk_create` each list of new instances (one model per list, primary keys from the database).

    On PostgreSQL all the lists go in one statement, a chain of data-modifying CTEs, each the
    INSERT Django itself would issue, so a receipt's documents, events, clock entry and steps
    cost one round trip instead of four. The instances get their primary keys as with
    bulk_create. Elsewhere: one bulk_create per list.
    """
    batches = [list(objs) for objs in batches if objs]
    if any(obj.pk is not None for objs in batches for obj in objs):
        raise ValueError("bulk_create_together inserts new rows only")
    connection = connections[using]
    if connection.vendor != "postgresql" or len(batches) < 2:
        for objs in batches:
            type(objs[0])._base_manager.using(using).bulk_create(objs)
        return
    ctes, selects, params = [], [], []
    for n, objs in enumerate(batches):
        sql, sql_params = _insert_sql(objs, using)
        ctes.append(f"i{n} AS ({sql})")
        selects.append(f"SELECT {n}, {connection.ops.quote_name(objs[0]._meta.pk.column)} FROM i{n}")
        params += sql_params
    # Ids come from each table's sequence in row order, as bulk_create also relies on.
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} {' UNION ALL '.join(selects)} ORDER BY 1, 2", params)
        rows = cursor.fetchall()
    ids: dict[int, list] = {n: [] for n in range(len(batches))}
    for n, pk in rows:
        ids[n].append(pk)
    for n, objs in enumerate(batches):
        for obj, pk in zip(objs, ids[n], strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, using


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
