"""Feedback pages: rating (QR/lookup and kiosk), petition form and follow-up, answers, staff handling."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import Petition, Rating
from feedback.services.petitions import petition_answer, petition_publish

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def _main(response) -> str:
    """The page's main content (the header's forms carry a fresh CSRF token and the URL)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def _rate_url(dossier, key=None, src=""):
    return reverse("feedback:rate", args=[dossier.code]) + f"?key={key or dossier.lookup_key}&src={src}"


def test_does_record_a_rating_from_the_qr_link_when_the_form_is_posted(client, finish):
    dossier = finish()
    page = client.get(_rate_url(dossier, src="qr"))
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin" and page["Cache-Control"] == "no-store"  # the key is in the URL
    post = {"key": dossier.lookup_key, "src": "qr", "satisfied": "no", "attitude": "2", "comment": "Chậm"}
    response = client.post(reverse("feedback:rate", args=[dossier.code]), post)
    assert response.status_code == 302 and response.url == reverse("feedback:rate-done")
    rating = Rating.objects.get(dossier=dossier)
    assert (rating.satisfied, rating.attitude, rating.source, rating.comment) == (False, 2, "qr", "Chậm")


def test_cannot_open_the_rating_page_when_the_key_is_wrong_with_the_same_page_as_an_unknown_code(client, finish):
    dossier = finish()
    wrong = client.get(_rate_url(dossier, key="WRONGKEY"))
    unknown = client.get(reverse("feedback:rate", args=["000.00.01.H56-260504-9999"]) + f"?key={dossier.lookup_key}")
    assert wrong.status_code == unknown.status_code == 404
    assert _main(wrong) == _main(unknown) and "Không tìm thấy" in _main(wrong)


def test_cannot_rate_on_the_page_when_the_dossier_is_not_finished(client, receive):
    dossier = receive()
    page = client.get(_rate_url(dossier))
    assert page.status_code == 200 and "Hồ sơ chưa có kết quả" in page.content.decode()
    assert 'name="satisfied"' not in page.content.decode()


def test_does_escape_a_script_comment_when_the_rating_form_is_redisplayed(client, finish):
    dossier = finish()
    response = client.post(
        reverse("feedback:rate", args=[dossier.code]), {"key": dossier.lookup_key, "comment": SCRIPT}
    )
    body = response.content.decode()
    assert response.status_code == 400 and SCRIPT not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert not Rating.objects.exists()


def test_cannot_post_the_public_forms_when_the_csrf_token_is_missing(finish, world):
    dossier = finish()
    strict = Client(enforce_csrf_checks=True)
    petition = strict.post(reverse("feedback:petition-new"), {"subject": "a", "content": "b", "name": "c"})
    rating = strict.post(reverse("feedback:rate", args=[dossier.code]), {"key": dossier.lookup_key, "satisfied": "yes"})
    assert petition.status_code == rating.status_code == 403
    assert not Petition.objects.exists() and not Rating.objects.exists()


def test_does_show_code_and_key_when_a_petition_is_sent_from_the_form(client, world):
    form = {"about": "officer", "subject": "Thái độ", "content": SCRIPT, "name": "Hà", "unit_code": "", "email": ""}
    response = client.post(reverse("feedback:petition-new"), form, follow=True)
    petition = Petition.objects.get()
    body = response.content.decode()
    assert response.status_code == 200 and petition.code in body and petition.key in body
    assert petition.unit == world["centre"] and petition.about == "officer"
    assert SCRIPT not in body and "&lt;script&gt;" in body


def test_cannot_send_a_petition_from_the_form_when_the_subject_is_too_long(client, world):
    form = {"about": "unit", "subject": "x" * 201, "content": "Nội dung", "name": "Hà"}
    response = client.post(reverse("feedback:petition-new"), form)
    assert response.status_code == 400 and not Petition.objects.exists()
    assert "tối đa 200" in response.content.decode()


