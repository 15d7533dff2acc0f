"""Units' certificates: the administrator registers a PKCS#12 in the admin; it is checked
against the passphrase in the environment, stored outside the media files, never deleted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.roles import roles_sync
from dossiers.tests.factories import UserFactory
from edocs import certificates, signing
from edocs.models import UnitCertificate
from edocs.tests.pki import root_ca

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/edocs/unitcertificate/add/"


@pytest.fixture
def administrator(world):
    roles_sync()
    return UserFactory(username="quantri", roles=["admin"], units=[world["centre"]], is_staff=True)


def post_pkcs12(client, world, pkcs12: bytes, env="PORTAL_SIGNING_PASSPHRASE"):
    upload = SimpleUploadedFile("don-vi.p12", pkcs12, content_type="application/x-pkcs12")
    data = {"unit": world["centre"].pk, "label": "Chứng thư 2026", "upload": upload, "passphrase_env": env}
    data["is_active"] = "on"
    return client.post(ADD_URL, data)


def stored(settings) -> list:
    folder = settings.PORTAL_SIGNING_DIR / "certificates"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_does_register_the_certificate_in_the_signing_store_when_the_administrator_uploads_it(
    client, world, administrator, signing, settings
):
    client.force_login(administrator)
    pkcs12 = root_ca().pkcs12("Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa")

    response = post_pkcs12(client, world, pkcs12)

    assert response.status_code == 302
    certificate = UnitCertificate.objects.get()
    assert certificate.unit == world["centre"]
    assert "CN=Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa" in certificate.subject
    assert certificate.created_by == administrator
    assert [p.read_bytes() for p in stored(settings)] == [pkcs12]
    assert stored(settings)[0].stat().st_mode & 0o777 == 0o600
    assert not str(settings.PORTAL_SIGNING_DIR).startswith(str(settings.MEDIA_ROOT))
    assert "BEGIN CERTIFICATE" in certificate.chain_pem  # the CA came with it: the trust root


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("PORTAL_SIGNING_PASSPHRASE", "mat-khau-sai", signing.BAD_PKCS12),
        ("PORTAL_SIGNING_PASSPHRASE_KHAC", None, signing.NO_PASSPHRASE % {"name": "PORTAL_SIGNING_PASSPHRASE_KHAC"}),
    ],
)
def test_cannot_register_a_certificate_when_its_passphrase_does_not_open_it(
    client, world, administrator, signing, settings, monkeypatch, env, value, message
):
    if value is not None:
        monkeypatch.setenv(env, value)
    client.force_login(administrator)

    response = post_pkcs12(client, world, root_ca().pkcs12("Trung tâm"), env=env)

    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not UnitCertificate.objects.exists() and stored(settings) == []


def test_cannot_register_a_certificate_when_it_has_expired(client, world, administrator, signing, settings):
    client.force_login(administrator)

    response = post_pkcs12(client, world, root_ca().pkcs12("Trung tâm", days=-1, start_days=-400))

    assert str(certificates.EXPIRED) in response.content.decode()
    assert not UnitCertificate.objects.exists() and stored(settings) == []


def test_cannot_delete_a_certificate_when_documents_may_refer_to_it(client, world, administrator, signing):
    certificate = signing(world["centre"])
    client.force_login(administrator)

    assert client.get(f"/admin/edocs/unitcertificate/{certificate.pk}/delete/").status_code == 403
    assert UnitCertificate.objects.filter(pk=certificate.pk).exists()


def test_cannot_register_a_certificate_when_the_user_is_not_an_administrator(client, world, signing):
    roles_sync()
    clerk = world["clerk"]
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    client.force_login(clerk)

    assert client.get(ADD_URL).status_code == 403
