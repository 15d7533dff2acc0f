"""Paying a dossier's fee end to end: the citizen's lookup page, our signed redirect, the local
gateway (which checks our signature), its signed IPN over HTTP to the live server, the return
page and the e-receipt; then the gateway's replays and forgeries, and refunds."""

import re

import pytest
import requests
from django.utils import timezone

from dossiers.models import Dossier
from payments.models import Payment, PaymentEvent
from payments.services import REFUND_LEADERS_ONLY
from payments.tasks import payment_refund_task, payment_refunds_pending_task

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dossier(world, receive):
    return receive()  # the world's procedure costs 50.000 đồng (ProcedureFactory)


def lookup(base, dossier) -> str:
    return requests.get(f"{base}/tra-cuu/{dossier.code}/", params={"key": dossier.lookup_key}, timeout=10).text


def pay(base, dossier, session=None) -> requests.Response:
    """Open the lookup page, follow its pay link, press the button, confirm at the gateway."""
    session = session or requests.Session()
    link = re.search(r'id="pay" href="([^"]+)"', lookup(base, dossier))
    assert link, "no pay link on the lookup page"
    page = session.get(base + link.group(1).replace("&amp;", "&"), timeout=10)
    assert "50.000 đồng" in page.text
    at_gateway = session.post(f"{base}/thanh-toan/{dossier.code}/", data={"key": dossier.lookup_key}, timeout=10)
    assert at_gateway.status_code == 200 and "50000 VND" in at_gateway.text, at_gateway.text
    form = re.search(r"name='session' value='([0-9a-f]+)'", at_gateway.text).group(1)
    gateway_url = at_gateway.url.split("/paymentv2/")[0]
    return session.post(f"{gateway_url}/paymentv2/confirm", data={"session": form}, timeout=10)


def test_does_mark_the_fee_paid_and_issue_an_e_receipt_when_the_gateway_confirms(live_server, gateway, dossier):
    back = pay(live_server.url, dossier)

    assert back.url.startswith(f"{live_server.url}/thanh-toan/vnpay/ket-qua/?")
    assert back.status_code == 200 and "Đã thanh toán thành công." in back.text
    assert [answer for _query, answer in gateway.ipn_calls] == [{"RspCode": "00", "Message": "Confirm Success"}]
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.status, payment.amount, payment.bank_code) == ("paid", 50000, "NCB")
    assert payment.receipt_number == f"BL-{timezone.localtime(payment.paid_at).year}-{payment.pk:07d}"
    assert Dossier.objects.get(pk=dossier.pk).events.filter(action="payment_paid", is_public=True).count() == 1
    page = lookup(live_server.url, dossier)
    assert 'id="pay"' not in page and "Đã thanh toán trực tuyến lúc" in page
    assert "Đã nộp phí, lệ phí trực tuyến" in page  # the public timeline
    receipt_link = re.search(r'id="receipt-link" href="([^"]+)"', back.text).group(1).replace("&amp;", "&")
    receipt = requests.get(live_server.url + receipt_link, timeout=10)
    assert payment.receipt_number in receipt.text and "50.000 đồng" in receipt.text


def test_does_answer_02_and_change_nothing_when_the_ipn_is_replayed(live_server, gateway, dossier):
    pay(live_server.url, dossier)
    payment = Payment.objects.get(dossier=dossier)
    events = PaymentEvent.objects.count(), dossier.events.count()

    answer = gateway.call_ipn(gateway.ipn_calls[0][0])

    assert answer == {"RspCode": "02", "Message": "Order already confirmed"}
    assert Payment.objects.get(pk=payment.pk).updated_at == payment.updated_at
    assert (PaymentEvent.objects.count(), dossier.events.count()) == events


def test_does_answer_97_and_change_nothing_when_the_ipn_signature_is_tampered(live_server, gateway, dossier):
    gateway.outcome = "24"  # cancelled: the payment stays open for a forged success to try
    pay(live_server.url, dossier)
    query = gateway.ipn_calls[0][0]
    Payment.objects.filter(dossier=dossier).update(status="pending")
    forged = query.replace("vnp_ResponseCode=24", "vnp_ResponseCode=00").replace(
        "vnp_TransactionStatus=02", "vnp_TransactionStatus=00"
    )

    answer = gateway.call_ipn(forged)

    assert answer == {"RspCode": "97", "Message": "Invalid Checksum"}
    assert Payment.objects.get(dossier=dossier).paid_at is None


def test_does_answer_04_when_a_signed_ipn_brings_another_amount(live_server, gateway, dossier):
    gateway.outcome = "24"
    pay(live_server.url, dossier)
    payment = Payment.objects.get(dossier=dossier)
    Payment.objects.filter(pk=payment.pk).update(status="pending")
    fields = {
        "vnp_Amount": "100",  # 1 đồng
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": gateway.tmn_code,
        "vnp_TransactionNo": "12345678",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": payment.txn_ref,
    }

    answer = gateway.call_ipn(gateway.signed_query(fields))

    assert answer == {"RspCode": "04", "Message": "invalid amount"}
    assert Payment.objects.get(pk=payment.pk).paid_at is None


