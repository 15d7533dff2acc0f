"""The feedback API's JSON, byte for byte (issue 14 point 6): the dicts below are the hand-built
answers of feedback/api.py as they were, in the order the API writes their keys, rendered as the
API renders (LocalTimeRenderer). The Out schemas that read the models must give the same bytes."""

import json

import pytest
import time_machine

from dossiers.renderers import LocalTimeJSONEncoder
from dossiers.tests.fixtures import local
from dossiers.tests.test_api_dossiers import bearer
from feedback.models import Petition, Rating
from feedback.services.petitions import petition_answer, petition_publish
from feedback.workflow import allowed_actions

pytestmark = pytest.mark.django_db
JSON = "application/json"


def rendered(value) -> bytes:
    return json.dumps(value, cls=LocalTimeJSONEncoder).encode()


# -- the reference: the hand-built answers as they were --------------------------------------------
def rating_before(r: Rating) -> dict:
    return {
        "dossier_code": r.dossier.code,
        "satisfied": r.satisfied,
        "attitude": r.attitude,
        "timeliness": r.timeliness,
        "guidance": r.guidance,
        "created_at": r.created_at,
    }


def created_before(p: Petition) -> dict:
    return {"code": p.code, "key": p.key, "status": p.status, "received_at": p.received_at, "due_at": p.answer_by}


def published_before(p: Petition) -> dict:
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


def petition_before(p: Petition, now) -> dict:
    return {
        "code": p.code,
        "subject": p.subject,
        "content": p.content,
        "about": p.about,
        "unit_code": p.unit.code,
        "dossier_code": p.dossier_ref,
        "officer_name": p.officer_name,
        "name": p.name,
        "phone": p.phone,
        "email": p.email,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "received_at": p.received_at,
        "reject_by": p.reject_by,
        "info_by": p.info_by,
        "answer_by": p.answer_by,
        "publish_by": p.publish_by,
        "due_at": p.due_at,
        "is_overdue": p.is_overdue(now),
        "answer": p.answer,
        "answered_at": p.answered_at,
        "is_public": p.is_public,
        "published_at": p.published_at,
        "clock_from": p.clock_from,
        "citizen_satisfied": p.citizen_satisfied,
        "actions": [a.name for a in allowed_actions(p)],
    }


def page_before(items: list[dict], *, count: int, page: int = 1, page_size: int = 20) -> dict:
    return {"items": items, "count": count, "page": page, "page_size": page_size}


def fresh(code: str) -> Petition:
    return Petition.objects.for_list().get(code=code)


# -- the comparisons ------------------------------------------------------------------------------
def test_does_render_the_dossier_rating_as_before(client, finish):
    dossier = finish()
    body = {"key": dossier.lookup_key, "satisfied": False, "criteria": {"attitude": 2, "timeliness": 4}}
    with time_machine.travel(local(2026, 5, 6, 9, 30), tick=False):
        response = client.post(f"/api/v1/public/dossiers/{dossier.code}/rating", body, content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.content == rendered(rating_before(Rating.objects.get(dossier=dossier)))
    assert b'"guidance": null, "created_at": "2026-05-06T09:30:00+07:00"}' in response.content


def test_does_render_the_petition_receipt_as_before(client, world):
    body = {"subject": "Thủ tục rườm rà", "content": "Bỏ bản sao.", "name": "Phạm Thị Dung"}
    with time_machine.travel(local(2026, 4, 24, 16, 0), tick=False):
        response = client.post(
            "/api/v1/public/petitions", body | {"unit_code": world["agency"].code}, content_type=JSON
        )
    assert response.status_code == 201, response.content
    assert response.content == rendered(created_before(Petition.objects.get(code=response.json()["code"])))
    assert response.json()["due_at"] == "2026-05-20T16:00:00+07:00"


def test_does_render_the_answer_rating_as_before(client, world, petition):
    p = petition()
    petition_answer(petition_id=p.pk, actor=world["leader"], text="Trả lời", at=local(2026, 4, 28, 9, 0))
    with time_machine.travel(local(2026, 4, 29, 9, 0), tick=False):
        response = client.post(
            f"/api/v1/public/petitions/{p.code}/rating", {"key": p.key, "satisfied": True}, content_type=JSON
        )
    assert response.status_code == 201, response.content
    p.refresh_from_db()
    expected = {"code": p.code, "satisfied": True, "rated_at": p.citizen_rated_at}
    assert response.content == rendered(expected)
    assert response.json()["rated_at"] == "2026-04-29T09:00:00+07:00"


def test_does_render_the_published_answers_as_before(client, world, petition):
    first, second = petition(), petition(subject="Chờ lâu", at=local(2026, 4, 25, 8, 0))
    for p, day in ((first, 27), (second, 28)):
        petition_answer(petition_id=p.pk, actor=world["leader"], text=f"Trả lời {day}", at=local(2026, 4, day, 9, 0))
        petition_publish(petition_id=p.pk, actor=world["leader"], at=local(2026, 4, day, 10, 0))
    response = client.get("/api/v1/public/petitions", {"page_size": 5})
    rows = [published_before(fresh(p.code)) for p in (second, first)]  # the latest published first
    assert response.status_code == 200 and response.content == rendered(page_before(rows, count=2, page_size=5))


def test_does_render_the_staff_list_and_a_petition_as_before(client, world, petition):
    first, second = petition(), petition(officer_name="Cán bộ A", about="officer", at=local(2026, 4, 27, 8, 0))
    auth = bearer(world["leader"])
    with time_machine.travel(local(2026, 6, 30, 10, 0), tick=False):  # both overdue by then
        listed = client.get("/api/v1/petitions", **auth)
        read = client.get(f"/api/v1/petitions/{first.code}", **auth)
        now = local(2026, 6, 30, 10, 0)
        rows = [petition_before(p, now) for p in Petition.objects.visible_to(world["leader"]).for_list()]
        expected_read = rendered(petition_before(fresh(first.code), now))
    assert {r["code"] for r in rows} == {first.code, second.code} and all(r["is_overdue"] for r in rows)
    assert listed.status_code == 200 and listed.content == rendered(page_before(rows, count=2))
    assert read.status_code == 200 and read.content == expected_read


def test_does_render_the_action_answer_as_before(client, world, petition):
    p = petition()
    with time_machine.travel(local(2026, 4, 28, 9, 0), tick=False):
        response = client.post(
            f"/api/v1/petitions/{p.code}/actions",
            {"action": "answer", "text": "Đã xử lý.", "publish": False},
            content_type=JSON,
            **bearer(world["leader"]),
        )
        expected = rendered(petition_before(fresh(p.code), local(2026, 4, 28, 9, 0)))
    assert response.status_code == 200, response.content
    assert response.content == expected and response.json()["status"] == "answered"
