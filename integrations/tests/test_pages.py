"""The supervisors' sync page: dead messages, resend, and the sync rate per unit (766 §1.4)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers.tests.factories import CentreFactory, UserFactory
from dossiers.tests.fixtures import local
from integrations import sync_rate
from integrations.models import SyncMessage, SyncResend, SyncStatus
from integrations.national.rates import SyncRate

URL = "/can-bo/dong-bo/"


def kill(message: SyncMessage, error: str = "Cổng DVCQG trả lời HTTP 500: error") -> SyncMessage:
    SyncMessage.objects.filter(pk=message.pk).update(status=SyncStatus.DEAD, attempts=3, last_error=error)
    message.refresh_from_db()
    return message


@pytest.fixture
def dead(world, receive, national):
    """A dead receipt message with the dossier's transfer waiting behind it."""
    from dossiers.services.routing import dossier_transition

    dossier = receive()
    dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    return kill(SyncMessage.objects.get(dossier=dossier, sequence=1))


@pytest.mark.django_db
def test_does_list_dead_messages_with_what_waits_behind_when_a_supervisor_looks(world, client, dead):
    client.force_login(world["supervisor"])
    response = client.get(URL)
    assert response.status_code == 200
    [row] = response.context["page"].object_list
    assert (row.pk, row.waiting) == (dead.pk, 1)
    body = response.content.decode()
    assert dead.dossier.code in body and "HTTP 500" in body and f"{dead.message_id}/gui-lai/" in body


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "specialist", "leader"])
def test_cannot_see_the_sync_page_when_not_a_supervisor(world, client, dead, who):
    client.force_login(world[who])
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}{dead.message_id}/gui-lai/").status_code == 403
    assert SyncMessage.objects.get(pk=dead.pk).status == SyncStatus.DEAD


@pytest.mark.django_db
def test_cannot_see_or_resend_a_message_when_the_supervisor_does_not_see_its_dossier(world, client, dead):
    elsewhere = UserFactory(username="sup2", roles=["supervisor"], units=[world["other_centre"]])
    client.force_login(elsewhere)
    assert client.get(URL).context["page"].paginator.count == 0
    assert client.post(f"{URL}{dead.message_id}/gui-lai/").status_code == 404


@pytest.mark.django_db
def test_does_put_the_message_back_in_line_and_record_who_when_a_supervisor_resends(world, dead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["supervisor"])
    page = client.get(URL)
    token = page.cookies["csrftoken"].value
    response = client.post(f"{URL}{dead.message_id}/gui-lai/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == URL
    message = SyncMessage.objects.get(pk=dead.pk)
    assert (message.status, message.attempts) == (SyncStatus.PENDING, 0)
    resend = SyncResend.objects.get()
    assert (resend.actor, resend.attempts, resend.last_error) == (world["supervisor"], 3, dead.last_error)
    assert client.post(f"{URL}{dead.message_id}/gui-lai/").status_code == 403  # without the CSRF token


@pytest.mark.django_db
def test_does_run_a_fixed_number_of_queries_when_the_page_has_more_rows(
    world, client, receive, dead, django_assert_max_num_queries
):
    client.force_login(world["supervisor"])
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(5):
        kill(SyncMessage.objects.get(dossier=receive()))
    with django_assert_max_num_queries(len(few)):
        assert client.get(URL).context["page"].paginator.count == 6


# -- the sync rate ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_does_count_acknowledged_changes_per_unit_when_asked_for_a_period(world, receive, national):
    from dossiers.services.routing import dossier_transition

    march = [receive(received_at=local(2026, 3, day, 9, 0)) for day in (2, 3)]
    april = receive(received_at=local(2026, 4, 1, 9, 0))
    outside = receive(receiving_unit=world["other_centre"], actor=world["other_clerk"], received_at=local(2026, 3, 2))
    dossier_transition(dossier_id=march[0].pk, action="transfer", actor=world["clerk"], at=local(2026, 3, 4, 9, 0))
    SyncMessage.objects.filter(dossier__in=[march[0], april, outside], sequence=1).update(status=SyncStatus.SENT)
    centre, other = world["centre"].pk, world["other_centre"].pk
    rates = sync_rate([centre], local(2026, 3, 1), local(2026, 4, 1))  # [start, end): 1 April is out
    assert rates == {centre: SyncRate(changes=3, acknowledged=1, dossiers=2, dossiers_synced=0)}
    assert rates[centre].rate == 33.33
    assert sync_rate([centre, other], local(2026, 4, 1), local(2026, 5, 1)) == {
        centre: SyncRate(changes=1, acknowledged=1, dossiers=1, dossiers_synced=1)
    }
    assert sync_rate([other], local(2026, 5, 1), local(2026, 6, 1)) == {}


@pytest.mark.django_db
def test_does_show_the_sync_rate_of_the_supervisors_units_when_a_period_is_chosen(world, client, receive, national):
    receive(received_at=local(2026, 3, 2, 9, 0))
    done = receive(received_at=local(2026, 3, 3, 9, 0))
    SyncMessage.objects.filter(dossier=done).update(status=SyncStatus.SENT)
    CentreFactory(code="000.00.77.H56")  # a unit the supervisor does not see
    client.force_login(world["supervisor"])
    response = client.get(URL, {"start": "01/03/2026", "end": "31/03/2026"})
    [(unit, rate)] = response.context["rates"]
    assert unit == world["centre"] and (rate.changes, rate.acknowledged, rate.rate) == (2, 1, 50.0)
    assert '<td class="n">50,00</td>' in response.content.decode()  # Vietnamese decimal comma


def test_does_default_to_this_month_when_no_period_is_chosen():
    from integrations.views import PeriodForm

    today = timezone.localdate()
    assert PeriodForm(None).period(today) == (today.replace(day=1), today)
    assert PeriodForm({"start": "10/03/2026", "end": "01/03/2026"}).period(today) == (
        local(2026, 3, 10).date(),
        local(2026, 3, 10).date(),
    )
