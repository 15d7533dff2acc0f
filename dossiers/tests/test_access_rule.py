"""The access rule itself (dossiers/access.py): how a unit comes to see a dossier.

The matrix of roles × units × surfaces is test_access.py."""

import pytest
from django.contrib.auth import get_user_model

from dossiers.access import dossier_filter, grant_of
from dossiers.models import Dossier
from dossiers.services.routing import dossier_transition
from dossiers.tests.factories import UnitFactory, UserFactory


@pytest.mark.django_db
def test_does_show_an_officer_the_dossiers_their_unit_received_leads_holds_or_handled(world, receive):
    """Each way a unit touches a dossier makes it visible to the unit's officers, and only those."""
    root = get_user_model().objects.create(username="root", is_superuser=True)
    d = receive()  # received at the centre; the agency leads it
    held = world["other_agency"]
    assert set(Dossier.objects.filter(dossier_filter({world["centre"].pk}))) == {d}  # received
    assert set(Dossier.objects.filter(dossier_filter({world["agency"].pk}))) == {d}  # leads
    assert not Dossier.objects.filter(dossier_filter({held.pk})).exists()
    dossier_transition(dossier_id=d.pk, action="transfer", actor=root, to_unit=held)  # holds
    assert set(Dossier.objects.filter(dossier_filter({held.pk}))) == {d}
    dossier_transition(dossier_id=d.pk, action="transfer", actor=root)  # back to the template's next step
    assert Dossier.objects.get(pk=d.pk).current_unit != held
    assert set(Dossier.objects.filter(dossier_filter({held.pk}))) == {d}  # handled a step


@pytest.mark.django_db
def test_cannot_see_a_dossier_a_unit_is_only_planned_to_handle(world, receive):
    planned = UnitFactory(code="000.00.09.H56", name="Sở Xây dựng")
    world["procedure"].steps.filter(position=3).update(unit=planned)
    receive()
    assert not Dossier.objects.filter(dossier_filter({planned.pk})).exists()


@pytest.mark.django_db
def test_cannot_see_anything_when_a_member_has_no_staff_role(world, receive):
    receive()
    member = UserFactory(username="member", roles=[], units=[world["centre"]])
    admin = UserFactory(username="it_admin", roles=["admin"], units=[world["centre"]])
    assert not Dossier.objects.visible_to(member).exists()
    assert not Dossier.objects.visible_to(admin).exists()
    assert grant_of(member).sees == frozenset()


@pytest.mark.django_db
def test_does_agree_with_the_receipts_clerk_check_in_sql(world):
    """The receipt's prepared statement asks the same rule as Grant.acts_in (dossiers/access.py)."""
    from dossiers.services.intake import receiving_units

    for user in (world["clerk"], world["other_clerk"], world["specialist"], world["supervisor"]):
        for unit in (world["centre"], world["other_centre"]):
            [found], _versions = receiving_units(user, unit.code)
            assert found.clerk_check_answer == grant_of(user).acts_in(unit.pk, {"counter_clerk"}), (user, unit)
