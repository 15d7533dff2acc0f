"""A receipt is all or nothing on every database: a failure after the dossier's insert leaves
no dossier, no event, no outbox row, and gives the day's number back."""

import pytest
import time_machine

from dossiers.models import ClockEntry, Dossier, DossierEvent, DossierStep, OutboxMessage
from dossiers.services import intake

from .fixtures import local

# Autocommit, as a request runs: the service's own transaction is the only one.
pytestmark = pytest.mark.django_db(transaction=True)


class AfterInsert(Exception):
    pass


def fail(*args, **kwargs):
    raise AfterInsert


def nothing_written() -> bool:
    tables = (Dossier, DossierEvent, OutboxMessage, ClockEntry, DossierStep)
    return not any(model.objects.exists() for model in tables)


@pytest.mark.parametrize("later_step", ["change_written", "outbox_kick_on_commit"])
@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_write_nothing_when_a_receipt_fails_after_its_insert(world, receive, monkeypatch, later_step):
    monkeypatch.setattr(intake, later_step, fail)
    with pytest.raises(AfterInsert):
        receive()
    assert nothing_written()
    monkeypatch.undo()
    assert receive().code.endswith("-260309-0001")  # the number was given back


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_write_nothing_when_a_submission_fails_after_its_insert(world, receive, monkeypatch):
    monkeypatch.setattr(intake, "change_written", fail)
    with pytest.raises(AfterInsert):
        receive(channel="online", submit_only=True)
    assert nothing_written()
