"""A citizen pays a fee from a phone: lookup page → pay page → the gateway → back, paid."""

import pytest

from payments.models import Payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_does_show_the_fee_paid_when_the_citizen_pays_from_the_lookup_page(browser, live_server, gateway, receive):
    from playwright.sync_api import expect

    dossier = receive()
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto(f"{live_server.url}/tra-cuu/{dossier.code}/?key={dossier.lookup_key}")
    expect(page.locator("#fee-amount")).to_have_text("50.000 đồng")
    page.get_by_role("link", name="Thanh toán trực tuyến").click()
    expect(page.locator("#amount")).to_have_text("50.000 đồng")
    page.get_by_role("button", name="Thanh toán qua VNPay").click()
    expect(page.locator("#amount")).to_have_text("50000 VND")  # the gateway's page
    page.get_by_role("button", name="Xác nhận thanh toán").click()

    expect(page.locator("#payment-status")).to_have_text("Đã thanh toán thành công.")
    page.get_by_role("link", name="Xem biên lai điện tử").click()
    payment = Payment.objects.get(dossier=dossier)
    expect(page.locator("#receipt-number")).to_have_text(payment.receipt_number)
    page.goto(f"{live_server.url}/tra-cuu/{dossier.code}/?key={dossier.lookup_key}")
    expect(page.locator("#fee-paid")).to_contain_text("Đã thanh toán trực tuyến lúc")
    expect(page.get_by_role("link", name="Thanh toán trực tuyến")).to_have_count(0)
    context.close()
