"""Fixtures shared by the portal's tests (the dossier fixtures come from dossiers.tests.fixtures)."""

import pytest
import time_machine

from dossiers.kpi.facts import kpi_facts_rebuild
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local


@pytest.fixture
def history(world, receive):
    """Two dossiers received 09/03/2026: one finished early on 13/03, one still open (late)."""
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        done, _open = receive(), receive(channel="online")
        dossier_transition(dossier_id=done.pk, action="transfer", actor=world["clerk"])
    with time_machine.travel(local(2026, 3, 13, 10, 0), tick=False):
        dossier_transition(dossier_id=done.pk, action="transfer", actor=world["specialist"])
        dossier_transition(dossier_id=done.pk, action="complete", actor=world["leader"])
    kpi_facts_rebuild()
    return world
