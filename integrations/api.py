"""/api/v1/integrations/…: what partner systems call (docs/integrations.md)."""

import hmac
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja import Status as Answer
from ninja.security import HttpBearer

from dossiers.errors import InvalidInput
from dossiers.schemas import ErrorOut
from dossiers.services.intake import HandedDocument

from .national.contract import parse_stamp
from .national.inbound import national_dossier_receive

BAD_STAMP = _("Ngày giờ phải có dạng yyyyMMddHHmmss, ví dụ 20260309100000.")


class NationalPortalToken(HttpBearer):
    """The national portal's shared token (PORTAL_NATIONAL_INBOUND_TOKEN); none is valid while
    it is unset (the integration is off)."""

    def authenticate(self, request: HttpRequest, token: str):
        expected = settings.PORTAL_NATIONAL_INBOUND_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return "national-portal"
        return None


router = Router(tags=["integrations"], auth=NationalPortalToken())


class OwnerIn(Schema):
    HoTen: str = Field(..., max_length=200)
    SoDinhDanh: str = Field(..., max_length=20)
    SoDienThoai: str = Field(..., max_length=20)
    Email: str = Field("", max_length=254)
    DiaChi: str = Field("", max_length=300)


class DocumentIn(Schema):
    TenGiayTo: str = Field(..., min_length=1, max_length=500)
    LoaiBan: Literal["original", "certified", "copy"] = "copy"
    SoLuong: int = Field(1, ge=1, le=99)


class NationalDossierIn(Schema):
    MaHoSoQG: str = Field(..., min_length=1, max_length=64, pattern=r"^\S+$")
    MaTTHC: str = Field(..., max_length=32)
    DonViTiepNhan: str = Field(..., max_length=32)
    DonViThamQuyen: str | None = Field(None, max_length=32)
    ChuHoSo: OwnerIn
    NgayNop: str | None = Field(None, max_length=14)
    SoBoHoSo: int = Field(1, ge=1, le=20)
    TaiLieuNop: list[DocumentIn] | None = Field(None, max_length=100)


class NationalDossierOut(Schema):
    # Read from the dossier (its inbound link loaded); a redelivery is the answer 200 (201: created).
    MaHoSoQG: str = Field(alias="national_inbound.portal_id")
    MaHoSo: str = Field(alias="code")
    TrangThaiHoSo: int = Field(alias="status")
    TrungLap: bool

    @staticmethod
    def resolve_TrungLap(dossier, context) -> bool:  # noqa: N802 (the portal's field name)
        return context["response_status"] == 200


def _submitted_at(raw: str | None):
    if not raw:
        return None
    try:
        return parse_stamp(raw)
    except ValueError:
        raise InvalidInput(BAD_STAMP, fields={"NgayNop": BAD_STAMP}) from None


@router.post(
    "/integrations/national/dossiers",
    response={200: NationalDossierOut, 201: NationalDossierOut, 401: ErrorOut, 422: ErrorOut},
    summary="Nhận hồ sơ trực tuyến từ Cổng DVCQG",
)
def national_dossier(request: HttpRequest, payload: NationalDossierIn):
    """A citizen's online submission from the national portal becomes a status-1 dossier; a
    redelivery of the same MaHoSoQG answers 200 with the same dossier and creates nothing."""
    dossier, created = national_dossier_receive(
        portal_id=payload.MaHoSoQG,
        procedure_code=payload.MaTTHC,
        unit_code=payload.DonViTiepNhan,
        applicant=_applicant(payload.ChuHoSo),
        payload=payload.dict(),
        documents=_documents(payload.TaiLieuNop),
        submitted_at=_submitted_at(payload.NgayNop),
        set_count=payload.SoBoHoSo,
        competent_unit_code=payload.DonViThamQuyen,
    )
    return Answer(201 if created else 200, dossier)


def _applicant(owner: OwnerIn) -> dict:
    return {
        "name": owner.HoTen,
        "id_number": owner.SoDinhDanh,
        "phone": owner.SoDienThoai,
        "email": owner.Email,
        "address": owner.DiaChi,
    }


def _documents(items: list[DocumentIn] | None) -> list[HandedDocument] | None:
    return None if items is None else [HandedDocument(d.TenGiayTo, d.LoaiBan, d.SoLuong) for d in items]
