"""Writes are explicit (issue 14): each write path that changes what the public sees of a dossier
forgets its cached lookup answers once it commits, and each bulk write of the catalogue bumps the
catalogue version itself (no overridden QuerySet methods, no post_save receiver)."""

import pytest
import time_machine

from dossiers.models import ReferenceVersion, Status
from dossiers.services.apologies import apology_issue
from dossiers.services.calendar_days import calendar_day_set
from dossiers.services.catalogue import procedure_details_replace
from dossiers.services.recompute import calendar_recompute_pending
from dossiers.services.routing import dossier_transition
from dossiers.tests.conftest import local

pytestmark = pytest.mark.django_db


def answer(client, dossier) -> dict:
    response = client.get(f"/api/v1/public/dossiers/{dossier.code}", {"key": dossier.lookup_key})
    assert response.status_code == 200, response.content
    return response.json()


def travel(*args):
    return time_machine.travel(local(*args), tick=False)


@pytest.fixture
def transferred(world, receive):
    """Received Mon 09/03/2026 10:00 (due Mon 23/03 10:00), at the agency."""
    with travel(2026, 3, 9, 10, 0):
        return dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])


def test_does_forget_the_answer_when_the_status_changes(client, world, receive, django_capture_on_commit_callbacks):
    dossier = receive()
    assert answer(client, dossier)["status"] == Status.RECEIVED
    with django_capture_on_commit_callbacks(execute=True):
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    assert answer(client, dossier)["status"] == Status.PROCESSING


def test_cannot_forget_the_answer_before_the_change_commits(client, world, receive, django_capture_on_commit_callbacks):
    dossier = receive()
    before = answer(client, dossier)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
        assert answer(client, dossier) == before  # not committed: the cached answer still stands
    assert callbacks


def test_does_forget_the_answer_when_an_apology_is_signed(
    client, world, transferred, django_capture_on_commit_callbacks
):
    with travel(2026, 3, 25, 9, 0):
        assert answer(client, transferred)["apologies"] == []
        with django_capture_on_commit_callbacks(execute=True):
            apology_issue(
                dossier_id=transferred.pk,
                actor=world["leader"],
                reason="Chờ kết quả xác minh của Công an tỉnh",
                new_due_at=local(2026, 3, 31, 17, 30),
            )
        after = answer(client, transferred)
    assert [a["reason"] for a in after["apologies"]] == ["Chờ kết quả xác minh của Công an tỉnh"]
    assert after["due_at"].startswith("2026-03-31T17:30")


def test_does_forget_the_answer_when_the_result_is_ready(
    client, world, transferred, django_capture_on_commit_callbacks
):
    with travel(2026, 3, 16, 10, 0):
        dossier_transition(dossier_id=transferred.pk, action="transfer", actor=world["specialist"])
        assert answer(client, transferred)["status"] == Status.PROCESSING
    with travel(2026, 3, 16, 11, 0):  # the status is also cached by the row's updated_at
        with django_capture_on_commit_callbacks(execute=True):
            dossier_transition(dossier_id=transferred.pk, action="complete", actor=world["leader"])
        assert answer(client, transferred)["status"] == Status.DONE


def test_does_forget_the_answers_when_a_calendar_change_moves_the_appointments(
    client, transferred, django_capture_on_commit_callbacks
):
    with travel(2026, 3, 10, 9, 0):
        assert answer(client, transferred)["due_at"].startswith("2026-03-23T10:00")
        calendar_day_set(day=local(2026, 3, 16).date(), is_working=False, name="Nghỉ bù thử nghiệm")
        with django_capture_on_commit_callbacks(execute=True):
            assert calendar_recompute_pending() == 1
        after = answer(client, transferred)
    assert after["due_at"].startswith("2026-03-24T10:00")
    assert after["timeline"][-1]["action"] == "calendar_recompute"


def catalogue_version() -> int:
    return ReferenceVersion.objects.get(pk=1).catalogue


def test_does_bump_the_catalogue_when_the_details_are_replaced_in_bulk(world):
    documents = list(world["procedure"].documents.order_by("position"))
    assert documents
    for document in documents:
        document.name += " (bản mới)"
    before = catalogue_version()
    assert procedure_details_replace(details=[(world["procedure"], documents, None)]) == len(documents)
    assert catalogue_version() > before


def test_does_leave_the_catalogue_alone_when_the_bulk_replace_writes_nothing(world):
    before = catalogue_version()
    assert procedure_details_replace(details=[(world["procedure"], None, None)]) == 0
    assert catalogue_version() == before
