"""The indexes the hot staff queries need are there and usable (PostgreSQL plans)."""

import pytest

from dossiers.models import Dossier, Status
from dossiers.tests.plans import explain_queryset as plan

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_does_search_by_name_code_and_phone_through_the_trigram_indexes(receive):
    receive()
    text = plan(Dossier.objects.search("Nguyễn").order_by().only("id"))
    assert "dossier_code_trgm_idx" in text and "dossier_name_fold_trgm_idx" in text, text
    text = plan(Dossier.objects.search("0905123456").order_by().only("id"))
    trigram = ("dossier_code_trgm_idx", "dossier_name_fold_trgm_idx", "dossier_phone_trgm_idx")
    assert all(name in text for name in trigram), text
    assert "Seq Scan" not in text, text


def test_does_read_a_whole_name_search_page_off_the_name_index_without_sorting(receive):
    receive()
    page = Dossier.objects.search("tran thi binh").only("id")[:50]  # the world's applicant: Trần Thị Bình
    text = plan(page, sort=False)
    assert "dossier_name_fold_idx" in text and "Sort" not in text, text
    assert "trgm" not in text, text


def test_does_read_a_queue_page_off_the_queue_index_without_sorting(world, receive):
    dossier = receive()
    queue = Dossier.objects.filter(current_unit=dossier.current_unit, status=Status.RECEIVED).order_by("due_at", "id")
    # The "unit" tab's index (any open status, by date) implies status = 2 and can look as cheap on a few rows.
    text = plan(queue[:50], sort=False, drop="dossier_unit_open_due_idx")
    assert "dossier_queue_idx" in text and "Sort" not in text, text


def test_does_read_a_centres_register_page_off_its_index_without_sorting(world, receive):
    from dossiers import printing
    from dossiers.keyset import AFTER, beyond

    dossier = receive()
    register = printing.register_queryset(Dossier.objects.all(), {"unit": dossier.receiving_unit})
    text = plan(register[:51], sort=False)
    assert "dossier_register_unit_idx" in text and "Sort" not in text, text
    following = register.filter(beyond(printing.REGISTER_ORDER, (dossier.received_at, dossier.pk), AFTER))
    text = plan(following[:51], sort=False)
    assert "dossier_register_unit_idx" in text and "Sort" not in text, text
    assert "Index Cond" in text and "received_at >=" in text, text  # starts at the cursor, not the centre's first row


def test_does_count_the_queue_tabs_off_the_queue_access_index(world, receive):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dossiers import queues
    from dossiers.tests.plans import explain

    receive()
    now = timezone.now()
    ctx = queues.queue_context(world["clerk"], now=now, soon=now)
    with CaptureQueriesContext(connection) as captured:
        queues.queue_counts(Dossier.objects.visible_to(world["clerk"]), ctx, queues.queues_for(ctx))
    aggregate, done = (q["sql"] for q in captured.captured_queries[-2:])
    # On a few rows dossier_open_due_idx and dossier_unit_open_due_idx (predicates the query implies, no
    # access columns) can look as cheap.
    text = explain(aggregate, bitmap=False, drop="dossier_open_due_idx,dossier_unit_open_due_idx")
    assert "FILTER" in aggregate and "Index Only Scan using dossier_queue_access_idx" in text, text
    text = explain(done, bitmap=False)
    assert "Index Only Scan using dossier_done_queue_idx" in text, text


@pytest.mark.parametrize(
    ("tab", "index"),
    [
        ("done", "dossier_done_queue_idx"),  # results to return, in the order they were finished
        ("unit", "dossier_unit_open_due_idx"),  # a unit's open dossiers, in appointment order
    ],
)
def test_does_read_a_tabs_first_page_off_its_index_in_order(world, receive, tab, index):
    from django.utils import timezone

    from dossiers import queues

    receive()
    now = timezone.now()
    ctx = queues.queue_context(world["clerk"], now=now, soon=now)
    page = queues.queue_dossiers(Dossier.objects.visible_to(world["clerk"]), ctx, queues.BY_KEY[tab])[:50]
    text = plan(page, sort=False, bitmap=False)
    assert index in text and "Sort" not in text, text
