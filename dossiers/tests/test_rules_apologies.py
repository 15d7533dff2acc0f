"""Apology rules of issues 13 and 16 (docs/rules-workflow.md): the unit whose step overran is at
fault (it drafts, lateness is its, its head signs); Mẫu 04 names the receipt's appointment; one new
appointment by default; the head returns a draft with a comment or edits it."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from dossiers.errors import Conflict, Forbidden, InvalidInput
from dossiers.models import Apology, Dossier
from dossiers.services import apologies
from dossiers.services.apologies import (
    apology_can_draft,
    apology_draft,
    apology_edit,
    apology_issue,
    apology_return,
    apology_sign,
)
from dossiers.services.routing import dossier_transition
from dossiers.services.watch import watch_flag
from dossiers.tests.conftest import local
from dossiers.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def act(dossier, action, user, at, **kwargs):
    with time_machine.travel(at, tick=False):
        return dossier_transition(dossier_id=dossier.pk, action=action, actor=user, **kwargs)


@pytest.fixture
def at_agency(world, receive):
    """Received Mon 09/03/2026 10:00 (due Mon 23/03/2026 10:00); the agency's appraisal (56 working
    hours) is due Wed 18/03/2026 10:00."""
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        return dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])


@pytest.fixture
def overran_then_passed_on(world, at_agency):
    """The agency's appraisal overran (handed on Mon 23/03 09:00, five days late) to the other agency,
    which holds it, within its own budget, when the appointment passes at 10:00."""
    dossier = act(at_agency, "transfer", world["specialist"], local(2026, 3, 23, 9, 0), to_unit=world["other_agency"])
    appraisal = dossier.steps.get(name="Thẩm định")
    assert (appraisal.due_at, appraisal.timeliness) == (local(2026, 3, 18, 10, 0), "late")
    return dossier


def test_does_attribute_lateness_to_the_unit_whose_step_overran_when_another_holds_the_dossier(
    world, overran_then_passed_on
):
    watch_flag(at=local(2026, 3, 23, 10, 1))
    dossier = Dossier.objects.get(pk=overran_then_passed_on.pk)
    assert dossier.current_unit == world["other_agency"]  # it holds the dossier at the appointment…
    assert (dossier.late_unit, dossier.late_assignee) == (world["agency"], world["specialist"])  # …the agency overran


def test_does_attribute_lateness_to_the_overrunning_unit_when_a_late_dossier_is_finished(world, at_agency):
    act(at_agency, "transfer", world["specialist"], local(2026, 3, 20, 9, 0))  # appraisal 2 days over its budget
    done = act(at_agency, "complete", world["leader"], local(2026, 3, 24, 9, 0))
    assert done.timeliness == "late" and (done.late_unit, done.late_assignee) == (world["agency"], world["specialist"])


def test_does_let_only_the_unit_at_fault_draft_and_its_head_sign_when_another_unit_holds_it(
    world, overran_then_passed_on
):
    holder = UserFactory(username="spec-tc", roles=["specialist"], units=[world["other_agency"]])
    with time_machine.travel(local(2026, 3, 23, 9, 30), tick=False):
        assert not apology_can_draft(holder, overran_then_passed_on)
        with pytest.raises(Forbidden) as exc:
            apology_draft(dossier_id=overran_then_passed_on.pk, actor=holder, reason="x", extension_days=Decimal(1))
        assert exc.value.message == apologies.NOT_AT_FAULT
        assert apology_can_draft(world["specialist"], overran_then_passed_on)
        draft = apology_draft(
            dossier_id=overran_then_passed_on.pk,
            actor=world["specialist"],
            reason="Thẩm định kéo dài",
            extension_days=2,
        )
    assert draft.unit == world["agency"] and draft.new_due_at == local(2026, 3, 25, 10, 0)
    with time_machine.travel(local(2026, 3, 23, 9, 45), tick=False):
        signed = apology_sign(apology_id=draft.pk, actor=world["leader"])
    assert signed.number.endswith("/2026/VBXL-000.00.02.H56") and signed.signed_by == world["leader"]


def test_does_let_the_configured_role_sign_when_the_signer_role_is_changed(settings, world, at_agency):
    settings.PORTAL_APOLOGY_SIGNER_ROLE = "supervisor"
    director = UserFactory(username="giam-doc", roles=["supervisor"], units=[world["agency"]])
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        draft = apology_draft(dossier_id=at_agency.pk, actor=world["specialist"], reason="Chờ", extension_days=1)
        with pytest.raises(Forbidden):
            apology_sign(apology_id=draft.pk, actor=world["leader"])
        assert apology_sign(apology_id=draft.pk, actor=director).status == Apology.Status.SIGNED


def test_cannot_give_a_second_new_appointment_when_the_limit_is_the_default(world, at_agency):
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        apology_issue(dossier_id=at_agency.pk, actor=world["leader"], reason="Lần 1", new_due_at=local(2026, 3, 26, 10))
        with pytest.raises(Conflict) as exc:
            apology_issue(
                dossier_id=at_agency.pk, actor=world["leader"], reason="Lần 2", new_due_at=local(2026, 4, 1, 9)
            )
    assert exc.value.code == "extension_cap" and exc.value.message == apologies.CAP_REACHED % {"n": 1}
    assert Dossier.objects.get(pk=at_agency.pk).extension_count == 1


def test_does_print_the_receipts_appointment_when_a_second_apology_is_issued(client, settings, world, at_agency):
    settings.PORTAL_MAX_EXTENSIONS = 2
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        apology_issue(dossier_id=at_agency.pk, actor=world["leader"], reason="Lần 1", new_due_at=local(2026, 3, 26, 10))
    with time_machine.travel(local(2026, 3, 25, 9, 0), tick=False):
        second = apology_issue(
            dossier_id=at_agency.pk, actor=world["leader"], reason="Lần 2", new_due_at=local(2026, 3, 31, 10)
        )
    assert second.original_due_at == local(2026, 3, 26, 10, 0)  # the appointment it moves
    client.force_login(world["leader"])
    html = client.get(reverse("staff:print-apology", args=[second.pk])).content.decode()
    line = html.split('class="line original-due"')[1].split("</p>")[0]
    assert "10 giờ 00 phút, ngày 23/03/2026" in line and "26/03/2026" not in line
    assert "hẹn lại ngày trả kết quả vào 10 giờ 00 phút, ngày 31/03/2026" in html


@pytest.fixture
def draft(world, at_agency):
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        return apology_draft(dossier_id=at_agency.pk, actor=world["specialist"], reason="Chờ", extension_days=3)


def test_does_return_a_draft_with_a_comment_and_take_it_back_when_edited(world, draft):
    with time_machine.travel(local(2026, 3, 20, 10, 0), tick=False):
        with pytest.raises(InvalidInput):
            apology_return(apology_id=draft.pk, actor=world["leader"], comment="  ")
        with pytest.raises(Forbidden):
            apology_return(apology_id=draft.pk, actor=world["specialist"], comment="Tự trả lại")
        returned = apology_return(apology_id=draft.pk, actor=world["leader"], comment="Nêu rõ lý do chờ Công an")
    assert returned.status == Apology.Status.RETURNED and returned.review_comment == "Nêu rõ lý do chờ Công an"
    with pytest.raises(Conflict):
        apology_sign(apology_id=draft.pk, actor=world["leader"])  # a returned draft is not signed
    with time_machine.travel(local(2026, 3, 20, 11, 0), tick=False):
        edited = apology_edit(
            apology_id=draft.pk,
            actor=world["specialist"],
            reason="Chờ kết quả xác minh của Công an tỉnh",
            extension_days=2,
        )
    assert edited.status == Apology.Status.DRAFT and edited.new_due_at == local(2026, 3, 25, 10, 0)
    events = draft.dossier.events.filter(action__in=["apology_return", "apology_edit"]).order_by("id")
    assert [(e.action, e.actor, e.reason, e.is_public) for e in events] == [
        ("apology_return", world["leader"], "Nêu rõ lý do chờ Công an", False),
        ("apology_edit", world["specialist"], "Chờ kết quả xác minh của Công an tỉnh", False),
    ]
    assert events[1].data["before"] == {"reason": "Chờ", "new_due_at": "2026-03-26T03:00:00+00:00"}


def test_does_let_the_head_edit_a_draft_and_nobody_outside_the_unit(world, draft):
    with time_machine.travel(local(2026, 3, 20, 10, 0), tick=False):
        edited = apology_edit(
            apology_id=draft.pk, actor=world["leader"], reason="Chờ", new_due_at=local(2026, 3, 27, 17, 30)
        )
        assert edited.new_due_at == local(2026, 3, 27, 17, 30) and edited.extension_days is None
        with pytest.raises(Forbidden) as exc:
            apology_edit(apology_id=draft.pk, actor=world["outsider"], reason="x", extension_days=1)
    assert exc.value.message == apologies.NOT_EDITABLE


def test_does_offer_the_apology_only_to_the_unit_at_fault_on_the_dossier_page(client, world, at_agency):
    url = reverse("staff:dossier", args=[at_agency.code])
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        client.force_login(world["clerk"])  # sees the dossier (its counter received it), is not at fault
        assert 'id="apology-new"' not in client.get(url).content.decode()
        client.force_login(world["specialist"])
        assert 'id="apology-new"' in client.get(url).content.decode()


def test_does_return_and_edit_through_the_apology_pages(client, world, draft):
    url = reverse("staff:apology", args=[draft.pk])
    with time_machine.travel(local(2026, 3, 20, 10, 0), tick=False):
        client.force_login(world["specialist"])
        page = client.get(url).content.decode()
        assert 'id="return-form"' not in page and 'id="sign-form"' not in page and 'id="edit-link"' in page
        client.force_login(world["leader"])
        assert 'id="return-form"' in client.get(url).content.decode()
        response = client.post(url, {"op": "return", "comment": "Bổ sung lý do"})
        assert response.status_code == 302 and Apology.objects.get(pk=draft.pk).status == Apology.Status.RETURNED
        client.force_login(world["specialist"])
        edit = reverse("staff:apology-edit", args=[draft.pk])
        assert "Bổ sung lý do" in client.get(edit).content.decode()
        response = client.post(edit, {"reason": "Chờ ý kiến Sở Xây dựng", "extension_days": "1"})
    apology = Apology.objects.get(pk=draft.pk)
    assert response.status_code == 302 and apology.status == Apology.Status.DRAFT
    assert (apology.reason, apology.new_due_at) == ("Chờ ý kiến Sở Xây dựng", local(2026, 3, 24, 10, 0))
