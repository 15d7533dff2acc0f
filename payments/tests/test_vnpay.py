"""Our VNPay client: the signed redirect carries the guide's fields with exact values, and a
notice is believed only with the gateway's signature and our terminal code."""

from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine

from dossiers.errors import Conflict
from dossiers.tests.fixtures import local
from payments.models import Payment
from payments.providers import BadSignature, provider
from payments.services import ALREADY_PAID, payment_start
from payments.tests.conftest import SECRET, TMN_CODE
from payments.tests.gateway import VNPaySimulator

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(world, receive, vnpay):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()
        return payment_start(dossier_id=dossier.pk, client_ip="203.0.113.7")


def test_does_sign_the_redirect_with_the_guide_s_fields_when_a_payment_starts(started):
    back = "https://motcua.example.vn/thanh-toan/vnpay/ket-qua/"

    url = provider().payment_url(started, return_url=back, client_ip="203.0.113.7")

    fields = dict(parse_qsl(urlsplit(url).query))
    assert url.startswith("http://127.0.0.1:9/paymentv2/vpcpay.html?")
    assert {k: v for k, v in fields.items() if k != "vnp_SecureHash"} == {
        "vnp_Version": "2.1.0",
        "vnp_Command": "pay",
        "vnp_TmnCode": TMN_CODE,
        "vnp_Amount": "5000000",
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": started.txn_ref,
        "vnp_OrderInfo": f"Nop phi le phi ho so {started.dossier.code}",
        "vnp_OrderType": "other",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": back,
        "vnp_IpAddr": "203.0.113.7",
        "vnp_CreateDate": "20260309100000",
        "vnp_ExpireDate": "20260309101500",
    }
    # The simulator's independent computation (urlencode of the sorted fields, HMAC-SHA512).
    assert fields["vnp_SecureHash"] == VNPaySimulator(tmn_code=TMN_CODE, secret=SECRET, ipn_url="").signature(fields)
    assert len(fields["vnp_SecureHash"]) == 128


def test_does_copy_the_procedure_fee_when_a_payment_starts(started):
    assert (started.amount, started.status, started.provider) == (Decimal(50000), "pending", "vnpay")
    assert started.events.get().action == "created"


def test_cannot_start_a_payment_when_the_fee_is_already_paid(started):
    Payment.objects.filter(pk=started.pk).update(status="paid", paid_at=started.created_at)

    with pytest.raises(Conflict) as exc:
        payment_start(dossier_id=started.dossier_id, client_ip=None)
    assert exc.value.message == ALREADY_PAID


@pytest.mark.parametrize(
    "change",
    [
        {"vnp_Amount": "100"},  # a field changed after signing
        {"vnp_SecureHash": "0" * 128},
        {"vnp_TmnCode": "KHAC0001"},  # signed with our secret but for another terminal
    ],
)
def test_cannot_read_a_notice_when_it_is_not_signed_for_us(vnpay, change):
    sim = VNPaySimulator(tmn_code=change.get("vnp_TmnCode", TMN_CODE), secret=SECRET, ipn_url="")
    fields = {"vnp_Amount": "5000000", "vnp_ResponseCode": "00", "vnp_TmnCode": sim.tmn_code, "vnp_TxnRef": "A1"}
    signed = dict(parse_qsl(sim.signed_query(fields)))
    signed.update({k: v for k, v in change.items() if k != "vnp_TmnCode"})

    with pytest.raises(BadSignature):
        provider().verify_ipn(signed)


def test_does_read_a_notice_when_the_gateway_signed_it(vnpay):
    sim = VNPaySimulator(tmn_code=TMN_CODE, secret=SECRET, ipn_url="")
    fields = {"vnp_Amount": "5000000", "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"}
    fields |= {"vnp_TmnCode": TMN_CODE, "vnp_TxnRef": "A1", "vnp_OrderInfo": "Nop phi le phi ho so 1"}

    notice = provider().verify_ipn(dict(parse_qsl(sim.signed_query(fields))))

    assert (notice.txn_ref, notice.amount, notice.success) == ("A1", Decimal(50000), True)


def test_does_answer_99_when_payment_is_off(client, settings):
    settings.PORTAL_VNPAY_TMN_CODE = ""

    assert client.get("/thanh-toan/vnpay/ipn/?vnp_TxnRef=A1").json() == {"RspCode": "99", "Message": "Unknow error"}