def test_cannot_follow_a_petition_when_the_key_is_wrong(client, petition):
    p = petition()
    assert client.get(reverse("feedback:petition", args=[p.code]) + "?key=WRONGKEY").status_code == 404
    assert client.get(reverse("feedback:petition", args=[p.code]) + f"?key={p.key}").status_code == 200
    keyless = client.get(reverse("feedback:petition", args=[p.code])).content.decode()
    assert 'name="key"' in keyless and p.content not in keyless


def test_does_list_published_answers_with_search_and_pages_when_answers_are_public(client, world, petition):
    for n in range(21):
        p = petition(subject=f"Phản ánh số {n}")
        petition_answer(petition_id=p.pk, actor=world["leader"], text=f"Trả lời {n}")
        petition_publish(petition_id=p.pk, actor=world["leader"])
    petition(subject="Chưa trả lời")
    first = client.get(reverse("feedback:petitions")).content.decode()
    assert first.count('<li><h2><a href="/phan-anh/PAKN-') == 20 and "Chưa trả lời" not in first
    assert "Trang 1/2" in first
    found = client.get(reverse("feedback:petitions"), {"q": "số 7"}).content.decode()
    assert "Phản ánh số 7" in found and "Phản ánh số 8" not in found


# -- kiosk -------------------------------------------------------------------------------------


def test_does_record_a_kiosk_rating_and_return_to_the_start_when_the_citizen_taps(client, finish, world):
    dossier = finish()
    client.force_login(world["clerk"])
    page = client.get(reverse("feedback:kiosk", args=[dossier.code]))
    assert page.status_code == 200 and 'value="no"' in page.content.decode()
    response = client.post(reverse("feedback:kiosk", args=[dossier.code]), {"satisfied": "no"}, follow=True)
    assert Rating.objects.get(dossier=dossier).source == "kiosk"
    assert f"url={reverse('feedback:kiosk-start')}" in response.content.decode()  # auto-return, no JS


def test_cannot_use_the_kiosk_when_not_logged_in_or_the_dossier_is_of_another_unit(client, finish, world):
    dossier = finish()
    assert client.get(reverse("feedback:kiosk", args=[dossier.code])).status_code == 302
    client.force_login(world["other_clerk"])
    assert client.get(reverse("feedback:kiosk", args=[dossier.code])).status_code == 404


# -- staff ---------------------------------------------------------------------------------------


def test_does_list_the_units_petitions_with_overdue_badges_when_staff_opens_the_queue(
    client, world, petition, django_assert_max_num_queries
):
    for _ in range(5):
        petition()  # answer_by 20/05/2026: overdue by now
    petition(unit_code=world["other_agency"].code, subject="Của đơn vị khác")
    client.force_login(world["specialist"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("feedback:staff-petitions"))
    body = page.content.decode()
    assert page.status_code == 200 and body.count("badge late") == 5 and "Của đơn vị khác" not in body


def test_does_answer_from_the_staff_page_when_the_leader_posts(client, world, petition):
    p = petition()
    client.force_login(world["leader"])
    detail = client.get(reverse("feedback:staff-petition", args=[p.code])).content.decode()
    assert p.phone in detail and 'value="answer"' in detail
    url = reverse("feedback:staff-petition-act", args=[p.code])
    client.post(url, {"action": "answer", "text": "Đã chấn chỉnh.", "publish": "on"})
    p.refresh_from_db()
    assert p.status == "answered" and p.is_public and p.answer == "Đã chấn chỉnh."
    response = client.post(url, {"action": "reject", "text": "x"}, follow=True)
    assert "Không thể thực hiện thao tác này" in response.content.decode()
    assert Petition.objects.get(pk=p.pk).status == "answered"


def test_cannot_open_a_staff_petition_when_it_belongs_to_another_unit(client, world, petition):
    p = petition()
    client.force_login(world["outsider"])
    assert client.get(reverse("feedback:staff-petition", args=[p.code])).status_code == 404
    assert client.post(reverse("feedback:staff-petition-act", args=[p.code]), {"action": "answer"}).status_code == 404
