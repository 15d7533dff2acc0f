"""Writing a new dossier, numbered, with the rows it starts with."""

from collections.abc import Callable, Sequence

from django.db import connection, transaction
from django.db.models import Model

from ..models import Dossier, OutboxMessage
from .bulk import Children, insert_with_children, rows_by_model
from .numbering import SEQUENCE_NEXT, code_day, code_prefix, dossier_code_new, provisional_code

# The outbox's fields that quote the dossier's code (made before the dossier is numbered).
OUTBOX_CODED = ("dedup_key", "subject", "body")


def dossier_insert(
    *,
    dossier: Dossier,
    at,
    rows: Sequence[Model] = (),
    messages: Callable[[Dossier], Sequence[OutboxMessage]] | None = None,
) -> Dossier:
    """Insert the new `dossier` with its real code and register line (the receiving unit's next
    number of the day of `at`), `rows` (new instances of any model pointing at it through their
    `dossier`: documents, events, clock entry, steps, a subscriber's rows) and the outbox messages
    `messages(dossier)` makes, which may quote its code. Every instance gets its primary key.

    On PostgreSQL it is one statement (`insert_with_children`): the code is worked out in it, the
    messages are made under a stand-in code that the statement replaces. Run in the caller's
    transaction, it should be its last write: the unit's daily counter stays locked from taking
    the number until the commit, so the shorter that tail, the more clerks of one centre can
    receive at once. Elsewhere (SQLite, one writer at a time anyway) the number comes first, then
    one insert per table. No signal is promised: what follows a receipt (public answers, the
    outbox, subscribers) is called by the service itself (`services.hooks`)."""
    provisional = dossier.code = provisional_code()
    children = [Children(objs) for objs in rows_by_model(rows)]
    if messages is not None:
        children.append(Children(list(messages(dossier)), coded=OUTBOX_CODED))
    day, unit = code_day(at), dossier.receiving_unit
    if connection.vendor == "postgresql":
        number = "lpad(head.last::text, greatest(4, length(head.last::text)), '0')"
        computed = [
            ("code", f"%s || {number}", [code_prefix(unit, day)]),
            ("register_line", "head.last", []),
        ]
        insert_with_children(
            dossier, children, head=(SEQUENCE_NEXT, [unit.pk, day]), computed=computed, provisional=provisional
        )
        return dossier
    with transaction.atomic(savepoint=False):
        dossier.code, dossier.register_line = dossier_code_new(unit=unit, at=at)
        dossier.save(force_insert=True)
        for child in children:
            child.attach(dossier, provisional=provisional, code=dossier.code)
            if child.objs:
                type(child.objs[0])._default_manager.bulk_create(child.objs)  # any model: `objects`, its only manager
    return dossier
