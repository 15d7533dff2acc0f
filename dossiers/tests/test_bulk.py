"""insert_with_children: a new row and the rows pointing at it in one statement on PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import DataError, connection
from django.db.models.signals import post_save
from django.utils import timezone

from dossiers.db.bulk import Children, insert_with_children
from dossiers.models import ClockEntry, Dossier, DossierEvent, OutboxMessage

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL only"),
]

PROVISIONAL = "~provisional-code"


def new_dossier(received: Dossier) -> Dossier:
    """An unsaved copy of a received dossier, under the provisional code."""
    fields = {f.attname: getattr(received, f.attname) for f in Dossier._meta.concrete_fields if not f.primary_key}
    return Dossier(**fields | {"code": PROVISIONAL, "register_line": None, "lookup_key": "XK7P9QAM"})


def insert(dossier, children):
    computed = [("code", "%s || head.n::text", ["NEW-"]), ("register_line", "head.n", [])]
    return insert_with_children(
        dossier, children, head=("SELECT %s::int AS n", [41]), computed=computed, provisional=PROVISIONAL
    )


def test_does_insert_the_row_and_every_list_in_one_statement_giving_each_instance_its_id(
    world, receive, django_assert_num_queries
):
    dossier, now = new_dossier(receive()), timezone.now()
    events = [DossierEvent(dossier=dossier, action=f"note{i}", effective_at=now, data={"i": i}) for i in range(3)]
    entries = [ClockEntry(dossier=dossier, kind=kind, at=now) for kind in ("pause", "resume")]
    with django_assert_num_queries(1):
        assert insert(dossier, [Children(events), Children([]), Children(entries)]) == ("NEW-41", 41)
    assert (dossier.code, dossier.register_line) == ("NEW-41", 41) and not dossier._state.adding
    saved = Dossier.objects.get(pk=dossier.pk)
    assert (saved.code, saved.register_line, saved.lookup_key) == ("NEW-41", 41, "XK7P9QAM")
    assert saved.created_at and saved.updated_at  # auto_now fields, as a save sets them
    assert dict(saved.events.values_list("pk", "data")) == {e.pk: {"i": i} for i, e in enumerate(events)}
    assert dict(saved.clock.values_list("pk", "kind")) == {e.pk: e.kind for e in entries}
    assert all(e.dossier_id == dossier.pk and not e._state.adding for e in events + entries)


def test_does_write_the_real_code_where_the_children_quote_the_provisional_one(world, receive):
    dossier = new_dossier(receive())
    message = OutboxMessage(
        dossier=dossier,
        dedup_key=f"{PROVISIONAL}:x",
        channel="sms",
        recipient="0905123456",
        subject=f"Hồ sơ {PROVISIONAL}",
        body=f"Hồ sơ {PROVISIONAL}: tra cứu /tra-cuu/{PROVISIONAL}/",
    )
    insert(dossier, [Children([message], coded=("dedup_key", "subject", "body"))])
    saved = OutboxMessage.objects.get(pk=message.pk)
    assert (saved.dedup_key, saved.subject) == ("NEW-41:x", "Hồ sơ NEW-41")
    assert saved.body == message.body == "Hồ sơ NEW-41: tra cứu /tra-cuu/NEW-41/"


def test_cannot_insert_rows_that_already_have_an_id(world, receive):
    received = receive()
    with pytest.raises(ValueError, match="new rows only"):
        insert(new_dossier(received), [Children([received.events.first()])])
    with pytest.raises(ValueError, match="new rows only"):
        insert(received, [])


def test_does_send_no_post_save_signal_when_the_row_is_inserted(world, receive):
    """Writes are explicit (issue 14): the receipt calls whoever must hear of a new dossier itself."""
    dossier, seen = new_dossier(receive()), []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, instance.code, created))

    post_save.connect(receiver, sender=Dossier)
    try:
        insert(dossier, [])
    finally:
        post_save.disconnect(receiver, sender=Dossier)
    assert dossier.pk is not None and dossier.code == "NEW-41" and seen == []


@pytest.mark.django_db(transaction=True)  # autocommit, as a receipt runs: the statement alone is atomic
def test_does_insert_nothing_when_one_list_fails(world, receive):
    dossier, before = new_dossier(receive()), Dossier.objects.count()
    bad = [ClockEntry(dossier=dossier, kind="pause", at=None)]  # at is required
    with pytest.raises(Exception, match="null value"):
        insert(dossier, [Children(bad)])
    assert Dossier.objects.count() == before


def test_does_write_every_field_of_the_row_into_its_own_column(world, receive):
    """The row's values are sent one per column (not as arrays): each lands where it belongs."""
    received = receive()
    dossier = new_dossier(received)
    dossier.applicant_address, dossier.return_by_proxy, dossier.result_approved = "5 Yersin, Nha Trang", True, None
    dossier.fee, dossier.supplement_count, dossier.late2_at = Decimal("12500"), 3, received.submitted_at
    insert(dossier, [])
    saved = Dossier.objects.get(pk=dossier.pk)
    skip = {"id", "code", "register_line", "lookup_key", "created_at", "updated_at"}
    fields = [f.attname for f in Dossier._meta.concrete_fields if f.attname not in skip]
    assert {name: getattr(saved, name) for name in fields} == {name: getattr(dossier, name) for name in fields}
    assert (saved.return_by_proxy, saved.fee, saved.supplement_count) == (True, Decimal("12500"), 3)


def test_cannot_insert_a_value_longer_than_its_column_rather_than_cut_it(world, receive):
    dossier = new_dossier(receive())
    dossier.applicant_phone = "0" * 17  # varchar(16)
    with pytest.raises(DataError, match="too long"):
        insert(dossier, [])


def test_does_send_each_kind_of_prepared_value_as_its_column_reads_it():
    """The children go as one JSON parameter: values json.dumps does not know become what PostgreSQL's
    input for the column reads; anything else is refused rather than sent wrong."""
    from datetime import UTC, date, datetime, time
    from uuid import UUID

    from psycopg.types.json import Jsonb

    from dossiers.db.bulk import _json_value

    moment = datetime(2026, 12, 6, 5, 30, 1, 250000, tzinfo=UTC)
    assert _json_value(moment) == "2026-12-06T05:30:01.250000+00:00"
    assert (_json_value(date(2026, 2, 17)), _json_value(time(7, 30))) == ("2026-02-17", "07:30:00")
    assert _json_value(Decimal("12500.50")) == "12500.50"
    assert _json_value(UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert _json_value(Jsonb({"due_at": "x", "n": [1, 2]})) == {"due_at": "x", "n": [1, 2]}
    with pytest.raises(TypeError, match="JSON null"):
        _json_value(Jsonb(None))  # it would arrive as SQL NULL
    with pytest.raises(TypeError, match="bytes"):
        _json_value(b"\x00")


def test_does_keep_text_that_looks_like_json_or_holds_quotes_as_it_is(world, receive):
    dossier, now = new_dossier(receive()), timezone.now()
    texts = ['{"a": 1}', 'Trả lời "ngay"\n\\ tab\t', "null", "ư" * 3]
    events = [DossierEvent(dossier=dossier, action="note", reason=t, effective_at=now, data=t) for t in texts]
    insert(dossier, [Children(events)])
    saved = list(DossierEvent.objects.filter(dossier=dossier).order_by("pk").values_list("reason", "data"))
    assert saved == [(t, t) for t in texts]  # a JSON string stays a string, text stays text