def test_does_answer_01_when_the_ipn_names_an_unknown_order(live_server, gateway, dossier):
    fields = {"vnp_Amount": "5000000", "vnp_ResponseCode": "00", "vnp_TmnCode": gateway.tmn_code}
    fields |= {"vnp_TransactionStatus": "00", "vnp_TxnRef": "KHONGCO"}

    assert gateway.call_ipn(gateway.signed_query(fields)) == {"RspCode": "01", "Message": "Order not found"}


def test_does_keep_the_pay_link_and_say_why_when_the_citizen_cancels_at_the_gateway(live_server, gateway, dossier):
    gateway.outcome = "24"

    back = pay(live_server.url, dossier)

    assert "Bạn đã hủy giao dịch." in back.text
    assert Payment.objects.get(dossier=dossier).status == "failed"
    gateway.outcome = "00"
    pay(live_server.url, dossier)
    assert sorted(Payment.objects.filter(dossier=dossier).values_list("status", flat=True)) == ["failed", "paid"]


def test_cannot_show_a_result_when_the_return_query_is_tampered(live_server, gateway, dossier):
    back = pay(live_server.url, dossier)

    forged = requests.get(back.url.replace("vnp_Amount=5000000", "vnp_Amount=100"), timeout=10)

    assert forged.status_code == 400
    assert "Kết quả trả về không có chữ ký hợp lệ của cổng thanh toán." in forged.text


def test_cannot_pay_when_our_secret_differs_from_the_gateway_s(live_server, gateway, dossier, settings):
    settings.PORTAL_VNPAY_HASH_SECRET = "MOTBIMATKHAC"
    session = requests.Session()

    response = session.post(
        f"{live_server.url}/thanh-toan/{dossier.code}/", data={"key": dossier.lookup_key}, timeout=10
    )

    assert response.status_code == 400
    assert gateway.rejections == ["sai chữ ký (97)"]


def test_cannot_start_a_payment_when_the_key_is_wrong(live_server, gateway, dossier):
    response = requests.post(f"{live_server.url}/thanh-toan/{dossier.code}/", data={"key": "SAIMA123"}, timeout=10)

    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_does_refund_through_the_gateway_when_a_leader_of_the_receiving_unit_asks(
    live_server, gateway, dossier, world, client
):
    from dossiers.tests.factories import UserFactory

    pay(live_server.url, dossier)
    payment = Payment.objects.get(dossier=dossier)
    leader = UserFactory(username="lanhdao-tt", roles=["unit_leader"], units=[world["centre"]])
    client.force_login(leader)

    client.post(f"/can-bo/thanh-toan/{dossier.code}/hoan-tien/", {"txn_ref": payment.txn_ref, "reason": "Rút hồ sơ"})
    assert Payment.objects.get(pk=payment.pk).status == "refund_requested"
    assert payment_refund_task(payment.pk) == "refunded"

    assert [r["vnp_TxnRef"] for r in gateway.refunds] == [payment.txn_ref]
    refunded = Payment.objects.get(pk=payment.pk)
    assert (refunded.refund_reason, refunded.refund_requested_by) == ("Rút hồ sơ", leader)
    assert dossier.events.filter(action="payment_refunded", is_public=True).count() == 1
    assert payment_refund_task(payment.pk) == "refunded"  # run twice: sent once
    assert len(gateway.refunds) == 1


def test_does_record_a_refused_refund_when_the_gateway_declines_it(live_server, gateway, dossier, world):
    from payments.services import payment_refund_request

    pay(live_server.url, dossier)
    payment = Payment.objects.get(dossier=dossier)
    gateway.refund_code = "95"
    leader = world["leader"]
    leader.memberships.create(unit=world["centre"])

    payment_refund_request(payment_id=payment.pk, actor=leader, reason="Nộp nhầm")
    assert payment_refund_task(payment.pk) == "refund_failed"
    answer = PaymentEvent.objects.filter(payment=payment, action="refund_answer").get()
    assert answer.data["vnp_ResponseCode"] == "95" and answer.data["accepted"] is False


def test_does_send_the_refund_later_when_the_gateway_was_down(live_server, gateway, dossier, world, settings):
    from payments.services import payment_refund_request

    pay(live_server.url, dossier)
    payment = Payment.objects.get(dossier=dossier)
    leader = world["leader"]
    leader.memberships.create(unit=world["centre"])
    payment_refund_request(payment_id=payment.pk, actor=leader, reason="Nộp nhầm")
    api_url = settings.PORTAL_VNPAY_API_URL
    settings.PORTAL_VNPAY_API_URL = "http://127.0.0.1:9/merchant_webapi/api/transaction"

    assert payment_refund_task(payment.pk) == "refund_requested"
    assert PaymentEvent.objects.filter(payment=payment, action="refund_error").count() == 1
    settings.PORTAL_VNPAY_API_URL = api_url
    assert payment_refunds_pending_task() == 1
    assert Payment.objects.get(pk=payment.pk).status == "refunded"


def test_cannot_request_a_refund_when_the_officer_is_not_a_leader_of_the_receiving_unit(
    live_server, gateway, dossier, world, client
):
    pay(live_server.url, dossier)
    payment = Payment.objects.get(dossier=dossier)
    client.force_login(world["clerk"])

    response = client.post(f"/can-bo/thanh-toan/{dossier.code}/hoan-tien/", {"txn_ref": payment.txn_ref, "reason": "x"})

    assert response.status_code == 403 and str(REFUND_LEADERS_ONLY) in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == "paid"
