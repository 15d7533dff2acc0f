"""The feedback router of /api/v1: ratings and petitions (shared/docs/api.md)."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from dossiers import errors
from dossiers.auth import StaffRequest, staff_auth
from dossiers.schemas import ErrorOut
from dossiers.services.lookup import LOOKUP_NOT_FOUND, public_dossier

from .models import Petition
from .schemas import (
    PetitionActionIn,
    PetitionCreatedOut,
    PetitionIn,
    PetitionOut,
    PetitionPageOut,
    PetitionRatingIn,
    PetitionRatingOut,
    PublishedPageOut,
    RatingIn,
    RatingOut,
)
from .services.petition_opinion import petition_rate_answer
from .services.petitions import (
    PETITION_NOT_FOUND,
    petition_act,
    petition_for_citizen,
    petition_submit,
)
from .services.ratings import rating_submit
from .throttle import petition_follow_rate, petition_rate, throttle, throttle_dossier_key

router = Router(tags=["feedback"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.post("/public/dossiers/{code}/rating", response={201: RatingOut, **ERRORS}, auth=None, summary="Đánh giá")
def rate(request: HttpRequest, code: str, payload: RatingIn):
    throttle_dossier_key(request, code=code)
    dossier = public_dossier(code=code, key=payload.key)
    if dossier is None:  # wrong key and unknown code: exactly the lookup's answer
        raise errors.NotFound(LOOKUP_NOT_FOUND)
    criteria = payload.criteria.dict() if payload.criteria else None
    rating = rating_submit(
        dossier=dossier, satisfied=payload.satisfied, criteria=criteria, comment=payload.comment, source="api"
    )
    return Answer(201, rating)


@router.post("/public/petitions", response={201: PetitionCreatedOut, **ERRORS}, auth=None, summary="Gửi phản ánh")
def submit_petition(request: HttpRequest, payload: PetitionIn):
    throttle(request, scope="petition", rate=petition_rate())
    if payload.dossier_code and payload.dossier_key:
        throttle_dossier_key(request, code=payload.dossier_code)
    return Answer(201, petition_submit(**payload.dict()))


@router.post(
    "/public/petitions/{code}/rating",
    response={201: PetitionRatingOut, **ERRORS},
    auth=None,
    summary="Đánh giá trả lời phản ánh",
)
def rate_petition_answer(request: HttpRequest, code: str, payload: PetitionRatingIn):
    throttle(request, scope="petition-follow", rate=petition_follow_rate(), code=code)
    petition = petition_for_citizen(code=code, key=payload.key)
    if petition is None:  # wrong key and unknown code: the same answer
        raise errors.NotFound(PETITION_NOT_FOUND)
    return Answer(201, petition_rate_answer(petition_id=petition.pk, satisfied=payload.satisfied))


class PageQuery(Schema):
    q: str = Field("", max_length=200)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


def _page(rows, params: PageQuery) -> dict:
    """The page's petitions, read here (not while the schema validates), and the counts."""
    page, size = max(params.page, 1), min(max(params.page_size, 1), 100)
    items = list(rows[(page - 1) * size : page * size])
    return {"items": items, "count": rows.count(), "page": page, "page_size": size}


@router.get(
    "/public/petitions",
    response={200: PublishedPageOut, 422: ErrorOut},
    auth=None,
    summary="Trả lời phản ánh đã công khai",
)
def published_petitions(request: HttpRequest, params: Query[PageQuery]):
    return _page(Petition.objects.published().search(params.q).for_list().order_by("-published_at"), params)


class StaffQuery(PageQuery):
    status: str = ""
    overdue: bool | None = None


@router.get("/petitions", response={200: PetitionPageOut, **ERRORS}, auth=staff_auth, summary="Danh sách phản ánh")
def list_petitions(request: StaffRequest, params: Query[StaffQuery]):
    rows = Petition.objects.visible_to(request.auth).search(params.q).for_list()
    if params.status:
        rows = rows.filter(status=params.status)
    if params.overdue is not None:
        overdue = Petition.objects.overdue()
        rows = rows.filter(pk__in=overdue.values("pk")) if params.overdue else rows.exclude(pk__in=overdue.values("pk"))
    return _page(rows, params)


def visible_petition(user, code: str) -> Petition:
    petition = Petition.objects.visible_to(user).for_list().filter(code=code).first()
    if petition is None:
        raise errors.NotFound(PETITION_NOT_FOUND)
    return petition


@router.get("/petitions/{code}", response={200: PetitionOut, **ERRORS}, auth=staff_auth, summary="Chi tiết phản ánh")
def read_petition(request: StaffRequest, code: str):
    return visible_petition(request.auth, code)


@router.post(
    "/petitions/{code}/actions", response={200: PetitionOut, **ERRORS}, auth=staff_auth, summary="Xử lý phản ánh"
)
def act_on_petition(request: StaffRequest, code: str, payload: PetitionActionIn):
    petition = visible_petition(request.auth, code)
    return petition_act(
        petition_id=petition.pk,
        action=payload.action,
        actor=request.auth,
        text=payload.text,
        publish=payload.publish,
        to_unit_code=payload.to_unit_code,
    )
