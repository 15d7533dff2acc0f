"""The petition action table (feedback/workflow.py): every row complete, and read by the
services, the API's form and the staff page."""

import pytest

from feedback import workflow
from feedback.forms import PetitionActionForm
from feedback.models import PetitionStatus
from feedback.services.petitions import SERVICES
from feedback.workflow import PETITION_ACTIONS


@pytest.mark.parametrize("action", PETITION_ACTIONS.values(), ids=list(PETITION_ACTIONS))
def test_does_give_every_petition_action_a_label_a_service_and_known_effects(action):
    assert str(action.label) and action.sources and action.target in PetitionStatus.values
    assert action.asks <= set(workflow.ASKS) and action.name in SERVICES
    assert workflow.event_label(action.name) == action.label
    # the 15 days start again only for a petition back with a unit that handles it
    assert not action.restarts_clock or action.target == PetitionStatus.RECEIVED


def test_does_offer_exactly_the_table_when_an_action_is_posted():
    assert set(SERVICES) == set(PETITION_ACTIONS)
    assert {value for value, _label in PetitionActionForm().fields["action"].choices} == set(PETITION_ACTIONS)
    assert workflow.event_label("rate_answer") == workflow.PETITION_EVENTS["rate_answer"]
    assert workflow.event_label("unknown") == "unknown"
