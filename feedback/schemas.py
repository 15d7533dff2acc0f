"""API schemas of the feedback router: explicit In/Out shapes.

The Out schemas read the models themselves, as the dossier API's do (dossiers/schemas.py): a field
named as the model's attribute reads it, an `alias` names a path to it (`unit.code`), a static
`resolve_<field>` works it out."""

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema

from .models import COMMENT_MAX, CONTENT_MAX, SUBJECT_MAX
from .workflow import allowed_actions


class CriteriaIn(Schema):
    """Optional scores from 1 (very poor) to 5 (very good)."""

    attitude: int | None = Field(None, ge=1, le=5)
    timeliness: int | None = Field(None, ge=1, le=5)
    guidance: int | None = Field(None, ge=1, le=5)


class RatingIn(Schema):
    key: str = Field(..., max_length=32)
    satisfied: bool
    comment: str = Field("", max_length=COMMENT_MAX)
    criteria: CriteriaIn | None = None


class RatingOut(Schema):
    dossier_code: str = Field(alias="dossier.code")
    satisfied: bool
    attitude: int | None
    timeliness: int | None
    guidance: int | None
    created_at: datetime


class PetitionIn(Schema):
    subject: str = Field(..., max_length=SUBJECT_MAX)
    content: str = Field(..., max_length=CONTENT_MAX)
    name: str = Field(..., max_length=200)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    unit_code: str = Field("", max_length=32)
    dossier_code: str = Field("", max_length=48)
    dossier_key: str = Field("", max_length=32, description="the dossier's lookup key or ID number: links it")
    procedure_code: str = Field("", max_length=32)
    officer_name: str = Field("", max_length=200)
    about: Literal["", "procedure", "unit", "officer", "dossier"] = ""


class PetitionCreatedOut(Schema):
    code: str
    key: str
    status: str
    received_at: datetime
    due_at: datetime = Field(alias="answer_by")


class PublishedPetitionOut(Schema):
    code: str
    subject: str
    content: str
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    received_at: datetime
    answer: str
    answered_at: datetime
    published_at: datetime


class PublishedPageOut(Schema):
    items: list[PublishedPetitionOut]
    count: int
    page: int
    page_size: int


class PetitionOut(Schema):
    # A petition loaded with `Petition.objects.for_list()`; `actions` are those its state allows.
    code: str
    subject: str
    content: str
    about: str
    unit_code: str = Field(alias="unit.code")
    dossier_code: str = Field(alias="dossier_ref")
    officer_name: str
    name: str
    phone: str
    email: str
    status: str
    status_label: str
    received_at: datetime
    reject_by: datetime
    info_by: datetime
    answer_by: datetime
    publish_by: datetime | None
    due_at: datetime | None
    is_overdue: bool
    answer: str
    answered_at: datetime | None
    is_public: bool
    published_at: datetime | None
    clock_from: datetime | None
    citizen_satisfied: bool | None
    actions: list[str]

    @staticmethod
    def resolve_status_label(petition) -> str:
        return str(petition.get_status_display())

    @staticmethod
    def resolve_is_overdue(petition) -> bool:
        return petition.is_overdue(timezone.now())

    @staticmethod
    def resolve_actions(petition) -> list[str]:
        return [a.name for a in allowed_actions(petition)]


class PetitionPageOut(Schema):
    items: list[PetitionOut]
    count: int
    page: int
    page_size: int


class PetitionActionIn(Schema):
    action: Literal["reject", "request_info", "supply_info", "transfer", "answer", "publish"]
    text: str = Field("", max_length=5000)
    publish: bool = True
    to_unit_code: str = Field("", max_length=32)  # transfer: the unit competent for the petition


class PetitionRatingIn(Schema):
    """The petitioner's opinion of the answer (Decision 766 §5.3)."""

    key: str = Field(..., max_length=32)
    satisfied: bool


class PetitionRatingOut(Schema):
    code: str
    satisfied: bool = Field(alias="citizen_satisfied")
    rated_at: datetime = Field(alias="citizen_rated_at")
