"""Apologies and new appointments (Mẫu 04): drafted, signed, sent, on the clock."""

from decimal import Decimal

import pytest
import time_machine

from dossiers.errors import Conflict, Forbidden, InvalidInput
from dossiers.models import Apology, ClockEntry, Dossier, OutboxMessage
from dossiers.services import apologies
from dossiers.services.apologies import apology_draft, apology_issue, apology_sign
from dossiers.services.routing import dossier_transition
from dossiers.tests.conftest import local
from dossiers.tests.test_api_dossiers import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_agency(world, receive):
    """Received Mon 09/03/2026 10:00, due Mon 23/03/2026 10:00, held by the agency."""
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()
        return dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_does_move_the_appointment_and_keep_the_original_when_signed(world, at_agency):
    draft = apology_draft(
        dossier_id=at_agency.pk, actor=world["specialist"], reason="Chờ xác minh của Công an", extension_days=Decimal(3)
    )
    assert draft.status == Apology.Status.DRAFT and draft.new_due_at == local(2026, 3, 26, 10, 0)
    assert Dossier.objects.get(pk=at_agency.pk).due_at == local(2026, 3, 23, 10, 0)  # not before signing
    signed = apology_sign(apology_id=draft.pk, actor=world["leader"])
    dossier = Dossier.objects.get(pk=at_agency.pk)
    assert signed.status == Apology.Status.SIGNED and signed.number.endswith("/2026/VBXL-000.00.02.H56")
    assert dossier.due_at == local(2026, 3, 26, 10, 0) and dossier.due_at_original == local(2026, 3, 23, 10, 0)
    assert dossier.extension_count == 1 and not signed.issued_after_due
    assert dossier.clock.filter(kind=ClockEntry.Kind.EXTEND).count() == 1
    event = dossier.events.get(action="apology")
    assert event.is_public and event.reason == "Chờ xác minh của Công an"
    sms = OutboxMessage.objects.get(dossier=dossier, dedup_key__contains=":apology:", channel="sms")
    assert "26/03/2026" in sms.body and "Chờ xác minh của Công an" in sms.body


def test_does_record_an_apology_issued_after_the_appointment(world, at_agency):
    with time_machine.travel(local(2026, 3, 24, 9, 0), tick=False):
        apology = apology_issue(
            dossier_id=at_agency.pk,
            actor=world["leader"],
            reason="Hồ sơ phức tạp",
            new_due_at=local(2026, 3, 27, 17, 30),
        )
    assert apology.issued_after_due


def test_does_still_count_late_when_finished_after_the_original_appointment(world, at_agency):
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        apology_issue(
            dossier_id=at_agency.pk, actor=world["leader"], reason="Chờ phối hợp", new_due_at=local(2026, 3, 27, 17, 30)
        )
    with time_machine.travel(local(2026, 3, 25, 9, 0), tick=False):
        dossier_transition(dossier_id=at_agency.pk, action="transfer", actor=world["specialist"])
        dossier = dossier_transition(dossier_id=at_agency.pk, action="complete", actor=world["leader"])
    assert dossier.timeliness == "late" and not dossier.is_overdue(local(2026, 3, 25, 9, 0))


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_cannot_extend_past_the_cap(world, at_agency, settings):
    settings.PORTAL_MAX_EXTENSIONS = 1
    apology_issue(dossier_id=at_agency.pk, actor=world["leader"], reason="Lần 1", new_due_at=local(2026, 3, 25, 9))
    with pytest.raises(Conflict) as exc:
        apology_issue(dossier_id=at_agency.pk, actor=world["leader"], reason="Lần 2", new_due_at=local(2026, 4, 1, 9))
    assert exc.value.code == "extension_cap"


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_cannot_sign_unless_leader_of_the_unit_at_fault(world, at_agency):
    draft = apology_draft(dossier_id=at_agency.pk, actor=world["specialist"], reason="Chậm", extension_days=Decimal(1))
    with pytest.raises(Forbidden) as exc:
        apology_sign(apology_id=draft.pk, actor=world["specialist"])
    assert exc.value.message == apologies.LEADER_ONLY
    with pytest.raises(Forbidden):
        apology_draft(dossier_id=at_agency.pk, actor=world["outsider"], reason="x", extension_days=Decimal(1))


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_cannot_set_a_new_appointment_before_the_current_one(world, at_agency):
    with pytest.raises(InvalidInput) as exc:
        apology_issue(dossier_id=at_agency.pk, actor=world["leader"], reason="x", new_due_at=local(2026, 3, 23, 9))
    assert exc.value.message == apologies.NEW_DUE_NOT_LATER
    assert not Apology.objects.exists()


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_does_issue_through_the_api(client, world, at_agency):
    response = client.post(
        f"/api/v1/dossiers/{at_agency.code}/apologies",
        {"reason": "Chờ ý kiến Sở Xây dựng", "new_due_at": "2026-03-27T17:30:00+07:00"},
        content_type="application/json",
        **bearer(world["leader"]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["new_due_at"] == "2026-03-27T17:30:00+07:00" and body["original_due_at"] == "2026-03-23T10:00:00+07:00"
    detail = client.get(f"/api/v1/dossiers/{at_agency.code}", **bearer(world["leader"])).json()
    assert detail["due_at_original"] == "2026-03-23T10:00:00+07:00" and len(detail["apologies"]) == 1


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_cannot_apologise_through_the_api_for_a_closed_dossier(client, world, at_agency):
    dossier_transition(dossier_id=at_agency.pk, action="transfer", actor=world["specialist"])
    dossier_transition(dossier_id=at_agency.pk, action="complete", actor=world["leader"])
    response = client.post(
        f"/api/v1/dossiers/{at_agency.code}/apologies",
        {"reason": "x", "new_due_at": "2026-03-27T17:30:00+07:00"},
        content_type="application/json",
        **bearer(world["leader"]),
    )
    assert response.status_code == 409 and response.json()["message"] == str(apologies.NOT_OPEN)
