"""The petition endpoints of /api/v1: public submission and answers, staff list and actions."""

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from dossiers.tests.fixtures import local
from dossiers.tests.test_api_dossiers import bearer
from feedback.models import Petition
from feedback.services.petitions import BAD_EMAIL, NOT_NOW, petition_answer, petition_publish

pytestmark = pytest.mark.django_db
BODY = {"subject": "Thủ tục rườm rà", "content": "Đề nghị bỏ bản sao giấy khai sinh.", "name": "Phạm Thị Dung"}


def _submit(client, body=None, ip="10.0.0.1"):
    return client.post("/api/v1/public/petitions", body or BODY, content_type="application/json", REMOTE_ADDR=ip)


@time_machine.travel(local(2026, 4, 24, 16, 0), tick=False)
def test_does_return_code_key_and_answer_deadline_when_a_petition_is_posted(client, world):
    response = _submit(client, BODY | {"unit_code": world["agency"].code, "phone": "0905 111 222"})
    assert response.status_code == 201, response.content
    data = response.json()
    petition = Petition.objects.get(code=data["code"])
    assert data["key"] == petition.key and petition.unit == world["agency"] and petition.phone == "0905111222"
    assert parse_datetime(data["due_at"]) == petition.answer_by == local(2026, 5, 20, 16, 0)


def test_cannot_flood_petitions_from_one_address_when_another_address_still_gets_through(client, world):
    codes = [_submit(client, ip="10.0.0.1").status_code for _ in range(6)]
    assert codes == [201] * 5 + [429]
    assert _submit(client, ip="10.0.0.1").json()["code"] == "rate_limited"
    assert _submit(client, ip="10.0.0.2").status_code == 201
    assert Petition.objects.count() == 6


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"subject": "x" * 201}, {"subject": "Quá dài."}),
        ({"content": "x" * 5001}, {"content": "Quá dài."}),
        ({"name": None}, {"name": "Trường này là bắt buộc."}),
        ({"email": "a@"}, {"email": str(BAD_EMAIL)}),
        ({"about": "weather"}, {"about": "Giá trị không nằm trong danh sách cho phép."}),
    ],
)
def test_cannot_post_a_petition_when_input_is_invalid_with_vietnamese_messages(client, world, change, fields):
    body = {k: v for k, v in (BODY | change).items() if v is not None}
    response = _submit(client, body)
    assert response.status_code == 422
    assert response.json()["fields"] == fields
    assert not Petition.objects.exists()


def test_does_list_a_petition_publicly_when_its_answer_is_published(client, world, petition):
    p = petition()
    petition_answer(petition_id=p.pk, actor=world["leader"], text="Sở đã rút ngắn thời gian.")
    assert client.get("/api/v1/public/petitions").json()["count"] == 0
    petition_publish(petition_id=p.pk, actor=world["leader"])
    data = client.get("/api/v1/public/petitions", {"q": "hướng dẫn"}).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["code"] == p.code and item["answer"] == "Sở đã rút ngắn thời gian."
    assert "name" not in item and "phone" not in item  # the citizen stays private


def test_does_list_only_the_petitions_of_the_callers_units_when_staff_asks(client, world, petition):
    mine, theirs = petition(), petition(unit_code=world["other_agency"].code)
    response = client.get("/api/v1/petitions", **bearer(world["leader"]))
    assert response.status_code == 200
    assert [i["code"] for i in response.json()["items"]] == [mine.code]
    assert response.json()["items"][0]["actions"] == ["reject", "request_info", "transfer", "answer"]
    outsider = client.get("/api/v1/petitions", **bearer(world["outsider"])).json()
    assert [i["code"] for i in outsider["items"]] == [theirs.code]


def test_cannot_list_petitions_when_not_authenticated(client, world):
    assert client.get("/api/v1/petitions").status_code == 401


def _act(client, world, code, user="leader", **body):
    return client.post(
        f"/api/v1/petitions/{code}/actions", body, content_type="application/json", **bearer(world[user])
    )


def test_does_answer_and_publish_through_the_api_when_the_leader_acts(client, world, petition):
    p = petition()
    answered = _act(client, world, p.code, action="answer", text="Đã xử lý.")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert answered.json()["actions"] == ["publish"]
    published = _act(client, world, p.code, action="publish")
    assert published.json()["status"] == "published" and published.json()["is_public"] is True


def test_cannot_act_through_the_api_when_the_action_is_invalid_now(client, world, petition):
    p = petition()
    response = _act(client, world, p.code, action="publish")
    assert response.status_code == 409
    assert response.json() == {"code": "invalid_transition", "message": str(NOT_NOW), "fields": {}}


def test_cannot_act_through_the_api_when_the_petition_belongs_to_another_unit(client, world, petition):
    p = petition()
    assert _act(client, world, p.code, user="outsider", action="answer", text="x").status_code == 404
    assert _act(client, world, p.code, action="close").status_code == 422
