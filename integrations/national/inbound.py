"""Online dossiers the national portal sends us: status-1 submissions, one per portal id.

The portal delivers at least once; a redelivery (same MaHoSoQG) returns the dossier made the
first time and creates nothing. The key row is inserted first, in the receipt's transaction:
a concurrent redelivery waits on its unique index, then finds the first one's dossier.
"""

from contextlib import contextmanager
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.errors import UNKNOWN_UNIT as UNKNOWN_COMPETENT_UNIT
from dossiers.errors import InvalidInput
from dossiers.models import Channel, Dossier, Procedure, Unit
from dossiers.services.applicants import applicant_clean
from dossiers.services.intake import HandedDocument, dossier_submit
from dossiers.services.timing import instant_checked

from ..models import InboundDossier

UNKNOWN_PROCEDURE = _("Không có thủ tục với mã TTHC này.")
UNKNOWN_UNIT = _("Không có đơn vị tiếp nhận với mã này.")
# The intake's field names as the contract (docs/integrations.md) names them.
CONTRACT_FIELDS = {
    "procedure_code": "MaTTHC",
    "receiving_unit_code": "DonViTiepNhan",
    "competent_unit_code": "DonViThamQuyen",
    "set_count": "SoBoHoSo",
    "documents": "TaiLieuNop",
    "at": "NgayNop",
    "applicant.name": "ChuHoSo.HoTen",
    "applicant.id_number": "ChuHoSo.SoDinhDanh",
    "applicant.phone": "ChuHoSo.SoDienThoai",
    "applicant.email": "ChuHoSo.Email",
    "applicant.address": "ChuHoSo.DiaChi",
}


class PortalActor:
    """The national portal registering a citizen's online submission: no user of ours (its events
    name no actor), and not a counter clerk — a clerk still accepts or refuses it (status 1 → 2
    or 3). `is_superuser` only lets `dossier_submit` register it at any centre."""

    pk = id = None
    is_authenticated = False
    is_superuser = True
    is_active = True


PORTAL = PortalActor()


def national_dossier_receive(
    *,
    portal_id: str,
    procedure_code: str,
    unit_code: str,
    applicant: dict,
    payload: dict,
    documents: list[HandedDocument] | None = None,
    submitted_at: datetime | None = None,
    set_count: int = 1,
    competent_unit_code: str | None = None,
) -> tuple[Dossier, bool]:
    """The dossier for `portal_id`, and whether this call created it (status 1, online).

    `competent_unit_code` (DonViThamQuyen): the commune competent for a commune-level procedure
    filed at the provincial centre or another commune, checked as the API's `competent_unit_code`
    (dossiers.services.intake.competent_authority)."""
    existing = _received(portal_id)
    if existing is not None:
        return existing, False
    procedure, unit = _procedure(procedure_code), _unit(unit_code)
    competent = _competent_unit(competent_unit_code)
    try:
        with transaction.atomic(), _contract_fields():
            link = InboundDossier.objects.create(portal_id=portal_id, payload=payload)
            link.dossier = dossier_submit(
                procedure=procedure,
                receiving_unit=unit,
                applicant=applicant_clean(**applicant),
                actor=PORTAL,
                channel=Channel.ONLINE,
                documents=documents,
                # The portal's clock may run ahead of ours: never a submission in the future.
                received_at=min(instant_checked(submitted_at, field="NgayNop"), timezone.now())
                if submitted_at
                else None,
                set_count=set_count,
                competent_unit=competent,
                note=str(_("Nộp trực tuyến qua Cổng Dịch vụ công quốc gia, mã %(id)s") % {"id": portal_id}),
            )
            link.save(update_fields=["dossier"])
    except IntegrityError:
        existing = _received(portal_id)  # a concurrent delivery of the same dossier won
        if existing is None:
            raise
        return existing, False
    return link.dossier, True


def _received(portal_id: str) -> Dossier | None:
    link = InboundDossier.objects.select_related("dossier").filter(portal_id=portal_id).first()
    return link.dossier if link else None


def _procedure(code: str) -> Procedure:
    procedure = Procedure.objects.for_intake().filter(national_code=code).first()
    if procedure is None:
        raise InvalidInput(UNKNOWN_PROCEDURE, fields={"MaTTHC": UNKNOWN_PROCEDURE})
    return procedure


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise InvalidInput(UNKNOWN_UNIT, fields={"DonViTiepNhan": UNKNOWN_UNIT})
    return unit


def _competent_unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise InvalidInput(UNKNOWN_COMPETENT_UNIT, fields={"DonViThamQuyen": UNKNOWN_COMPETENT_UNIT})
    return unit


@contextmanager
def _contract_fields():
    """Name the intake's invalid fields as the contract does."""
    try:
        yield
    except InvalidInput as exc:
        fields = {CONTRACT_FIELDS.get(k, k): v for k, v in exc.fields.items()}
        raise InvalidInput(exc.message, fields=fields, code=exc.code) from exc
