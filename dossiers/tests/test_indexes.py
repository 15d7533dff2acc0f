"""The indexes the hot staff queries need are there and usable (PostgreSQL plans).

Sequential scans are switched off so that the tiny test tables cannot hide an index whose
expression or predicate no longer matches the SQL Django writes."""

import pytest
from django.db import connection, transaction

from dossiers.models import Dossier, Status

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan(queryset, *, sort: bool = True) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:  # a plan that sorts only when no index gives the order
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_does_search_by_name_code_and_phone_through_the_trigram_indexes(receive):
    receive()
    text = plan(Dossier.objects.search("Nguyễn").order_by().only("id"))
    assert "dossier_code_trgm_idx" in text and "dossier_name_trgm_idx" in text, text
    text = plan(Dossier.objects.search("0905123456").order_by().only("id"))
    assert {"dossier_code_trgm_idx", "dossier_name_trgm_idx", "dossier_phone_trgm_idx"} <= {
        name for name in ("dossier_code_trgm_idx", "dossier_name_trgm_idx", "dossier_phone_trgm_idx") if name in text
    }, text
    assert "Seq Scan" not in text, text


def test_does_read_a_queue_page_off_the_queue_index_without_sorting(world, receive):
    dossier = receive()
    queue = Dossier.objects.filter(current_unit=dossier.current_unit, status=Status.RECEIVED).order_by("due_at", "id")
    text = plan(queue[:50], sort=False)
    assert "dossier_queue_idx" in text and "Sort" not in text, text
