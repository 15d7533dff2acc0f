"""Citizen login with the electronic identity against a real OpenID Connect provider on loopback
(django-oauth-toolkit, started by conftest): authorization code with PKCE, state, nonce, the ID
token's signature and claims, logout, and the citizen kept apart from staff."""

import pytest
import requests
from django.urls import reverse

from citizens.identity import SESSION_KEY

from .idp.serve import CLIENT_ID, CLIENT_SECRET
from .provider import approve, callback_path, query

pytestmark = pytest.mark.django_db
LOGIN_FAILED = "Đăng nhập bằng định danh điện tử không thành công. Vui lòng thử lại."


def start(client) -> str:
    """Press "log in" on the portal: the provider's authorization address it redirects to."""
    response = client.get(reverse("citizens:login"))
    assert response.status_code == 302, response.content
    return response["Location"]


def log_in(client, *, username: str = "an"):
    """The whole flow: the portal's redirect, the provider's login and consent, the callback."""
    return client.get(callback_path(approve(start(client), username=username)))


def _state_data(client) -> tuple[str, dict]:
    """Authlib's record of the pending login in the session: (its session key, its data)."""
    session = client.session
    key = next(k for k in dict(session.items()) if k.startswith("_state_"))
    return key, session[key]


def _tamper(client, **changes) -> None:
    session = client.session
    key, value = _state_data(client)
    session[key] = {**value, "data": {**value["data"], **changes}}
    session.save()


def test_does_send_an_authorization_request_with_pkce_state_and_nonce_when_a_citizen_logs_in(client, oidc):
    params = query(start(client))
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
    assert params["scope"] == "openid profile email phone"
    assert params["redirect_uri"] == "http://testserver/cong-dan/dang-nhap/xong/"
    _, data = _state_data(client)
    assert data["data"]["nonce"] == params["nonce"] and params["state"] in _state_data(client)[0]
    assert "code_verifier" in data["data"] and data["data"]["code_verifier"] not in str(params)


def test_does_list_the_citizens_own_dossiers_newest_first_when_the_login_completes(client, oidc, citizen_dossiers):
    response = log_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("citizen-dossiers")
    page = client.get(reverse("citizen-dossiers"))
    body = page.content.decode()
    listed = [d.code for d in (citizen_dossiers["newer"], citizen_dossiers["older"])]
    assert page.status_code == 200 and "Xin chào, Phạm Văn An" in body
    assert body.index(listed[0]) < body.index(listed[1])
    assert citizen_dossiers["theirs"].code not in body and "Hoàng Thị Dung" not in body
    assert "079088001234" not in body and "0912345678" not in body  # no ID number, no phone
    assert "Đã xử lý xong" in body and "Được tiếp nhận" in body
    assert page["Cache-Control"] == "no-store"


def test_does_keep_the_identity_in_the_session_and_never_make_a_user_when_a_citizen_logs_in(client, oidc):
    from django.contrib.auth import get_user_model

    users_before = get_user_model().objects.count()
    log_in(client)
    citizen = client.session[SESSION_KEY]
    assert (citizen["issuer"], citizen["subject"], citizen["name"]) == (oidc.issuer, "vneid-0001", "Phạm Văn An")
    assert (citizen["id_number"], citizen["id_status"]) == ("079088001234", "verified")
    assert (citizen["phone"], citizen["email"]) == ("0912345678", "an@example.vn")
    assert "_auth_user_id" not in client.session and get_user_model().objects.count() == users_before


def test_cannot_log_in_when_the_state_does_not_match(client, oidc, citizen_dossiers):
    redirect = approve(start(client), username="an")
    params = query(redirect)
    response = client.get(f"{reverse('citizens:callback')}?code={params['code']}&state=not-the-state")
    assert response.status_code == 400 and LOGIN_FAILED in response.content.decode()
    assert SESSION_KEY not in client.session
    assert citizen_dossiers["newer"].code not in client.get(reverse("citizen-dossiers")).content.decode()


def test_cannot_log_in_when_the_callback_comes_from_another_browser(client, oidc):
    """Login CSRF: a code and state obtained in the attacker's browser mean nothing in the victim's."""
    from django.test import Client

    redirect = approve(start(Client()), username="chi")
    response = client.get(callback_path(redirect))
    assert response.status_code == 400 and SESSION_KEY not in client.session


def test_cannot_log_in_when_the_nonce_does_not_match(client, oidc):
    authorize = start(client)
    _tamper(client, nonce="a-nonce-from-another-login")
    response = client.get(callback_path(approve(authorize, username="an")))
    assert response.status_code == 400 and LOGIN_FAILED in response.content.decode()
    assert SESSION_KEY not in client.session


def test_cannot_log_in_when_the_code_verifier_does_not_match_the_challenge(client, oidc):
    authorize = start(client)
    _tamper(client, code_verifier="x" * 64)
    response = client.get(callback_path(approve(authorize, username="an")))
    assert response.status_code == 400 and LOGIN_FAILED in response.content.decode()
    assert SESSION_KEY not in client.session


