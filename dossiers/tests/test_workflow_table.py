"""The action table (dossiers/workflow.py, issue 14 point 1): every row is complete and
consistent, and one new row is all the staff page, the public timeline and the print links need."""

import pytest
from django.urls import reverse

from dossiers import workflow
from dossiers.models import Status
from dossiers.models.dossier import FINISHED
from dossiers.services.notify import KINDS
from dossiers.services.routing import dossier_transition
from dossiers.workflow import ACTIONS, Action, PrintForm, Wording

WAITING = {Status.SUPPLEMENT, Status.PAYMENT}


@pytest.mark.parametrize("action", ACTIONS.values(), ids=list(ACTIONS))
def test_does_give_every_action_a_label_public_words_and_known_effects(action):
    assert str(action.label) and action.sources and action.roles <= workflow.OFFICERS
    assert action.where in workflow.WHERE and action.clock in workflow.CLOCK_EFFECTS
    assert action.steps in workflow.STEP_EFFECTS and action.asks <= set(workflow.ASKS)
    assert not action.notify or action.notify in KINDS
    assert all(str(form.label) for form in action.forms)
    # accept's public line is the "receive" event that reception records
    wording = action.public or workflow.EVENTS["receive"].public
    assert wording is not None and str(wording.title)
    assert workflow.event_label(action.name) == action.label and workflow.public_wording(action.name) == action.public


@pytest.mark.parametrize("action", ACTIONS.values(), ids=list(ACTIONS))
def test_does_keep_the_clock_effect_consistent_with_the_statuses(action):
    """The clock stops exactly when the dossier finishes (except the hand-over of a result whose
    clock stopped at `complete`), waits exactly while the citizen has to act, and a resumption
    tells the citizen the new appointment."""
    finishing = action.target in FINISHED and not action.sources <= FINISHED
    assert (action.clock == workflow.STOP) == finishing
    assert (action.clock == workflow.PAUSE) == (action.target in WAITING)
    assert (action.clock == workflow.RESUME) == (action.sources <= WAITING)
    if action.clock == workflow.RESUME:
        assert action.public.due_key == "due_at"
    assert action.reason <= (action.public is None or action.public.shows_reason)


def test_does_derive_the_transitions_from_the_table():
    assert workflow.TRANSITIONS[Status.SUPPLEMENT] == {Status.PROCESSING, Status.WITHDRAWN, Status.STOPPED}
    assert workflow.TRANSITIONS[Status.RETURNED] == frozenset()
    assert [a.name for a in workflow.allowed_actions(Status.SUBMITTED)] == [
        "accept",
        "request_completion",
        "refuse",
        "withdraw",
    ]


def test_does_fall_back_to_the_code_when_an_event_has_no_row():
    assert workflow.event_label("apology") == workflow.EVENTS["apology"].label
    assert workflow.event_label("something_new") == "something_new"
    assert workflow.public_wording("claim") is None and workflow.public_wording("something_new") is None


REMIND = Action(
    name="remind",
    sources=frozenset({Status.PROCESSING}),
    target=Status.PROCESSING,
    roles=workflow.OFFICERS,
    where=workflow.CURRENT,
    label="Nhắc cơ quan phối hợp",
    public=Wording("Đã nhắc cơ quan phối hợp trả lời", shows_reason=True),
    reason=True,
    forms=(PrintForm("staff:print-control", "In phiếu nhắc (thử)"),),
)


@pytest.mark.django_db
def test_does_need_only_one_row_when_an_action_is_added(monkeypatch, client, world, receive):
    monkeypatch.setitem(workflow.ACTIONS, "remind", REMIND)
    dossier = receive()
    dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    client.force_login(world["specialist"])
    page = client.get(reverse("staff:dossier", args=[dossier.code])).content.decode()
    assert 'id="action-remind"' in page and 'name="reason"' in page
    posted = client.post(
        reverse("staff:act", args=[dossier.code]),
        {"action": "remind", "reason": "Quá 3 ngày chưa có ý kiến", "version": dossier.version + 1},
    )
    assert posted.status_code == 302
    page = client.get(reverse("staff:dossier", args=[dossier.code])).content.decode()
    assert "Nhắc cơ quan phối hợp" in page and "In phiếu nhắc (thử)" in page
    dossier.refresh_from_db()
    public = client.get(f"/tra-cuu/{dossier.code}/", {"key": dossier.lookup_key}).content.decode()
    assert "Đã nhắc cơ quan phối hợp trả lời" in public and "Quá 3 ngày chưa có ý kiến" in public
