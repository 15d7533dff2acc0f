"""A small public-key infrastructure for the tests, made with `cryptography`: a root CA, unit
certificates it issues (PKCS#12, as a unit would receive them) and an RFC 3161 time stamp
authority served over HTTP on loopback."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from dossiers.tests.loopback import LoopbackServer, QuietHandler

PASSPHRASE = "mat-khau-p12-thu-nghiem"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Một Cửa (thử nghiệm)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, sign: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Authority:
    key: object
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str, *, key=None, days: int = 365, start_days: int = -1, extra=()) -> tuple:
        key = key or ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + timedelta(days=start_days))
            .not_valid_after(now + timedelta(days=days))
        )
        for extension, critical in extra or ((_usage(sign=True), True),):
            builder = builder.add_extension(extension, critical=critical)
        return key, builder.sign(self.key, hashes.SHA256())

    def pkcs12(self, common_name: str, *, passphrase: str = PASSPHRASE, **kwargs) -> bytes:
        key, cert = self.issue(common_name, **kwargs)
        encryption = serialization.BestAvailableEncryption(passphrase.encode())
        return pkcs12.serialize_key_and_certificates(b"unit", key, cert, [self.cert], encryption)


def authority(common_name: str) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=2))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Authority(key, cert)


@cache
def root_ca() -> Authority:
    """One root CA per test run (key generation is the slow part)."""
    return authority("CA thử nghiệm Một Cửa")


# -- an RFC 3161 time stamp authority on loopback ---------------------------------------------------


class TimeStampServer(LoopbackServer):
    """POST a DER TimeStampReq, get a DER TimeStampResp signed by a TSA certificate of the CA."""

    def __init__(self, ca: Authority):
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps import DummyTimeStamper

        tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
        _key, cert = ca.issue("Máy chủ cấp dấu thời gian thử nghiệm", key=tsa_key, extra=((eku, True),))
        der_key = tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=keys.PrivateKeyInfo.load(der_key),
        )
        self.requests = 0
        super().__init__(self._handler())
        self.url = f"{self.base}/tsa"

    def _handler(self):
        tsa = self

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                from asn1crypto import tsp

                request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
                body = asyncio.run(tsa.stamper.async_request_tsa_response(request)).dump()
                tsa.requests += 1
                self.send_body(200, "application/timestamp-reply", body)

        return Handler
