"""Outbound sync to the national portal, against a real HTTP server on loopback (partner.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local
from integrations.models import SyncMessage, SyncResend, SyncStatus
from integrations.national.outbox import NotDead, sync_backoff, sync_message_resend, sync_messages_send

LIFE = (  # (action, who): a dossier from the counter to the returned result
    ("transfer", "clerk"),
    ("request_supplement", "specialist"),
    ("supplement_received", "specialist"),
    ("transfer", "specialist"),
    ("complete", "leader"),
    ("return_result", "clerk"),
)


def act(world, dossier, action: str, who: str):
    reason = "Thiếu tờ khai" if action == "request_supplement" else ""
    return dossier_transition(dossier_id=dossier.pk, action=action, actor=world[who], reason=reason)


def messages_of(dossier):
    return list(SyncMessage.objects.filter(dossier=dossier).order_by("sequence"))


def make_due():
    """Every pending message due now (instead of waiting out its backoff)."""
    SyncMessage.objects.filter(status=SyncStatus.PENDING).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# -- writing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_does_write_the_state_at_receipt_with_the_national_codes_when_a_dossier_is_received(world, receive, national):
    dossier = receive(received_at=local(2026, 3, 9, 10, 0))
    [message] = messages_of(dossier)
    assert (message.sequence, message.action, message.status) == (1, "receive", SyncStatus.PENDING)
    assert message.payload == {
        "MaTTHC": "1.001193",
        "TenTTHC": "Cấp Phiếu lý lịch tư pháp",
        "KenhThucHien": 1,
        "ChuHoSo": "Trần Thị Bình",
        "SoDinhDanh": "056190001234",
        "TrangThaiHoSo": 2,
        "NgayNopHoSo": "20260309100000",
        "NgayTiepNhan": "20260309100000",
        "NgayHenTra": "20260323100000",  # 10 working days
        "NgayKetThucXuLy": None,
        "NgayTraKetQua": None,
        "DonViTiepNhan": "000.00.01.H56",
        "DonViXuLy": "000.00.01.H56",
        "ThaoTac": "receive",
        "ThoiDiemThayDoi": "20260309100000",
    }


@pytest.mark.django_db
def test_does_write_one_message_per_change_in_the_changes_transaction_when_a_dossier_moves(world, receive, national):
    dossier = receive()
    for action, who in LIFE:
        act(world, dossier, action, who)
    rows = [(m.sequence, m.action, m.payload["TrangThaiHoSo"]) for m in messages_of(dossier)]
    assert rows == [
        (1, "receive", 2),
        (2, "transfer", 4),
        (3, "request_supplement", 5),
        (4, "supplement_received", 4),
        (5, "transfer", 4),
        (6, "complete", 9),
        (7, "return_result", 10),
    ]


@pytest.mark.django_db
def test_cannot_leave_a_message_when_the_change_is_rolled_back(world, receive, national):
    dossier = receive()
    with pytest.raises(RuntimeError), transaction.atomic():
        act(world, dossier, "transfer", "clerk")
        assert len(messages_of(dossier)) == 2  # written inside the transaction…
        raise RuntimeError("the caller's transaction fails")
    assert [m.action for m in messages_of(dossier)] == ["receive"]  # …and gone with it


@pytest.mark.django_db
def test_does_write_nothing_and_send_nothing_when_sync_is_off(world, receive, settings):
    assert settings.PORTAL_NATIONAL_SYNC_URL == ""  # the default: off
    dossier = receive()
    act(world, dossier, "transfer", "clerk")
    assert SyncMessage.objects.count() == 0 and sync_messages_send() == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_does_keep_the_receipt_one_statement_when_sync_is_on(world, receive, settings, partner):
    receive()  # the first receipt prepares its statements
    with CaptureQueriesContext(connection) as off:
        receive()
    settings.PORTAL_NATIONAL_SYNC_URL = partner.url
    with CaptureQueriesContext(connection) as on:
        dossier = receive()
    assert len(on) == len(off) and len(messages_of(dossier)) == 1


# -- sending -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_does_send_a_dossiers_changes_in_order_when_the_partner_answers(world, receive, national):
    dossier = receive()
    for action, who in LIFE:
        act(world, dossier, action, who)
    assert sync_messages_send() == 7
    assert national.applied_ids() == [
        (dossier.code, n, status) for n, status in enumerate((2, 4, 5, 4, 4, 9, 10), start=1)
    ]
    first = national.requests[0]
    assert first.headers["Idempotency-Key"] == first.body["MaThongDiep"] == str(messages_of(dossier)[0].message_id)
    assert first.body["HoSo"]["MaHoSoQG"] is None and first.body["HoSo"]["KenhThucHien"] == 1
    assert all(m.status == SyncStatus.SENT and m.attempts == 1 for m in messages_of(dossier))


@pytest.mark.django_db
def test_cannot_send_a_later_change_before_an_earlier_one_when_the_earlier_fails(world, receive, national):
    dossier = receive()
    act(world, dossier, "transfer", "clerk")
    national.script = ["fail"]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert sync_messages_send() == 0  # a 500 ends the run: the transfer is not tried before the receipt
        first, second = messages_of(dossier)
        assert (first.status, first.attempts, second.attempts) == (SyncStatus.PENDING, 1, 0)
        assert first.next_attempt_at == timezone.now() + timedelta(seconds=60)
        assert "HTTP 500" in first.last_error
        clock.shift(timedelta(seconds=59))
        assert sync_messages_send() == 0 and len(national.requests) == 1  # not due yet, and the transfer waits
        clock.shift(timedelta(seconds=2))
        assert sync_messages_send() == 2
    assert national.applied_ids() == [(dossier.code, 1, 2), (dossier.code, 2, 4)]


@pytest.mark.django_db
def test_does_send_other_dossiers_when_the_partner_refuses_one_message(world, receive, national):
    refused, other = receive(), receive()
    act(world, refused, "transfer", "clerk")
    national.refused = {refused.code}
    assert sync_messages_send() == 1
    assert [m.status for m in messages_of(refused)] == [SyncStatus.PENDING, SyncStatus.PENDING]
    assert "HTTP 422" in messages_of(refused)[0].last_error
    assert national.applied_ids() == [(other.code, 1, 2)]


@pytest.mark.django_db
def test_does_apply_a_message_once_when_it_is_sent_again_after_a_timeout(world, receive, national):
    dossier = receive()
    national.script = ["hang"]  # applied, but answered after the client's 0.5 s timeout
    assert sync_messages_send() == 0
    [message] = messages_of(dossier)
    assert message.status == SyncStatus.PENDING and "0.5 giây" in message.last_error
    make_due()
    assert sync_messages_send() == 1
    assert [r.body["MaThongDiep"] for r in national.requests] == [str(message.message_id)] * 2
    assert len(national.applied) == 1  # one effect for one message id


@pytest.mark.django_db
def test_does_take_each_answer_for_its_own_message_when_the_partner_answers_twice(world, receive, national):
    first, second = receive(), receive()
    national.script = ["twice"]  # a second answer to the first message stays on the connection
    assert sync_messages_send() == 2
    assert national.applied_ids() == [(first.code, 1, 2), (second.code, 1, 2)]
    assert len(national.requests) == 2
    assert all(m.status == SyncStatus.SENT for m in SyncMessage.objects.all())


@pytest.mark.django_db
def test_cannot_mark_a_message_sent_when_the_answer_acknowledges_another(world, receive, national):
    dossier = receive()
    national.script = ["wrong_ack"]
    assert sync_messages_send() == 0
    [message] = messages_of(dossier)
    assert message.status == SyncStatus.PENDING and "không xác nhận thông điệp này" in message.last_error


@pytest.mark.django_db
def test_cannot_deliver_when_the_signature_is_wrong(world, receive, national, settings):
    receive()
    settings.PORTAL_NATIONAL_SYNC_HMAC_SECRET = "not-the-partners-secret"
    assert sync_messages_send() == 0
    assert "HTTP 401" in SyncMessage.objects.get().last_error and national.applied == []


def test_does_back_off_exponentially_up_to_the_cap_when_attempts_fail(settings):
    settings.PORTAL_NATIONAL_SYNC_BACKOFF_SECONDS = 60
    settings.PORTAL_NATIONAL_SYNC_BACKOFF_MAX_SECONDS = 21600
    delays = [sync_backoff(n).total_seconds() for n in range(1, 11)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]


@pytest.mark.django_db
def test_does_give_up_after_the_last_attempt_and_hold_the_dossiers_later_changes(world, receive, national):
    dossier, other = receive(), receive()
    act(world, dossier, "transfer", "clerk")
    national.refused = {dossier.code}
    for _ in range(3):
        sync_messages_send()
        make_due()
    first, second = messages_of(dossier)
    assert (first.status, first.attempts) == (SyncStatus.DEAD, 3)
    assert (second.status, second.attempts) == (SyncStatus.PENDING, 0)  # waits behind the dead one
    assert sync_messages_send() == 0
    assert national.applied_ids() == [(other.code, 1, 2)]


@pytest.mark.django_db
def test_does_send_a_dead_message_and_those_behind_it_when_a_supervisor_resends(world, receive, national):
    dossier = receive()
    act(world, dossier, "transfer", "clerk")
    national.script = ["fail"] * 3
    for _ in range(3):
        sync_messages_send()
        make_due()
    dead = messages_of(dossier)[0]
    assert dead.status == SyncStatus.DEAD
    sync_message_resend(message_id=dead.pk, actor=world["supervisor"])
    resend = SyncResend.objects.get(message=dead)
    assert (resend.actor, resend.attempts) == (world["supervisor"], 3) and "HTTP 500" in resend.last_error
    assert sync_messages_send() == 2
    assert national.applied_ids() == [(dossier.code, 1, 2), (dossier.code, 2, 4)]
    with pytest.raises(NotDead):
        sync_message_resend(message_id=dead.pk, actor=world["supervisor"])  # sent now: nothing to resend


@pytest.mark.django_db
def test_does_stop_the_run_and_keep_messages_when_the_partner_is_down(world, receive, national):
    receive(), receive()
    national.down()
    assert sync_messages_send() == 0
    tried = SyncMessage.objects.exclude(attempts=0)
    assert tried.count() == 1 and "Không kết nối được" in tried.get().last_error  # one try, not one per message
    national.up()
    make_due()
    assert sync_messages_send() == 2


@pytest.mark.django_db
def test_cannot_sync_invented_dossiers_when_the_demo_is_seeded(national):
    from dossiers.demo.dossiers import demo_dossiers_seed
    from dossiers.demo.seed import demo_catalogue_seed, demo_staff_seed, demo_units_seed
    from dossiers.models import Dossier
    from dossiers.services.calendar_days import calendar_seed_holidays

    demo_units_seed()
    calendar_seed_holidays(years=range(2024, 2031))
    demo_catalogue_seed()
    demo_staff_seed(password="motcua-demo-2026")
    assert demo_dossiers_seed(count=4)["created"] == 4
    assert Dossier.objects.count() == 4 and SyncMessage.objects.count() == 0


@pytest.mark.django_db
def test_does_hear_changes_again_after_an_unheard_block(world, receive, national):
    from dossiers.services.hooks import dossier_changes_unheard

    with dossier_changes_unheard():
        quiet = receive()
    loud = receive()
    assert messages_of(quiet) == [] and len(messages_of(loud)) == 1
