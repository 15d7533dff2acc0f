"""A logged-in citizen's pages: "my dossiers", a dossier without its key, the prefilled petition and
rating forms — and the walls: one citizen never sees another's dossiers, and never staff pages."""

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citizens.identity import SESSION_KEY
from feedback.models import Rating

from .sessions import citizen_logged_in

AN, BINH = "079088001234", "079088002345"


def test_does_show_no_login_and_no_citizen_pages_when_oidc_is_not_configured(client, db):
    page = client.get(reverse("lookup")).content.decode()
    assert "Đăng nhập bằng định danh điện tử" not in page and "Hồ sơ của tôi" not in page
    assert client.get(reverse("citizens:login")).status_code == 404
    assert client.get(reverse("citizen-dossiers")).status_code == 404
    citizen_logged_in(client, id_number=AN)  # a session left from when it was on gives nothing
    assert client.get(reverse("citizen-dossier", args=["000.00.01.H56-260504-0001"])).status_code == 404


def test_does_offer_the_login_on_the_lookup_page_when_oidc_is_configured(client, db, oidc_configured):
    page = client.get(reverse("lookup")).content.decode()
    assert f'href="{reverse("citizens:login")}"' in page and "Đăng nhập bằng định danh điện tử" in page
    mine = client.get(reverse("citizen-dossiers"))
    assert mine.status_code == 200 and f'href="{reverse("citizens:login")}"' in mine.content.decode()
    citizen_logged_in(client, id_number=AN)
    page = client.get(reverse("lookup")).content.decode()
    assert "Xem hồ sơ của tôi" in page and f'href="{reverse("citizens:login")}"' not in page


def test_cannot_see_another_citizens_dossiers_when_logged_in(client, oidc_configured, citizen_dossiers):
    citizen_logged_in(client, id_number=BINH, name="Lê Bình")
    body = client.get(reverse("citizen-dossiers")).content.decode()
    assert "Chưa có hồ sơ nào mang số định danh cá nhân của bạn." in body
    assert all(d.code not in body for d in citizen_dossiers.values())
    for dossier in citizen_dossiers.values():
        page = client.get(reverse("citizen-dossier", args=[dossier.code]))
        assert page.status_code == 404 and "Không tìm thấy hồ sơ này" in page.content.decode()
        assert client.get(reverse("feedback:rate", args=[dossier.code])).status_code == 404


def test_does_show_a_dossier_without_its_key_when_it_is_the_citizens_own(client, oidc_configured, citizen_dossiers):
    citizen_logged_in(client, id_number=AN)
    older = citizen_dossiers["older"]
    page = client.get(reverse("citizen-dossier", args=[older.code]))
    body = page.content.decode()
    assert page.status_code == 200 and older.code in body and "Đã có kết quả" in body
    assert AN not in body and "0912345678" not in body and older.lookup_key not in body
    assert f'href="{reverse("feedback:rate", args=[older.code])}"' in body  # rating without a key
    assert f'href="{reverse("feedback:petition-new")}?dossier={older.code}"' in body
    assert page["Cache-Control"] == "no-store" and page["X-Robots-Tag"] == "noindex"
    listed = client.get(reverse("citizen-dossiers")).content.decode()
    assert f'href="{reverse("citizen-dossier", args=[older.code])}"' in listed and "?key=" not in listed


def test_does_list_a_citizens_dossiers_in_three_queries_when_there_are_many(
    client, oidc_configured, citizen_dossiers, receive, django_assert_max_num_queries
):
    from dossiers.services.applicants import applicant_clean

    for _ in range(5):
        receive(applicant=applicant_clean(name="Phạm Văn An", id_number=AN, phone="0912345678"))
    citizen_logged_in(client, id_number=AN)
    with django_assert_max_num_queries(3):  # the session, the count, the page with its procedures
        body = client.get(reverse("citizen-dossiers")).content.decode()
    assert "7 hồ sơ, mới nhất trước." in body


