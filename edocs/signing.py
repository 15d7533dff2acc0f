"""PAdES signatures with pyHanko: sign with a unit's PKCS#12, check against the trust roots.

A signed document carries, in its signed revision's metadata, the dossier it belongs to, its
kind and the hash of what was signed (`Stamp`); `document_check` reads them back.
Baseline B-B by default; B-T (an RFC 3161 time stamp) when `PORTAL_TSA_URL` is set.
"""

import hashlib
import io
import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)
STAMP_PREFIX = "motcua:"
FIELD_NAME = "ChuKySoDonVi"
NO_PASSPHRASE = _("Biến môi trường %(name)s (mật khẩu tệp PKCS#12) chưa được đặt.")
BAD_PKCS12 = _("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng.")


class SigningError(Exception):
    """The document could not be signed (key material, a broken PDF, the time stamp server)."""


@dataclass(frozen=True)
class Stamp:
    """What a signed document says about itself, inside the signature's coverage."""

    dossier_code: str
    kind: str
    source_sha256: str

    def keywords(self) -> list[str]:
        pairs = (("dossier", self.dossier_code), ("kind", self.kind), ("source", self.source_sha256))
        return [f"{STAMP_PREFIX}{name}={value}" for name, value in pairs]

    @classmethod
    def from_keywords(cls, keywords) -> "Stamp | None":
        ours = [k[len(STAMP_PREFIX) :] for k in keywords or () if k.startswith(STAMP_PREFIX) and "=" in k]
        values = dict(k.split("=", 1) for k in ours)
        try:
            return cls(values["dossier"], values["kind"], values["source"])
        except KeyError:
            return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- key material --------------------------------------------------------------------------------


def passphrase(env_name: str) -> bytes:
    value = os.environ.get(env_name)
    if value is None:
        raise SigningError(NO_PASSPHRASE % {"name": env_name})
    return value.encode()


def pkcs12_open(data: bytes, secret: bytes):
    """(key, certificate, other certificates) of a PKCS#12 archive (pyca objects)."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, secret)
    except ValueError as exc:
        raise SigningError(BAD_PKCS12) from exc
    if key is None or cert is None:
        raise SigningError(BAD_PKCS12)
    return key, cert, others


def signer_of(certificate):
    from pyhanko.sign.signers import SimpleSigner

    with certificate.pkcs12.open("rb") as f:
        data = f.read()
    secret = passphrase(certificate.passphrase_env)
    pkcs12_open(data, secret)  # a clear message for a wrong passphrase
    return SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=secret)


def _timestamper():
    if not settings.PORTAL_TSA_URL:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(settings.PORTAL_TSA_URL, timeout=10)


def signature_level() -> str:
    return "B-T" if settings.PORTAL_TSA_URL else "B-B"


def pdf_sign(pdf: bytes, *, certificate, stamp: Stamp, title: str, reason: str, location: str) -> bytes:
    """The PDF signed by the certificate's unit (PAdES), the stamp in the signed revision."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=certificate.unit.name,
    )
    out = io.BytesIO()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        writer.document_meta.keywords = stamp.keywords()
        writer.document_meta.subject = f"{stamp.dossier_code} · {stamp.kind}"
        writer.document_meta.title = writer.document_meta.title or title
        signers.sign_pdf(writer, meta, signer=signer_of(certificate), timestamper=_timestamper(), output=out)
    except (PdfError, OSError, ValueError) as exc:
        raise SigningError(str(exc)) from exc
    return out.getvalue()


# -- checking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko found in a file: the signature's state, its signer and its stamp."""

    signed: bool
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer_fingerprint: str = ""
    signer_subject: str = ""
    timestamped: bool = False
    stamp: Stamp | None = None
    problem: str = ""


def trust_roots() -> list:
    """`PORTAL_SIGNING_TRUST_ROOTS` (a PEM bundle) when set, else the self-signed certificates
    (root CAs) of the chains the administrator registered with the units' certificates."""
    from pyhanko.keys import load_certs_from_pemder_data

    if settings.PORTAL_SIGNING_TRUST_ROOTS:
        with open(settings.PORTAL_SIGNING_TRUST_ROOTS, "rb") as f:
            return list(load_certs_from_pemder_data(f.read()))
    from .models import UnitCertificate

    roots = {}
    for pem in UnitCertificate.objects.values_list("chain_pem", flat=True):
        for cert in load_certs_from_pemder_data(pem.encode()) if pem else ():
            if cert.self_issued:
                roots[cert.sha256] = cert
    return list(roots.values())


def pdf_check(data: bytes) -> SignatureCheck:
    """Validate the last signature of the file against the trust roots (no network fetching)."""
    from pyhanko.pdf_utils.metadata.info import view_from_info_dict
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, OSError, ValueError) as exc:
        return SignatureCheck(signed=False, problem=str(exc))
    if not signatures:
        return SignatureCheck(signed=False)
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
    try:
        status = validate_pdf_signature(signatures[-1], context)
    except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(signed=True, problem=str(exc) or type(exc).__name__)
    info = reader.trailer_view.get("/Info")
    stamp = Stamp.from_keywords(view_from_info_dict(info.get_object()).keywords) if info else None
    return SignatureCheck(
        signed=True,
        intact=status.intact and status.valid,
        trusted=status.trusted,
        whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        signer_fingerprint=status.signing_cert.sha256.hex(),
        signer_subject=status.signing_cert.subject.human_friendly,
        timestamped=status.timestamp_validity is not None,
        stamp=stamp,
    )
