"""The test identity provider, started once per run on loopback, and the portal pointed at it."""

import pytest

from .provider import IdentityProvider


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory):
    server = IdentityProvider(tmp_path_factory.mktemp("idp")).up()
    yield server
    server.down()


@pytest.fixture
def oidc(settings, identity_provider):
    """Citizen login on, against the test provider."""
    for name, value in identity_provider.settings().items():
        setattr(settings, name, value)
    return identity_provider


@pytest.fixture
def citizen_dossiers(world, receive):
    """An's two dossiers (the older one with its result ready) and a third person's."""
    import time_machine

    from dossiers.services.applicants import applicant_clean
    from dossiers.services.routing import dossier_transition
    from dossiers.tests.fixtures import local

    an = applicant_clean(name="Phạm Văn An", id_number="079088001234", phone="0912345678", email="an@example.vn")
    dung = applicant_clean(name="Hoàng Thị Dung", id_number="079088009999", phone="0987654321")
    with time_machine.travel(local(2026, 5, 4, 8, 0), tick=False):
        older = receive(applicant=an)
        for action, user in (("transfer", "clerk"), ("transfer", "specialist"), ("complete", "leader")):
            older = dossier_transition(dossier_id=older.pk, action=action, actor=world[user])
    with time_machine.travel(local(2026, 5, 6, 9, 0), tick=False):
        newer = receive(applicant=an)
        theirs = receive(applicant=dung)
    return {"older": older, "newer": newer, "theirs": theirs}


@pytest.fixture
def oidc_configured(settings):
    """Citizen login configured, for pages that never talk to the provider (sessions.citizen_logged_in)."""
    settings.PORTAL_OIDC_ISSUER, settings.PORTAL_OIDC_CLIENT_ID = "http://127.0.0.1:9/o", "mot-cua"