def test_does_prefill_the_petition_form_when_a_citizen_comes_from_their_dossier(
    client, oidc_configured, citizen_dossiers
):
    older = citizen_dossiers["older"]
    citizen_logged_in(client, id_number=AN, phone="0912345678", email="an@example.vn")
    form = client.get(f"{reverse('feedback:petition-new')}?dossier={older.code}").context["form"]
    assert {k: form.initial.get(k) for k in ("name", "phone", "email", "dossier_code", "about")} == {
        "name": "Phạm Văn An",
        "phone": "0912345678",
        "email": "an@example.vn",
        "dossier_code": older.code,
        "about": "dossier",
    }
    anonymous = Client().get(reverse("feedback:petition-new")).context["form"]
    assert "name" not in anonymous.initial


def test_does_record_a_rating_without_the_key_when_the_dossier_is_the_citizens_own(
    client, oidc_configured, citizen_dossiers
):
    older = citizen_dossiers["older"]
    citizen_logged_in(client, id_number=AN)
    page = client.get(reverse("feedback:rate", args=[older.code]))
    assert page.status_code == 200 and "Phạm Văn An" not in page.content.decode()
    response = client.post(reverse("feedback:rate", args=[older.code]), {"satisfied": "yes", "attitude": "5"})
    assert response.status_code == 302 and response.url == reverse("feedback:rate-done")
    rating = Rating.objects.get(dossier=older)
    assert (rating.satisfied, rating.attitude, rating.source) == (True, 5, "lookup")


def test_cannot_rate_another_persons_dossier_without_its_key_when_logged_in(client, oidc_configured, citizen_dossiers):
    citizen_logged_in(client, id_number=AN)
    theirs = citizen_dossiers["theirs"]
    assert client.post(reverse("feedback:rate", args=[theirs.code]), {"satisfied": "no"}).status_code == 404
    assert not Rating.objects.exists()


def test_cannot_reach_staff_pages_the_admin_or_the_staff_api_when_only_a_citizen_is_logged_in(
    client, oidc_configured, citizen_dossiers
):
    citizen_logged_in(client, id_number=AN)
    staff = client.get("/can-bo/")
    assert staff.status_code == 302 and staff["Location"].startswith(reverse("login"))
    admin = client.get("/admin/dossiers/dossier/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")
    assert client.get("/api/v1/dossiers").status_code == 401
    assert client.get(f"/api/v1/dossiers/{citizen_dossiers['older'].code}").status_code == 401


def test_does_drop_the_citizen_when_a_staff_user_logs_in_in_the_same_browser(client, oidc_configured, world):
    world["clerk"].set_password("mat-khau-can-bo")
    world["clerk"].save()
    citizen_logged_in(client, id_number=AN)
    response = client.post(reverse("login"), {"username": "clerk", "password": "mat-khau-can-bo"})
    assert response.status_code == 302 and SESSION_KEY not in client.session
    assert "Đăng nhập bằng định danh điện tử" in client.get(reverse("citizen-dossiers")).content.decode()


def test_does_forget_the_citizen_when_the_session_is_older_than_the_setting(
    client, settings, oidc_configured, citizen_dossiers
):
    settings.PORTAL_OIDC_SESSION_SECONDS = 1800
    citizen_logged_in(client, id_number=AN)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=1700)):
        assert citizen_dossiers["older"].code in client.get(reverse("citizen-dossiers")).content.decode()
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=1900)):
        page = client.get(reverse("citizen-dossiers")).content.decode()
    assert citizen_dossiers["older"].code not in page and "Đăng nhập bằng định danh điện tử" in page
    assert SESSION_KEY not in client.session


def test_does_treat_a_damaged_session_as_logged_out_when_its_identity_is_incomplete(client, oidc_configured, db):
    session = client.session
    session[SESSION_KEY] = {"name": "Phạm Văn An", "id_number": AN, "since": 9e18}
    session.save()
    page = client.get(reverse("citizen-dossiers"))
    assert page.status_code == 200 and "Đăng nhập bằng định danh điện tử" in page.content.decode()
    assert SESSION_KEY not in client.session
