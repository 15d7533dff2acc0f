"""VNPay configured against the local gateway simulator, with our live server as the merchant."""

import pytest

from payments.tests.gateway import VNPaySimulator

TMN_CODE = "MOTCUA01"
SECRET = "BIMATTHUNGHIEMMOTCUA0123456789AB"


@pytest.fixture
def vnpay(settings):
    """VNPay's settings with nothing listening (tests that call the services directly)."""
    settings.PORTAL_VNPAY_TMN_CODE = TMN_CODE
    settings.PORTAL_VNPAY_HASH_SECRET = SECRET
    settings.PORTAL_VNPAY_URL = "http://127.0.0.1:9/paymentv2/vpcpay.html"
    settings.PORTAL_VNPAY_API_URL = "http://127.0.0.1:9/merchant_webapi/api/transaction"
    settings.PORTAL_VNPAY_TIMEOUT = 2
    return settings


@pytest.fixture
def gateway(live_server, vnpay):
    """The simulator on loopback, calling the live server's IPN endpoint."""
    vnpay.PORTAL_PUBLIC_BASE_URL = live_server.url
    with VNPaySimulator(tmn_code=TMN_CODE, secret=SECRET, ipn_url=f"{live_server.url}/thanh-toan/vnpay/ipn/") as sim:
        vnpay.PORTAL_VNPAY_URL = sim.pay_url
        vnpay.PORTAL_VNPAY_API_URL = sim.api_url
        yield sim
