"""Authentication: 401 with a Bearer challenge, login lockout, password rules, idle sessions."""

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dossiers.tests.factories import UserFactory
from dossiers.tests.fixtures import local

pytestmark = pytest.mark.django_db
CHALLENGE = 'Bearer realm="api"'


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/dossiers"),
        ("post", "/api/v1/dossiers/000.00.01.H56-260309-0001/actions"),
        ("post", "/api/v1/dossiers/000.00.01.H56-260309-0001/apologies"),
        ("get", "/api/v1/dossiers"),
        ("get", "/api/v1/kpis"),
    ],
)
def test_does_answer_401_with_a_bearer_challenge_when_an_anonymous_client_calls_a_staff_endpoint(method, path):
    strict = Client(enforce_csrf_checks=True)
    body = {"data": "{}", "content_type": "application/json"} if method == "post" else {}
    response = getattr(strict, method)(path, **body)
    assert response.status_code == 401 and response["WWW-Authenticate"] == CHALLENGE
    assert response.json()["code"] == "unauthorized"


def test_does_answer_401_not_the_csrf_403_when_a_write_carries_a_wrong_token():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/api/v1/dossiers", "{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer sai")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_cannot_write_through_a_session_when_the_csrf_token_is_missing(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["clerk"])
    assert strict.post("/api/v1/dossiers", "{}", content_type="application/json").status_code == 403


@pytest.mark.parametrize("password", ["20260309194512", "0905123456789"])
def test_cannot_set_an_all_digit_password_when_validated(password):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert "password_entirely_numeric" in [e.code for e in exc.value.error_list]


def _login(client, username, password, *, admin=False, ip="198.51.100.7"):
    url = reverse("admin:login") if admin else reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("admin", [False, True], ids=["staff", "admin"])
def test_cannot_log_in_even_with_the_right_password_when_the_account_is_locked_out(client, settings, admin):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="can.bo", is_staff=True, is_superuser=admin)
    failures = [_login(client, "can.bo", f"sai-{n}", admin=admin, ip=f"198.51.100.{n}") for n in range(3)]
    assert [r.status_code for r in failures] == [200, 200, 429]  # the form again, then the lockout
    locked = _login(client, "can.bo", "mat-khau-thu-nghiem", admin=admin)
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_does_let_another_account_log_in_when_one_account_is_locked_out(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="bi.khoa")
    UserFactory(username="van.vao")
    for n in range(2):
        _login(client, "bi.khoa", f"sai-{n}")
    assert _login(client, "van.vao", "mat-khau-thu-nghiem").status_code == 302


def test_does_unlock_the_account_when_the_cool_off_has_passed(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="cho.doi")
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        for n in range(2):
            _login(client, "cho.doi", f"sai-{n}")
        assert _login(client, "cho.doi", "mat-khau-thu-nghiem").status_code == 429
    with time_machine.travel(local(2026, 3, 9, 10, 16), tick=False):
        assert _login(client, "cho.doi", "mat-khau-thu-nghiem").status_code == 302


def test_cannot_try_logins_faster_than_the_limit_when_they_come_from_one_address(client, settings):
    settings.PORTAL_LOGIN_RATE = "3/m"
    answers = [_login(client, f"nguoi.{n}", "sai", ip="203.0.113.9") for n in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429] and answers[-1]["Retry-After"] == "20"
    assert _login(client, "nguoi.5", "sai", ip="203.0.113.10").status_code == 200


def test_does_log_a_staff_member_out_when_idle_longer_than_the_timeout(client, world, settings):
    settings.PORTAL_STAFF_IDLE_MINUTES = 30
    home = reverse("staff:home")
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        client.force_login(world["clerk"])
    for minute in (0, 29, 58):  # each request within 30 minutes of the previous one
        with time_machine.travel(local(2026, 3, 9, 10, minute), tick=False):
            assert client.get(home).status_code == 200
    with time_machine.travel(local(2026, 3, 9, 11, 29), tick=False):
        idle = client.get(home)
        api = client.get("/api/v1/dossiers")
    assert idle.status_code == 302 and idle["Location"].startswith(reverse("login"))
    assert api.status_code == 401
