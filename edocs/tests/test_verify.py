"""manage.py verify_document: a valid, trusted signature over the whole file AND our record of
that file for that dossier; every other file is refused with the reason."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfWriter

from dossiers.tests.fixtures import local
from edocs import verify
from edocs.models import SignedDocument
from edocs.services import receipt_signed
from edocs.signing import Stamp, pdf_check, pdf_sign
from edocs.tests.pki import TimeStampServer, authority, root_ca

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world, receive, signing, tmp_path):
    """(the dossier, its signed receipt as a file, the record)."""
    signing(world["centre"])
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        dossier = receive()
    document = receipt_signed(dossier=dossier)
    path = tmp_path / "giay-tiep-nhan.pdf"
    path.write_bytes(document.file.open("rb").read())
    return dossier, path, document


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("verify_document", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args) -> str:
    with pytest.raises(CommandError) as exc:
        run(path, *args)
    return str(exc.value)


def test_does_accept_the_receipt_when_it_is_unchanged_and_belongs_to_the_dossier(signed):
    dossier, path, _document = signed

    out = run(path, "--dossier", dossier.code)

    assert out.startswith(f"Hợp lệ: Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01) của hồ sơ {dossier.code}, ")
    assert "mức PAdES B-B." in out


def test_cannot_accept_the_receipt_when_another_dossier_is_named(signed):
    dossier, path, _document = signed

    message = refused(path, "--dossier", "000.00.01.H56-260309-0002")

    assert str(verify.WRONG_DOSSIER % {"found": dossier.code, "expected": "000.00.01.H56-260309-0002"}) in message


def test_cannot_accept_a_file_when_a_signed_byte_was_changed(signed):
    _dossier, path, _document = signed
    data = path.read_bytes()
    at = data.index(b"/Keywords")
    path.write_bytes(data[:at] + b"/Keywordz" + data[at + 9 :])

    message = refused(path)

    assert str(verify.BROKEN) in message
    assert str(verify.NO_RECORD) in message


def test_cannot_accept_a_file_when_a_revision_was_added_after_signing(signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _dossier, path, _document = signed
    original = path.read_bytes()
    writer = IncrementalPdfFileWriter(io.BytesIO(original))
    writer.root["/PageMode"] = generic.pdf_name("/UseOutlines")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(original) and len(out.getvalue()) > len(original)
    path.write_bytes(out.getvalue())

    message = refused(path)

    assert str(verify.CHANGED_AFTER) in message
    assert str(verify.NO_RECORD) in message


def test_cannot_accept_a_file_when_it_is_not_signed(tmp_path, signing):
    path = tmp_path / "trang.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as f:
        writer.write(f)

    assert str(verify.NOT_SIGNED) in refused(path)


def test_cannot_accept_a_file_when_it_is_not_a_pdf(tmp_path, signing):
    path = tmp_path / "khong-phai.pdf"
    path.write_bytes(b"GIF89a not a pdf")

    assert "Không đọc được tệp PDF" in refused(path)


def test_cannot_accept_a_file_when_our_unit_signed_it_outside_the_record(signed):
    dossier, path, document = signed
    stamp = Stamp(dossier.code, "receipt", document.source_sha256)
    pdf = pdf_sign(b"".join(_blank()), certificate=document.certificate, stamp=stamp, title="", reason="", location="")
    path.write_bytes(pdf)

    message = refused(path)

    assert str(verify.NO_RECORD) in message
    assert str(verify.BROKEN) not in message and str(verify.UNTRUSTED) not in message


def test_cannot_accept_a_file_when_its_stamp_and_our_record_disagree(signed):
    _dossier, path, document = signed
    SignedDocument.objects.filter(pk=document.pk).update(source_sha256="0" * 64)

    assert str(verify.STAMP_MISMATCH) in refused(path)


def test_cannot_accept_a_signature_when_its_ca_is_not_a_trust_root(signed, world, settings, tmp_path):
    from edocs.certificates import unit_certificate_register

    dossier, path, document = signed
    roots = tmp_path / "roots.pem"
    roots.write_bytes(root_ca().pem)
    settings.PORTAL_SIGNING_TRUST_ROOTS = str(roots)
    foreign = unit_certificate_register(
        unit=world["agency"],
        pkcs12=authority("CA không được tin cậy").pkcs12("Đơn vị giả mạo"),
        passphrase_env="PORTAL_SIGNING_PASSPHRASE",
    )
    stamp = Stamp(dossier.code, "receipt", document.source_sha256)
    path.write_bytes(pdf_sign(b"".join(_blank()), certificate=foreign, stamp=stamp, title="", reason="", location=""))

    message = refused(path)

    assert str(verify.UNTRUSTED) in message
    assert str(verify.BROKEN) not in message


def test_does_add_a_time_stamp_when_a_tsa_is_configured(world, receive, signing, settings, tmp_path):
    signing(world["centre"])
    dossier = receive()
    with TimeStampServer(root_ca()) as tsa:
        settings.PORTAL_TSA_URL = tsa.url
        document = receipt_signed(dossier=dossier)
        data = document.file.open("rb").read()

    assert tsa.requests > 0
    assert document.level == "B-T"
    check = pdf_check(data)
    assert (check.timestamped, check.intact, check.trusted) == (True, True, True)
    path = tmp_path / "bt.pdf"
    path.write_bytes(data)
    assert "mức PAdES B-T." in run(path, "--dossier", dossier.code)


def _blank():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    yield out.getvalue()
