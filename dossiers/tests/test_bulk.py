"""bulk_create_together: several models' rows in one statement on PostgreSQL, ids as bulk_create."""

import pytest
from django.db import connection
from django.utils import timezone

from dossiers.models import ClockEntry, DossierEvent
from dossiers.services.bulk import bulk_create_together

pytestmark = pytest.mark.django_db


def test_does_insert_every_list_and_give_each_instance_its_row_id(world, receive, django_assert_num_queries):
    dossier, now = receive(), timezone.now()
    events = [
        DossierEvent(dossier=dossier, action=f"note{i}", effective_at=now, data={"i": i}, unit=world["centre"])
        for i in range(3)
    ]
    entries = [ClockEntry(dossier=dossier, kind=kind, at=now) for kind in ("pause", "resume")]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        bulk_create_together(events, [], entries)
    assert all(not e._state.adding for e in events + entries)
    saved = dict(DossierEvent.objects.filter(action__startswith="note").values_list("pk", "data"))
    assert saved == {e.pk: {"i": i} for i, e in enumerate(events)}
    assert dict(dossier.clock.exclude(kind="start").values_list("pk", "kind")) == {e.pk: e.kind for e in entries}


def test_cannot_insert_rows_that_already_have_an_id(world, receive):
    event = receive().events.first()
    with pytest.raises(ValueError, match="new rows only"):
        bulk_create_together([event], [ClockEntry(dossier=event.dossier, kind="pause", at=event.effective_at)])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements carried on PostgreSQL only")
def test_does_run_the_carried_statements_in_the_same_statement_and_return_their_row(
    world, receive, django_assert_num_queries
):
    dossier, now = receive(), timezone.now()
    event = DossierEvent(dossier=dossier, action="note", effective_at=now, data={}, unit=world["centre"])
    entry = ClockEntry(dossier=dossier, kind="pause", at=now)
    table = dossier._meta.db_table
    then = ([("renamed", f"UPDATE {table} SET note = %s WHERE id = %s RETURNING id, note")], ["carried", dossier.pk])  # noqa: S608
    with django_assert_num_queries(1):
        row = bulk_create_together([event], [entry], then=then)
    assert row == (dossier.pk, "carried")
    assert event.pk and entry.pk and not event._state.adding
    dossier.refresh_from_db()
    assert dossier.note == "carried"
