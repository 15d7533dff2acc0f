"""766 group 4: dossiers paid online ÷ dossiers with a fee, by received day."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dossiers.tests.factories import ProcedureFactory
from dossiers.tests.fixtures import local
from payments.kpi import paid_online, procedures_paid_online
from payments.models import Payment

pytestmark = pytest.mark.django_db


def paid(dossier, *, status="paid"):
    at = dossier.received_at
    return Payment.objects.create(
        dossier=dossier, provider="vnpay", txn_ref=f"T{dossier.pk}{status}", amount=50000, status=status, paid_at=at
    )


@pytest.fixture
def month(world, receive):
    """Four dossiers received in March 2026 (three with a fee) and one in April."""
    free = ProcedureFactory(national_code="1.000001", lead_agency=world["agency"], fee=Decimal(0))
    days = {}
    for day in (2, 3, 3):
        with time_machine.travel(local(2026, 3, day, 9, 0), tick=False):
            days.setdefault(day, []).append(receive())
    with time_machine.travel(local(2026, 3, 4, 9, 0), tick=False):
        receive(procedure=free)
    with time_machine.travel(local(2026, 4, 1, 9, 0), tick=False):
        april = receive()
    return days, april


def test_does_count_dossiers_paid_online_among_those_with_a_fee_when_grouped_by_unit(world, month):
    days, april = month
    paid(days[2][0])
    paid(days[3][0], status="refunded")  # refunded later: it was still paid online
    Payment.objects.create(dossier=days[3][1], provider="vnpay", txn_ref="PENDING1", amount=50000)
    paid(april)

    figures = paid_online(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31))

    assert figures == {world["agency"].pk: {"with_fee": 3, "paid_online": 2}}


def test_does_key_the_figures_by_received_day_when_grouped_by_day(world, month):
    days, _april = month
    paid(days[3][1])

    figures = paid_online(unit_ids=[world["agency"].pk], start=date(2026, 3, 1), end=date(2026, 3, 31), group_by="day")

    assert figures == {
        date(2026, 3, 2): {"with_fee": 1, "paid_online": 0},
        date(2026, 3, 3): {"with_fee": 2, "paid_online": 1},
    }


def test_does_return_nothing_when_the_units_asked_for_lead_no_dossier(world, month):
    assert paid_online(unit_ids=[world["centre"].pk], start=date(2026, 3, 1), end=date(2026, 3, 31)) == {}


def test_does_feed_766_group_4_from_the_dossiers_recorded_fee_when_a_gateway_is_set(world, receive, vnpay):
    """§4.2 = paid online ÷ dossiers whose fee after exemption is > 0 (issue 13), through portal.kpis."""
    from dossiers.kpi.facts import kpi_facts_rebuild
    from portal.kpis import kpi_summary

    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        paying = receive()
        receive()  # a fee, not paid
        receive(fee=Decimal(0), fee_exempt_reason="Người có công với cách mạng")  # exempt: not counted
    paid(paying)
    kpi_facts_rebuild()
    summary = kpi_summary(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (summary["figures"].received_with_fee, summary["figures"].paid_online) == (2, 1)
    assert summary["online_payment_rate"] == 50.0
    assert summary["scores"][4]["indicators"][1]["code"] == "4.2"
    assert summary["scores"][4]["indicators"][1]["rate"] == 50.0
    # §4.1: the one procedure with a dossier to pay had one paid online.
    assert summary["procedures_paid_online_rate"] == 100.0 and summary["scores"][4]["parts"]["4.1"] == 100.0
    assert summary["scores"][4]["score"] == 7.5  # 5 + 5 × 50 %


def test_does_say_no_data_for_online_payments_when_no_gateway_is_set(world, receive):
    from dossiers.kpi.facts import kpi_facts_rebuild
    from portal.kpis import kpi_summary

    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        receive()
    kpi_facts_rebuild()
    summary = kpi_summary(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert summary["online_payment_rate"] is None and summary["procedures_paid_online_rate"] is None
    assert summary["scores"][4]["missing"] == ["4.1", "4.2"]


def test_does_count_procedures_with_a_dossier_paid_online_among_those_with_a_dossier_to_pay(world, month):
    """766 §4.1 over March: procedures with a dossier received then with a fee > 0 (the free one
    has none; April's is out), and of those the ones with such a dossier paid online."""
    days, april = month
    other = ProcedureFactory(national_code="1.000002", lead_agency=world["other_agency"], fee=Decimal(30000))
    another = ProcedureFactory(national_code="1.000003", lead_agency=world["agency"], fee=Decimal(20000))
    with time_machine.travel(local(2026, 3, 5, 9, 0), tick=False):
        theirs = receive_at(world, other)
        receive_at(world, another)  # a fee, never paid
    paid(days[2][0])
    paid(days[3][0])  # a second paid dossier of the same procedure: still one procedure
    paid(theirs, status="refunded")  # paid, refunded later: it went through
    paid(april)  # received in April: not March's

    march = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    assert procedures_paid_online(unit_ids=None, **march) == {"with_fee": 3, "paid_online": 2}
    assert procedures_paid_online(unit_ids=[world["agency"].pk], **march) == {"with_fee": 2, "paid_online": 1}
    assert procedures_paid_online(unit_ids=[world["centre"].pk], **march) == {"with_fee": 0, "paid_online": 0}


def receive_at(world, procedure):
    from dossiers.services.applicants import applicant_clean
    from dossiers.services.intake import dossier_receive

    applicant = applicant_clean(name="Lê Văn An", id_number="056190004321", phone="0905000111")
    return dossier_receive(
        procedure=procedure, receiving_unit=world["centre"], actor=world["clerk"], applicant=applicant
    )
