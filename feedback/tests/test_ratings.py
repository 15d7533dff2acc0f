"""Ratings of finished dossiers: once each, only when finished, alerts when not satisfied."""

import pytest

from dossiers.errors import Conflict, InvalidInput
from dossiers.models import DossierEvent, OutboxMessage
from dossiers.services.lookup import LOOKUP_NOT_FOUND
from feedback.models import Rating
from feedback.services.ratings import ALREADY_RATED, BAD_SCORE, NOT_FINISHED, rating_submit

pytestmark = pytest.mark.django_db


def test_does_record_a_rating_with_criteria_when_the_dossier_is_finished(finish, world):
    dossier = finish()
    rating = rating_submit(
        dossier=dossier, satisfied=True, criteria={"attitude": 5, "guidance": 4}, comment=" Tốt ", source="qr"
    )
    assert (rating.satisfied, rating.attitude, rating.timeliness, rating.guidance) == (True, 5, None, 4)
    assert rating.comment == "Tốt" and rating.unit == world["agency"] and rating.source == "qr"
    event = DossierEvent.objects.get(dossier=dossier, action="rating")
    assert event.is_public is False and event.data["satisfied"] is True


def test_cannot_rate_twice_when_the_dossier_is_already_rated(finish):
    dossier = finish()
    rating_submit(dossier=dossier, satisfied=True, source="lookup")
    with pytest.raises(Conflict) as exc:
        rating_submit(dossier=dossier, satisfied=False, source="kiosk")
    assert exc.value.message == ALREADY_RATED and exc.value.status == 409
    assert Rating.objects.filter(dossier=dossier).count() == 1


def test_cannot_rate_when_the_dossier_is_not_finished(receive):
    dossier = receive()  # status 2: received
    with pytest.raises(Conflict) as exc:
        rating_submit(dossier=dossier, satisfied=True, source="lookup")
    assert exc.value.message == NOT_FINISHED
    assert not Rating.objects.exists()


def test_cannot_rate_when_a_criterion_is_outside_1_to_5(finish):
    with pytest.raises(InvalidInput) as exc:
        rating_submit(dossier=finish(), satisfied=True, criteria={"attitude": 6}, source="lookup")
    assert exc.value.fields == {"criteria.attitude": BAD_SCORE}


def test_does_email_the_lead_unit_leaders_when_not_satisfied(finish, world, django_capture_on_commit_callbacks):
    world["leader"].email = "lanhdao@sotuphap.gov.vn"
    world["leader"].save()
    world["specialist"].email = "chuyenvien@sotuphap.gov.vn"
    world["specialist"].save()
    dossier = finish()
    with django_capture_on_commit_callbacks() as callbacks:
        rating = rating_submit(dossier=dossier, satisfied=False, comment="Chờ quá lâu", source="lookup")
    message = OutboxMessage.objects.get(dedup_key=f"rating:{rating.pk}:{world['leader'].pk}")
    assert message.channel == "email" and message.recipient == "lanhdao@sotuphap.gov.vn"
    assert dossier.code in message.subject and "Chờ quá lâu" in message.body
    assert not OutboxMessage.objects.filter(recipient="chuyenvien@sotuphap.gov.vn").exists()
    assert len(callbacks) == 1  # delivery enqueued after commit


def test_does_send_no_alert_when_satisfied(finish, world):
    world["leader"].email = "lanhdao@sotuphap.gov.vn"
    world["leader"].save()
    rating_submit(dossier=finish(), satisfied=True, source="lookup")
    assert not OutboxMessage.objects.filter(dedup_key__startswith="rating:").exists()


# -- API ---------------------------------------------------------------------------------------


def _rate(client, code, **body):
    return client.post(f"/api/v1/public/dossiers/{code}/rating", body, content_type="application/json")


def test_does_accept_a_rating_through_the_api_when_the_key_matches(client, finish):
    dossier = finish()
    response = _rate(client, dossier.code, key=dossier.lookup_key.lower(), satisfied=True, criteria={"timeliness": 3})
    assert response.status_code == 201, response.content
    assert response.json()["dossier_code"] == dossier.code and response.json()["timeliness"] == 3
    assert Rating.objects.get(dossier=dossier).source == "api"


def test_cannot_rate_through_the_api_when_the_key_is_wrong_with_the_same_404_as_an_unknown_code(client, finish):
    dossier = finish()
    wrong_key = _rate(client, dossier.code, key="WRONGKEY", satisfied=False)
    unknown = _rate(client, "000.00.01.H56-260504-9999", key=dossier.lookup_key, satisfied=False)
    assert wrong_key.status_code == unknown.status_code == 404
    assert wrong_key.json() == unknown.json() == {"code": "not_found", "message": str(LOOKUP_NOT_FOUND), "fields": {}}
    assert not Rating.objects.exists()


def test_cannot_rate_through_the_api_twice_when_already_rated(client, finish):
    dossier = finish()
    assert _rate(client, dossier.code, key=dossier.lookup_key, satisfied=True).status_code == 201
    second = _rate(client, dossier.code, key=dossier.lookup_key, satisfied=False)
    assert second.status_code == 409 and second.json()["message"] == str(ALREADY_RATED)


def test_cannot_rate_through_the_api_when_the_comment_is_too_long(client, finish):
    dossier = finish()
    response = _rate(client, dossier.code, key=dossier.lookup_key, satisfied=True, comment="x" * 1001)
    assert response.status_code == 422
    assert response.json()["fields"] == {"comment": "Quá dài."}


def test_cannot_rate_through_the_api_when_the_address_exceeds_its_limit(client, finish, settings):
    settings.PORTAL_LOOKUP_RATE = "3/m"
    dossier = finish()
    answers = [_rate(client, dossier.code, key="WRONG", satisfied=True) for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[-1]["Retry-After"] == "20"  # 3/m: one more every 20 s
    other = client.post(
        f"/api/v1/public/dossiers/{dossier.code}/rating",
        {"key": dossier.lookup_key, "satisfied": True},
        content_type="application/json",
        REMOTE_ADDR="10.9.9.9",
    )
    assert other.status_code == 201
