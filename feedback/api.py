"""The feedback router of /api/v1: ratings and petitions (shared/docs/api.md)."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from dossiers import errors
from dossiers.auth import StaffRequest, staff_auth
from dossiers.schemas import ErrorOut
from dossiers.services.lookup import LOOKUP_NOT_FOUND, public_dossier

from .models import Petition, Rating
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
from .workflow import allowed_actions

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
    return Answer(201, rating_out(rating))


def rating_out(r: Rating) -> dict:
    scores = {"attitude": r.attitude, "timeliness": r.timeliness, "guidance": r.guidance}
    return {"dossier_code": r.dossier.code, "satisfied": r.satisfied, "created_at": r.created_at, **scores}


@router.post("/public/petitions", response={201: PetitionCreatedOut, **ERRORS}, auth=None, summary="Gửi phản ánh")
def submit_petition(request: HttpRequest, payload: PetitionIn):
    throttle(request, scope="petition", rate=petition_rate())
    if payload.dossier_code and payload.dossier_key:
        throttle_dossier_key(request, code=payload.dossier_code)
    p = petition_submit(**payload.dict())
    return Answer(
        201, {"code": p.code, "key": p.key, "status": p.status, "received_at": p.received_at, "due_at": p.answer_by}
    )


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
    p = petition_rate_answer(petition_id=petition.pk, satisfied=payload.satisfied)
    return Answer(201, {"code": p.code, "satisfied": p.citizen_satisfied, "rated_at": p.citizen_rated_at})


class PageQuery(Schema):
    q: str = Field("", max_length=200)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


def _page(rows, params: PageQuery):
    page, size = max(params.page, 1), min(max(params.page_size, 1), 100)
    return rows[(page - 1) * size : page * size], {"count": rows.count(), "page": page, "page_size": size}


@router.get(
    "/public/petitions",
    response={200: PublishedPageOut, 422: ErrorOut},
    auth=None,
    summary="Trả lời phản ánh đã công khai",
)
def published_petitions(request: HttpRequest, params: Query[PageQuery]):
    rows, meta = _page(Petition.objects.published().search(params.q).for_list().order_by("-published_at"), params)
    return {"items": [published_out(p) for p in rows], **meta}


def published_out(p: Petition) -> dict:
    return {
        "code": p.code,
        "subject": p.subject,
        "content": p.content,
        "unit_code": p.unit.code,
        "unit_name": p.unit.name,
        "received_at": p.received_at,
        "answer": p.answer,
        "answered_at": p.answered_at,
        "published_at": p.published_at,
    }


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
    rows, meta = _page(rows, params)
    now = timezone.now()
    return {"items": [petition_out(p, now) for p in rows], **meta}


def visible_petition(user, code: str) -> Petition:
    petition = Petition.objects.visible_to(user).for_list().filter(code=code).first()
    if petition is None:
        raise errors.NotFound(PETITION_NOT_FOUND)
    return petition


@router.get("/petitions/{code}", response={200: PetitionOut, **ERRORS}, auth=staff_auth, summary="Chi tiết phản ánh")
def read_petition(request: StaffRequest, code: str):
    return petition_out(visible_petition(request.auth, code), timezone.now())


@router.post(
    "/petitions/{code}/actions", response={200: PetitionOut, **ERRORS}, auth=staff_auth, summary="Xử lý phản ánh"
)
def act_on_petition(request: StaffRequest, code: str, payload: PetitionActionIn):
    petition = visible_petition(request.auth, code)
    petition = petition_act(
        petition_id=petition.pk,
        action=payload.action,
        actor=request.auth,
        text=payload.text,
        publish=payload.publish,
        to_unit_code=payload.to_unit_code,
    )
    return petition_out(petition, timezone.now())


PETITION_FIELDS = (
    *("code", "subject", "content", "about", "officer_name", "name", "phone", "email", "status"),
    *("received_at", "reject_by", "info_by", "answer_by", "publish_by", "due_at"),
    *("answer", "answered_at", "is_public", "published_at", "clock_from", "citizen_satisfied"),
)


def petition_out(p: Petition, now) -> dict:
    return {
        **{name: getattr(p, name) for name in PETITION_FIELDS},
        "unit_code": p.unit.code,
        "dossier_code": p.dossier_ref,
        "status_label": str(p.get_status_display()),
        "is_overdue": p.is_overdue(now),
        "actions": [a.name for a in allowed_actions(p)],
    }