def test_cannot_get_a_token_from_the_provider_when_the_code_verifier_is_wrong(client, oidc):
    """The provider itself checks PKCE (so the tests above test the portal, not a lenient provider)."""
    authorize = start(client)
    code = query(approve(authorize, username="an"))["code"]
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": query(authorize)["redirect_uri"],
        "code_verifier": "y" * 64,
    }
    answer = requests.post(oidc.url("token/"), data=body, auth=(CLIENT_ID, CLIENT_SECRET), timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    _, data = _state_data(client)
    body["code_verifier"] = data["data"]["code_verifier"]  # the same code with the right verifier
    answer = requests.post(oidc.url("token/"), data=body, auth=(CLIENT_ID, CLIENT_SECRET), timeout=10)
    assert answer.status_code == 200 and answer.json()["id_token"].count(".") == 2  # the verifier made the difference


def test_cannot_log_in_when_the_citizen_refuses_consent(client, oidc):
    response = client.get(f"{reverse('citizens:callback')}?error=access_denied&state=whatever")
    assert response.status_code == 400 and LOGIN_FAILED in response.content.decode()


def test_does_log_in_without_listing_dossiers_when_the_id_number_is_not_verified(client, oidc, world, receive):
    from dossiers.services.applicants import applicant_clean

    chi = receive(applicant=applicant_clean(name="Trần Thị Chi", id_number="079088003456", phone="0905000111"))
    assert log_in(client, username="chi").status_code == 302
    body = client.get(reverse("citizen-dossiers")).content.decode()
    assert "Xin chào, Trần Thị Chi" in body and chi.code not in body
    assert "chưa được xác thực, nên chưa thể hiển thị hồ sơ của bạn" in body
    assert client.session[SESSION_KEY]["id_number"] == ""  # the unverified number is not even kept
    assert client.get(reverse("citizen-dossier", args=[chi.code])).status_code == 404


def test_does_show_the_unverified_message_in_english_when_accept_language_is_en(client, oidc):
    log_in(client, username="chi")
    body = client.get(reverse("citizen-dossiers"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My dossiers" in body and "Hello, Trần Thị Chi" in body
    assert "has not been verified, so your dossiers cannot be shown" in body


def test_does_log_out_here_and_at_the_provider_when_the_citizen_logs_out(client, oidc, citizen_dossiers):
    log_in(client)
    response = client.post(reverse("citizens:logout"))
    params = query(response["Location"])
    assert response["Location"].startswith(oidc.url("logout/"))
    assert params["post_logout_redirect_uri"] == "http://testserver/" and params["id_token_hint"].count(".") == 2
    assert SESSION_KEY not in client.session
    page = client.get(reverse("citizen-dossiers")).content.decode()
    assert "Đăng nhập bằng định danh điện tử" in page and citizen_dossiers["newer"].code not in page


def test_cannot_log_out_with_a_get_request_when_a_link_is_followed(client, oidc):
    log_in(client)
    assert client.get(reverse("citizens:logout")).status_code == 405
    assert SESSION_KEY in client.session


def test_does_show_a_message_and_keep_the_lookup_working_when_the_provider_is_down(client, settings, world, receive):
    settings.PORTAL_OIDC_ISSUER, settings.PORTAL_OIDC_CLIENT_ID = "http://127.0.0.1:9/o", "mot-cua"
    settings.PORTAL_OIDC_TIMEOUT_SECONDS = 0.5
    response = client.get(reverse("citizens:login"))
    assert response.status_code == 503
    assert "Hệ thống định danh điện tử đang không phản hồi" in response.content.decode()
    dossier = receive()  # receiving a dossier never asks the provider anything
    lookup = client.get(reverse("lookup-result", args=[dossier.code]) + f"?key={dossier.lookup_key}")
    assert lookup.status_code == 200


def test_cannot_log_in_when_the_discovery_document_names_another_issuer(client, settings, oidc):
    settings.PORTAL_OIDC_ISSUER = oidc.issuer.replace("127.0.0.1", "localhost")
    response = client.get(reverse("citizens:login"))
    assert response.status_code == 503 and SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "params",
    [
        "",
        "?code=",
        "?state=",
        "?code=abc&state=" + "s" * 5000,
        "?code[]=1&state[]=2",
        "?error=x&error_description=%3Cb%3E",
    ],
)
def test_cannot_log_in_with_a_400_not_a_500_when_the_callback_is_hostile(client, oidc, params):
    start(client)  # a real login pending in the session
    response = client.get(reverse("citizens:callback") + params)
    assert response.status_code == 400 and SESSION_KEY not in client.session
    assert "<b>" not in response.content.decode()


def test_does_log_the_staff_user_out_when_a_citizen_logs_in_in_the_same_browser(client, oidc, world):
    client.force_login(world["clerk"])
    log_in(client)
    assert "_auth_user_id" not in client.session and client.session[SESSION_KEY]["subject"] == "vneid-0001"
    assert client.get("/can-bo/").status_code == 302  # the clerk's pages need a staff login again
