"""The fee recorded on each dossier (766 §4.2 counts the dossiers with a fee > 0, exemptions applied)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from dossiers.errors import InvalidInput
from dossiers.kpi.facts import kpi_facts_rebuild
from dossiers.models import Dossier
from dossiers.services.fees import BAD_FEE, REASON_REQUIRED, dossier_fee
from dossiers.tests.conftest import local
from dossiers.tests.factories import ProcedureFactory
from dossiers.tests.fixtures import API_DOSSIER_BODY as BODY
from dossiers.tests.test_api_dossiers import bearer
from dossiers.tests.test_staff_pages import INTAKE, intake_post
from portal import kpis

pytestmark = pytest.mark.django_db
EXEMPT = "Người có công với cách mạng (miễn lệ phí)"


def test_does_record_the_list_price_or_less_with_a_reason_when_a_fee_is_given(world):
    p = world["procedure"]  # 50.000 đồng
    assert dossier_fee(procedure=p) == (Decimal(50000), "")
    assert dossier_fee(procedure=p, exempt_reason=EXEMPT) == (Decimal(0), EXEMPT)
    assert dossier_fee(procedure=p, amount="25000", exempt_reason="Giảm 50 %") == (Decimal(25000), "Giảm 50 %")
    assert dossier_fee(procedure=p, amount=50000, exempt_reason="không cần") == (Decimal(50000), "")


@pytest.mark.parametrize(
    ("amount", "reason", "field", "message"),
    [
        (Decimal(25000), "", "fee_exempt_reason", REASON_REQUIRED),
        (Decimal(60000), "Tăng", "fee", BAD_FEE),
        (Decimal(-1), "Âm", "fee", BAD_FEE),
        ("12.5", "Lẻ", "fee", BAD_FEE),
        ("abc", "", "fee", BAD_FEE),
    ],
)
def test_cannot_record_a_fee_when_it_is_above_the_list_price_negative_or_unexplained(
    world, amount, reason, field, message
):
    with pytest.raises(InvalidInput) as caught:
        dossier_fee(procedure=world["procedure"], amount=amount, exempt_reason=reason)
    assert caught.value.fields == {field: message}


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_receive_an_exempt_dossier_when_the_api_gives_the_reason(client, world):
    auth = bearer(world["clerk"])
    body = BODY | {"fee_exempt_reason": EXEMPT}
    created = client.post("/api/v1/dossiers", body, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    read = client.get(f"/api/v1/dossiers/{created.json()['code']}", **auth).json()
    assert (read["fee"], read["fee_exempt_reason"]) == ("0", EXEMPT)


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_cannot_receive_through_the_api_when_the_fee_exceeds_the_list_price(client, world):
    body = BODY | {"fee": "70000", "fee_exempt_reason": ""}
    response = client.post("/api/v1/dossiers", body, content_type="application/json", **bearer(world["clerk"]))
    assert response.status_code == 422
    assert response.json()["fields"] == {"fee": str(BAD_FEE)}
    assert Dossier.objects.count() == 0


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_receive_a_reduced_fee_when_the_counter_form_gives_amount_and_reason(client, world):
    client.force_login(world["clerk"])
    form = client.get(INTAKE, {"procedure": "1.001193"}).content.decode()
    assert 'name="fee" value="50000"' in form
    response = client.post(INTAKE, intake_post(world, fee="20000", fee_exempt_reason="Hộ nghèo"))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.fee, dossier.fee_exempt_reason) == (Decimal(20000), "Hộ nghèo")
    page = client.get(reverse("staff:dossier", args=[dossier.code])).content.decode()
    assert "20.000 đồng" in page and "Hộ nghèo" in page


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_cannot_receive_at_the_counter_when_a_reduction_has_no_reason(client, world):
    client.force_login(world["clerk"])
    response = client.post(INTAKE, intake_post(world, fee="20000"))
    assert response.status_code == 422
    assert str(REASON_REQUIRED) in response.content.decode() and Dossier.objects.count() == 0


def test_does_count_only_dossiers_with_a_fee_to_pay_when_the_payment_indicator_is_computed(world, receive):
    free = ProcedureFactory(national_code="7.660", lead_agency=world["agency"], fee=Decimal(0))
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        receive()  # 50.000 đồng
        receive(fee_exempt_reason=EXEMPT)  # exempt: nothing to pay
        receive(procedure=free)
    kpi_facts_rebuild()
    with time_machine.travel(local(2026, 3, 20, 10, 0), tick=False):
        row = kpis.kpi_rows(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31), group_by="unit")[0]
        summary = kpis.kpi_summary(unit_ids=None, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (row["received"], row["received_with_fee"]) == (3, 1)
    assert summary["scores"][4]["missing"] == ["4.1", "4.2"]  # no payment gateway: no figure
