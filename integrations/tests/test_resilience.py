"""Failures of the partner (or of the broker) never block receiving or moving a dossier."""

import pytest
from django.core.cache import cache

from dossiers.models import Dossier
from dossiers.services.tokens import api_token_create
from dossiers.tests.fixtures import API_DOSSIER_BODY
from dossiers.tests.test_outbox import unreachable_broker  # noqa: F401 — a fixture
from integrations.models import SyncMessage, SyncStatus
from integrations.national.outbox import KICK_KEY, sync_kick, sync_kick_soon, sync_messages_send


@pytest.mark.django_db
def test_does_receive_and_move_a_dossier_when_the_partner_is_down(world, client, national):
    national.down()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world['clerk'])[1]}"}
    created = client.post("/api/v1/dossiers", API_DOSSIER_BODY, content_type="application/json", **headers)
    assert created.status_code == 201
    code = created.json()["code"]
    moved = client.post(
        f"/api/v1/dossiers/{code}/actions", {"action": "transfer"}, content_type="application/json", **headers
    )
    assert moved.status_code == 200
    assert sync_messages_send() == 0  # the partner is still down: the messages wait
    rows = SyncMessage.objects.filter(dossier__code=code).order_by("sequence")
    assert [(m.sequence, m.status) for m in rows] == [(1, SyncStatus.PENDING), (2, SyncStatus.PENDING)]


@pytest.mark.django_db
def test_does_receive_when_the_broker_is_down_and_leave_the_message_to_the_periodic_run(
    world,
    receive,
    national,
    django_capture_on_commit_callbacks,
    unreachable_broker,  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True) as kicks:
        dossier = receive()
    assert sync_kick_soon in kicks  # the kick ran after the commit (on the kicker thread), and failed quietly
    assert Dossier.objects.filter(pk=dossier.pk).exists() and cache.get(KICK_KEY) is None
    assert sync_kick() is False
    assert SyncMessage.objects.get(dossier=dossier).status == SyncStatus.PENDING
