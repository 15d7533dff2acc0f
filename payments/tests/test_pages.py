"""The fee block of the public lookup page, the pay page, the e-receipt and the staff page."""

import pytest
from django.utils import timezone

from dossiers.services.routing import dossier_transition
from edocs.signing import pdf_check
from payments.models import Payment
from payments.receipts import receipt_token
from payments.services import NOT_PAYABLE

pytestmark = pytest.mark.django_db


def lookup(client, dossier):
    return client.get(f"/tra-cuu/{dossier.code}/", {"key": dossier.lookup_key}).content.decode()


def paid(dossier, n=1):
    return Payment.objects.create(
        dossier=dossier,
        provider="vnpay",
        txn_ref=f"PAID{dossier.pk}X{n}",
        amount=50000,
        status="paid",
        paid_at=timezone.now(),
        receipt_number=f"BL-2026-{n:07d}",
    )


def test_does_offer_the_pay_link_with_the_key_when_a_fee_is_due(client, world, receive, vnpay):
    dossier = receive()

    page = lookup(client, dossier)

    assert 'id="fee-amount">50.000 đồng' in page
    assert f'id="pay" href="/thanh-toan/{dossier.code}/?key={dossier.lookup_key}"' in page


def test_does_not_show_fees_when_online_payment_is_off(client, world, receive, settings):
    settings.PORTAL_VNPAY_TMN_CODE = ""

    assert 'id="fee-title"' not in lookup(client, receive())


def test_does_not_show_fees_when_the_procedure_is_free(client, world, receive, vnpay):
    world["procedure"].fee = 0
    world["procedure"].save(update_fields=["fee"])

    assert 'id="fee-title"' not in lookup(client, receive())


def test_cannot_pay_when_the_dossier_was_refused(client, world, receive, vnpay):
    dossier = receive(submit_only=True)  # refused before a receipt is issued (Mẫu 03)
    dossier_transition(dossier_id=dossier.pk, action="refuse", actor=world["clerk"], reason="Không thuộc thẩm quyền")

    page = lookup(client, dossier)
    response = client.post(f"/thanh-toan/{dossier.code}/", {"key": dossier.lookup_key})

    assert 'id="pay"' not in page
    assert response.status_code == 409 and str(NOT_PAYABLE) in response.content.decode()
    assert not Payment.objects.exists()


def test_cannot_open_a_receipt_when_the_token_is_wrong(client, world, receive, vnpay):
    payment = paid(receive())

    good = client.get(f"/thanh-toan/bien-lai/{payment.txn_ref}/", {"t": receipt_token(payment)})
    bad = client.get(f"/thanh-toan/bien-lai/{payment.txn_ref}/", {"t": "0" * 32})

    assert good.status_code == 200 and "BL-2026-0000001" in good.content.decode()
    assert "Trần Thị Bình" in good.content.decode()
    assert bad.status_code == 404


def test_does_sign_the_e_receipt_with_the_receiving_unit_when_signing_is_on(client, world, receive, vnpay, signing):
    certificate = signing(world["centre"])
    payment = paid(receive())

    page = client.get(f"/thanh-toan/bien-lai/{payment.txn_ref}/", {"t": receipt_token(payment)}).content.decode()
    response = client.get(f"/thanh-toan/bien-lai/{payment.txn_ref}/pdf/", {"t": receipt_token(payment)})

    assert f'href="/thanh-toan/bien-lai/{payment.txn_ref}/pdf/?t={receipt_token(payment)}"' in page
    check = pdf_check(b"".join(response.streaming_content))
    assert (check.intact, check.trusted, check.signer_fingerprint) == (True, True, certificate.fingerprint)
    assert (check.stamp.dossier_code, check.stamp.kind) == (payment.dossier.code, "payment_receipt")


def test_does_list_the_payments_with_few_queries_on_the_staff_page(
    client, world, receive, vnpay, django_assert_max_num_queries
):
    dossier = receive()
    for n in range(1, 6):
        paid(dossier, n)
    client.force_login(world["clerk"])

    with django_assert_max_num_queries(12):
        response = client.get(f"/can-bo/thanh-toan/{dossier.code}/")

    page = response.content.decode()
    assert page.count('class="refund-form"') == 5
    assert "BL-2026-0000005" in page


def test_does_link_the_payments_page_from_the_dossier_page_when_payment_is_on(client, world, receive, vnpay):
    dossier = receive()
    client.force_login(world["clerk"])

    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()

    assert f'<a href="/can-bo/thanh-toan/{dossier.code}/" id="payments-link">' in page
