"""Concurrent clerks on PostgreSQL: no duplicate or missing code, no lost update."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from dossiers.errors import Conflict
from dossiers.models import Dossier, DossierEvent, IdempotencyRecord
from dossiers.services.routing import dossier_transition
from dossiers.services.tokens import api_token_create
from dossiers.tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 8


def run_together(n: int, fn):
    """Run fn(i) in n threads released at the same moment; return results or exceptions."""
    barrier = threading.Barrier(n)

    def call(i):
        try:
            barrier.wait(timeout=10)
            return fn(i)
        except Exception as exc:  # noqa: BLE001 — the caller inspects what each thread got
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(call, range(n)))


def test_does_issue_gapless_unique_codes_when_clerks_receive_in_parallel(world, receive):
    results = run_together(WORKERS * 2, lambda i: receive().code)
    assert all(isinstance(r, str) for r in results), results
    numbers = sorted(int(code[-4:]) for code in results)
    assert numbers == list(range(1, WORKERS * 2 + 1))


def test_does_give_the_number_back_when_a_receipt_rolls_back(world, receive):
    from django.db import transaction

    first = receive().code
    with pytest.raises(RuntimeError), transaction.atomic():
        receive()
        raise RuntimeError("the clerk's save failed")
    assert [first[-4:], receive().code[-4:]] == ["0001", "0002"]


@pytest.mark.parametrize("with_version", [False, True])
def test_does_let_exactly_one_officer_win_when_two_act_at_once(world, receive, with_version):
    dossier = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    dossier = dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["specialist"])
    version = dossier.version if with_version else None
    actors = [world["leader"], UserFactory(username="leader2", roles=["unit_leader"], units=[world["agency"]])]
    results = run_together(
        2, lambda i: dossier_transition(dossier_id=dossier.pk, action="complete", actor=actors[i], version=version)
    )
    winners = [r for r in results if isinstance(r, Dossier)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert DossierEvent.objects.filter(dossier=dossier, action="complete").count() == 1


def test_does_create_one_dossier_when_parallel_posts_share_an_idempotency_key(world):
    raw = api_token_create(user=world["clerk"])[1]
    body = {
        "procedure_code": "1.001193",
        "applicant": {"name": "Phạm Minh Đức", "id_number": "056190004321", "phone": "0935111222"},
    }

    def post(i):
        response = Client().post(
            "/api/v1/dossiers",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
            HTTP_IDEMPOTENCY_KEY="same-key",
        )
        return response.status_code, response.json()

    results = run_together(WORKERS, post)
    answers = [r for r in results if not isinstance(r, Exception)]
    assert len(answers) == WORKERS, results
    assert {status for status, _ in answers} == {201}
    assert len({body["code"] for _, body in answers}) == 1
    assert Dossier.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
    assert connection.vendor == "postgresql"
