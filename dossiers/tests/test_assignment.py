"""Claiming and assigning a dossier (issue 16 point 10): services.assignment and its surfaces."""

import pytest
from django.urls import reverse

from dossiers.errors import Forbidden, InvalidInput, InvalidTransition
from dossiers.models import Dossier, DossierEvent
from dossiers.services.assignment import NOT_AN_OFFICER, NOT_HOLDING, NOT_LEADER, dossier_assign
from dossiers.services.routing import dossier_transition
from dossiers.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOME = reverse("staff:home")


@pytest.fixture
def at_agency(world, receive):
    """A dossier at the agency's appraisal step (specialist), nobody assigned."""
    d = receive()
    return dossier_transition(dossier_id=d.pk, action="transfer", actor=world["clerk"])


def test_does_give_the_step_to_the_officer_who_claims_it(world, at_agency):
    d = dossier_assign(dossier_id=at_agency.pk, actor=world["specialist"], assignee=world["specialist"])
    assert d.assignee == world["specialist"] and d.version == at_agency.version + 1
    step = d.steps.get(started_at__isnull=False, finished_at=None)
    assert (step.name, step.receiver) == ("Thẩm định", world["specialist"])
    event = DossierEvent.objects.get(dossier=d, action="claim")
    assert (event.actor, event.data["assignee"], event.data["step"], event.is_public) == (
        world["specialist"],
        "spec",
        "Thẩm định",
        False,
    )


def test_does_let_the_leader_assign_an_officer_of_the_unit_with_a_note(world, at_agency):
    d = dossier_assign(dossier_id=at_agency.pk, actor=world["leader"], assignee=world["specialist"], reason="Hồ sơ gấp")
    assert d.assignee == world["specialist"]
    event = DossierEvent.objects.get(dossier=d, action="assign")
    assert (event.actor, event.reason, event.data["assignee_name"]) == (world["leader"], "Hồ sơ gấp", "Nguyễn Văn A")


def test_cannot_claim_when_the_officer_is_not_of_the_unit_holding_it(world, at_agency):
    with pytest.raises(Forbidden) as caught:
        dossier_assign(dossier_id=at_agency.pk, actor=world["clerk"], assignee=world["clerk"])
    assert caught.value.message == NOT_HOLDING
    assert Dossier.objects.get(pk=at_agency.pk).assignee is None


def test_cannot_assign_when_the_actor_is_no_leader_of_the_unit(world, at_agency):
    other = UserFactory(username="spec2", roles=["specialist"], units=[world["agency"]])
    with pytest.raises(Forbidden) as caught:
        dossier_assign(dossier_id=at_agency.pk, actor=world["specialist"], assignee=other)
    assert caught.value.message == NOT_LEADER


def test_cannot_assign_to_someone_outside_the_unit_holding_it(world, at_agency):
    with pytest.raises(InvalidInput) as caught:
        dossier_assign(dossier_id=at_agency.pk, actor=world["leader"], assignee=world["outsider"])
    assert caught.value.fields == {"assignee": NOT_AN_OFFICER}
    assert not DossierEvent.objects.filter(dossier=at_agency, action="assign").exists()


def test_cannot_assign_a_finished_dossier(world, at_agency):
    dossier_transition(dossier_id=at_agency.pk, action="transfer", actor=world["specialist"])  # to "Ký duyệt"
    dossier_transition(dossier_id=at_agency.pk, action="complete", actor=world["leader"])
    with pytest.raises(InvalidTransition):
        dossier_assign(dossier_id=at_agency.pk, actor=world["leader"], assignee=world["specialist"])


def test_does_forget_the_assignee_when_the_dossier_moves_on(world, at_agency):
    dossier_assign(dossier_id=at_agency.pk, actor=world["specialist"], assignee=world["specialist"])
    d = dossier_transition(dossier_id=at_agency.pk, action="transfer", actor=world["specialist"])
    assert d.assignee is None and d.current_unit == world["agency"]


def test_does_list_in_my_step_only_unassigned_dossiers_or_mine(client, world, receive, at_agency):
    taken = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])
    colleague = UserFactory(username="spec2", roles=["specialist"], units=[world["agency"]])
    dossier_assign(dossier_id=taken.pk, actor=colleague, assignee=colleague)
    client.force_login(world["specialist"])
    response = client.get(HOME)
    assert response.context["tab"] == "my_step"
    assert [d.code for d in response.context["page"].object_list] == [at_agency.code]
    assert [d.current_step_name for d in response.context["page"].object_list] == ["Thẩm định"]
    client.force_login(colleague)
    assert {d.code for d in client.get(HOME).context["page"].object_list} == {at_agency.code, taken.code}


def test_does_claim_from_the_dossier_page_and_show_it_in_mine(client, world, at_agency):
    client.force_login(world["specialist"])
    page = client.get(reverse("staff:dossier", args=[at_agency.code])).content.decode()
    assert 'id="claim"' in page and 'id="assign"' not in page
    response = client.post(
        reverse("staff:assign", args=[at_agency.code]), {"assignee": "spec", "version": at_agency.version}
    )
    assert response.status_code == 302
    mine = client.get(HOME, {"tab": "mine"})
    assert [d.code for d in mine.context["page"].object_list] == [at_agency.code]
    assert 'id="claim"' not in client.get(reverse("staff:dossier", args=[at_agency.code])).content.decode()


def test_does_offer_the_leader_the_units_officers_to_assign(client, world, at_agency):
    client.force_login(world["leader"])
    page = client.get(reverse("staff:dossier", args=[at_agency.code])).content.decode()
    assert 'id="assign"' in page and 'value="spec"' in page and 'value="outsider"' not in page


def test_cannot_assign_from_the_page_and_shows_why_when_the_version_is_stale(client, world, at_agency):
    client.force_login(world["leader"])
    data = {"assignee": "spec", "version": at_agency.version - 1}
    response = client.post(reverse("staff:assign", args=[at_agency.code]), data)
    assert response.status_code == 409
    assert Dossier.objects.get(pk=at_agency.pk).assignee is None


def test_does_claim_through_the_api_and_show_the_assignee(client, world, at_agency):
    from dossiers.services.tokens import api_token_create

    _token, raw = api_token_create(user=world["specialist"])
    response = client.post(
        f"/api/v1/dossiers/{at_agency.code}/assign",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200 and response.json()["assignee"] == "spec"
    response = client.post(
        f"/api/v1/dossiers/{at_agency.code}/assign",
        {"assignee": "nobody"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422 and response.json()["fields"] == {"assignee": str(NOT_AN_OFFICER)}
