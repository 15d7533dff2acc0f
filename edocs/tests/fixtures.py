"""Signing switched on, a signing store per test and the units' certificates from the test CA (a pytest plugin)."""

import pytest

from edocs.certificates import unit_certificate_register
from edocs.tests.pki import PASSPHRASE, root_ca


@pytest.fixture
def signing(settings, tmp_path, monkeypatch):
    """Signing on; `signing(unit)` registers a certificate of the test CA for the unit."""
    settings.PORTAL_SIGNING_ENABLED = True
    settings.PORTAL_SIGNING_DIR = tmp_path / "signing"
    settings.PORTAL_SIGNING_TRUST_ROOTS = ""
    settings.PORTAL_TSA_URL = ""
    monkeypatch.setenv("PORTAL_SIGNING_PASSPHRASE", PASSPHRASE)

    def register(unit, **kwargs):
        pkcs12 = root_ca().pkcs12(unit.name, **kwargs)
        return unit_certificate_register(unit=unit, pkcs12=pkcs12, passphrase_env="PORTAL_SIGNING_PASSPHRASE")

    return register
