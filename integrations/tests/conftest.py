"""The national portal stand-in (partner.py), started per test on loopback, and the settings
that point the portal at it."""

import pytest

from .partner import Partner

TOKEN = "national-sync-test-token"
SECRET = "national-sync-test-secret"
INBOUND_TOKEN = "national-inbound-test-token"


@pytest.fixture
def partner():
    server = Partner(token=TOKEN, secret=SECRET).up()
    yield server
    server.down()


@pytest.fixture
def national(settings, partner):
    """Sync on, against the partner: short timeout, 60 s backoff base, dead after 3 attempts."""
    settings.PORTAL_NATIONAL_SYNC_URL = partner.url
    settings.PORTAL_NATIONAL_SYNC_TOKEN = TOKEN
    settings.PORTAL_NATIONAL_SYNC_HMAC_SECRET = SECRET
    settings.PORTAL_NATIONAL_SYNC_TIMEOUT_SECONDS = 0.5
    settings.PORTAL_NATIONAL_SYNC_BACKOFF_SECONDS = 60
    settings.PORTAL_NATIONAL_SYNC_BACKOFF_MAX_SECONDS = 21600
    settings.PORTAL_NATIONAL_SYNC_MAX_ATTEMPTS = 3
    settings.PORTAL_NATIONAL_INBOUND_TOKEN = INBOUND_TOKEN
    return partner
