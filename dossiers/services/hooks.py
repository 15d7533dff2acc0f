"""Who else hears of a dossier's creation and status changes, inside the change's transaction.

An app that must keep rows of its own for every change (the national portal's outbox in
`integrations`) subscribes here from its AppConfig.ready(). The write paths call the hooks
explicitly — `dossier_receive` and `dossier_submit` (their rows join the new dossier's insert), `dossier_start`
and `dossier_transition` — never a post_save signal, so a subscriber's rows commit or roll
back with the change, and `dossiers` imports nothing of its subscribers (docs/adr/0005).
"""

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Model

from ..db.bulk import rows_by_model
from ..models import Dossier, DossierEvent


@dataclass(frozen=True)
class DossierChange:
    """A dossier just created (`created`) or moved, and the event that records it (not yet saved
    when the dossier is new: the receipt inserts both in one statement)."""

    dossier: Dossier
    event: DossierEvent
    created: bool = False


@dataclass(frozen=True)
class Subscriber:
    """`rows(change)`: new, unsaved rows pointing at the dossier through a foreign key named
    `dossier`; `written()`: called once they are inserted, still inside the transaction (to
    register an on_commit callback, say). Neither may swallow errors: a failure here is a bug
    and rolls the change back."""

    rows: Callable[[DossierChange], Sequence[Model]]
    written: Callable[[], None] | None = None


_SUBSCRIBERS: dict[str, Subscriber] = {}
_UNHEARD: ContextVar[bool] = ContextVar("dossier_changes_unheard", default=False)


def dossier_subscribe(*, name: str, rows, written=None) -> None:
    """Register (or replace, by `name`) a subscriber; called from an AppConfig.ready()."""
    _SUBSCRIBERS[name] = Subscriber(rows=rows, written=written)


Pending = list[tuple[Subscriber, list[Model]]]


@contextmanager
def dossier_changes_unheard():
    """Changes made inside are told to no subscriber: invented data (seed_demo) must never reach a
    partner system such as the national portal."""
    token = _UNHEARD.set(True)
    try:
        yield
    finally:
        _UNHEARD.reset(token)


def change_rows(change: DossierChange) -> Pending:
    """Each subscriber's rows for `change`, not saved yet."""
    if _UNHEARD.get():
        return []
    pending = []
    for subscriber in _SUBSCRIBERS.values():
        rows = list(subscriber.rows(change))
        if rows:
            pending.append((subscriber, rows))
    return pending


def change_rows_all(pending: Pending) -> list[Model]:
    """Every subscriber's rows, in one list (the receipt inserts them with the dossier)."""
    return [row for _subscriber, rows in pending for row in rows]


def change_written(pending: Pending) -> None:
    for subscriber, _rows in pending:
        if subscriber.written is not None:
            subscriber.written()


def dossier_changed(*, dossier: Dossier, event: DossierEvent) -> None:
    """Tell the subscribers of a saved dossier's change and insert their rows, in the caller's
    transaction (the dossier's row is locked by it, so its changes reach them in order)."""
    pending = change_rows(DossierChange(dossier=dossier, event=event))
    for rows in rows_by_model(change_rows_all(pending)):
        type(rows[0])._default_manager.bulk_create(rows)  # any model: its `objects`, its only manager
    change_written(pending)
