"""The morning digest for unit leaders: right items, once a day, nothing when nothing is due."""

from decimal import Decimal

import pytest
import time_machine

from dossiers.models import OutboxMessage
from dossiers.services.apologies import apology_draft
from dossiers.services.digest import digest_send
from dossiers.services.routing import dossier_transition
from dossiers.tasks import digest_send_task
from dossiers.tests.conftest import local
from dossiers.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MORNING = local(2026, 3, 23, 7, 0)  # Monday


def at_agency(world, receive, at):
    with time_machine.travel(at, tick=False):
        dossier = receive()
        return dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])


@pytest.fixture
def leaders(world):
    world["leader"].email = "lanh.dao@sotuphap.example.vn"
    world["leader"].save(update_fields=["email"])
    idle = UserFactory(username="idle", roles=["unit_leader"], units=[world["other_agency"]], email="tc@example.vn")
    return {"busy": world["leader"], "idle": idle}


@pytest.fixture
def agenda(world, receive):
    """At the agency on Monday morning: one overdue, one due today, one draft to sign, one in time."""
    items = {
        "overdue": at_agency(world, receive, local(2026, 3, 2, 10, 0)),  # due Mon 16/03 10:00
        "today": at_agency(world, receive, local(2026, 3, 9, 15, 0)),  # due Mon 23/03 15:00
        "draft": at_agency(world, receive, local(2026, 3, 11, 10, 0)),  # due Wed 25/03 10:00
        "in_time": at_agency(world, receive, local(2026, 3, 20, 10, 0)),  # due Fri 03/04 10:00
    }
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        items["apology"] = apology_draft(
            dossier_id=items["draft"].pk,
            actor=world["specialist"],
            reason="Chờ ý kiến Sở Xây dựng",
            extension_days=Decimal(2),
        )
    return items


def test_does_send_one_email_per_leader_with_the_right_items_when_run_in_the_morning(leaders, agenda, mailoutbox):
    assert digest_send(at=MORNING) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["lanh.dao@sotuphap.example.vn"] and "23/03/2026" in mail.subject
    overdue, rest = mail.body.split("2. ", 1)
    today, drafts = rest.split("3. ", 1)
    assert "Hồ sơ quá hạn: 1" in overdue and agenda["overdue"].code in overdue
    assert "trong hôm nay: 1" in today and agenda["today"].code in today and "23/03/2026 15:00" in today
    assert "chờ ký: 1" in drafts and agenda["draft"].code in drafts
    assert f"/can-bo/xin-loi/{agenda['apology'].pk}/" in drafts
    assert agenda["in_time"].code not in mail.body


def test_does_send_once_per_day_when_run_twice(leaders, agenda, mailoutbox):
    assert digest_send(at=MORNING) == 1
    assert digest_send(at=local(2026, 3, 23, 7, 5)) == 0
    assert len(mailoutbox) == 1
    message = OutboxMessage.objects.get(dedup_key=f"digest:{leaders['busy'].pk}:2026-03-23")
    assert message.channel == OutboxMessage.Channel.EMAIL and message.sent_at is not None
    assert digest_send(at=local(2026, 3, 24, 7, 0)) == 1 and len(mailoutbox) == 2


def test_cannot_send_anything_when_a_leader_has_nothing_to_act_on(leaders, mailoutbox):
    assert digest_send(at=MORNING) == 0
    assert mailoutbox == [] and not OutboxMessage.objects.filter(dedup_key__startswith="digest:").exists()


def test_does_send_through_the_task_when_beat_runs_it(leaders, agenda, mailoutbox):
    with time_machine.travel(MORNING, tick=False):
        assert digest_send_task.apply().get() == 1
    assert mailoutbox[0].to == ["lanh.dao@sotuphap.example.vn"]


def test_does_retry_later_when_the_mail_server_fails(leaders, agenda, mailoutbox, monkeypatch):
    from dossiers.services import notify

    def down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(notify, "send_mail", down)
    assert digest_send(at=MORNING) == 0
    message = OutboxMessage.objects.get(dedup_key__startswith="digest:")
    # The row stays unsent, so the next run (or outbox_flush) delivers it.
    assert message.sent_at is None and mailoutbox == []
    monkeypatch.undo()
    assert digest_send(at=local(2026, 3, 23, 8, 0)) == 1 and len(mailoutbox) == 1
