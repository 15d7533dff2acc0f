"""Registering a unit's certificate: the PKCS#12 file is checked, stored and described."""

import uuid

from cryptography.hazmat.primitives import hashes, serialization
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.errors import InvalidInput

from .models import UnitCertificate
from .signing import SigningError, passphrase, pkcs12_open

EXPIRED = _("Chứng thư đã hết hiệu lực hoặc chưa đến ngày có hiệu lực.")
DUPLICATE = _("Chứng thư này đã được đăng ký.")
NOT_FOR_SIGNING = _("Chứng thư không được phép dùng để ký số (thiếu mục đích digitalSignature).")


def _pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _usable_for_signing(cert) -> bool:
    from cryptography import x509

    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True  # no restriction stated
    return usage.digital_signature or usage.content_commitment


def certificate_facts(*, pkcs12: bytes, passphrase_env: str) -> dict:
    """The certificate's description, or InvalidInput naming what is wrong with the file."""
    try:
        _key, cert, others = pkcs12_open(pkcs12, passphrase(passphrase_env))
    except SigningError as exc:
        raise InvalidInput(str(exc), fields={"pkcs12": str(exc)}) from exc
    now = timezone.now()
    if not cert.not_valid_before_utc <= now < cert.not_valid_after_utc:
        raise InvalidInput(EXPIRED, fields={"pkcs12": EXPIRED})
    if not _usable_for_signing(cert):
        raise InvalidInput(NOT_FOR_SIGNING, fields={"pkcs12": NOT_FOR_SIGNING})
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    if UnitCertificate.objects.filter(fingerprint=fingerprint).exists():
        raise InvalidInput(DUPLICATE, fields={"pkcs12": DUPLICATE})
    return {
        "subject": cert.subject.rfc4514_string()[:500],
        "issuer": cert.issuer.rfc4514_string()[:500],
        "serial": format(cert.serial_number, "x")[:64],
        "fingerprint": fingerprint,
        "certificate_pem": _pem(cert),
        "chain_pem": "".join(_pem(c) for c in others),
        "valid_from": cert.not_valid_before_utc,
        "valid_to": cert.not_valid_after_utc,
    }


def unit_certificate_register(
    *, unit, pkcs12: bytes, passphrase_env: str, label: str = "", actor=None
) -> UnitCertificate:
    """Check the archive opens with the passphrase from the environment, then store and record it."""
    facts = certificate_facts(pkcs12=pkcs12, passphrase_env=passphrase_env)
    certificate = UnitCertificate(unit=unit, label=label, passphrase_env=passphrase_env, created_by=actor, **facts)
    certificate.pkcs12.save(f"{uuid.uuid4().hex}.p12", ContentFile(pkcs12), save=False)
    try:
        with transaction.atomic():
            certificate.save()
    except BaseException:
        certificate.pkcs12.delete(save=False)
        raise
    return certificate
