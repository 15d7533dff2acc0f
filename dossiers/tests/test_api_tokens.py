"""create_api_token and api_token_create: a raw token shown once that authenticates."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from dossiers.auth import BearerToken
from dossiers.models import ApiToken
from dossiers.services.tokens import api_token_create
from dossiers.tests.factories import UserFactory


def create_token(username: str) -> str:
    out = StringIO()
    call_command("create_api_token", username, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.django_db
def test_does_print_token_that_authenticates_when_user_exists():
    user = UserFactory(username="tich.hop")

    raw = create_token("tich.hop")

    request = RequestFactory().get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert BearerToken()(request) == user
    assert request.user == user
    assert ApiToken.objects.matching(raw).get().user == user


@pytest.mark.django_db
def test_does_store_only_the_digest_when_creating_token():
    token, raw = api_token_create(user=UserFactory())

    assert token.digest == ApiToken.digest_of(raw) != raw
    assert token.prefix == raw[:8]
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert api_token_create(user=token.user)[1] != raw


@pytest.mark.django_db
def test_cannot_authenticate_when_token_is_wrong():
    create_token(UserFactory().username)

    request = RequestFactory().get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer sai-ma")
    assert BearerToken()(request) is None


@pytest.mark.django_db
def test_cannot_create_token_when_user_unknown():
    # A CommandError makes manage.py print the message and exit with status 1.
    with pytest.raises(CommandError, match="Không tìm thấy người dùng “khong.ton.tai”"):
        create_token("khong.ton.tai")

    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_cannot_create_token_when_user_inactive():
    UserFactory(username="da.nghi", is_active=False)

    with pytest.raises(CommandError, match="đã bị khóa"):
        create_token("da.nghi")

    assert not ApiToken.objects.exists()


# -- revocation, expiry, password change, deactivation ------------------------------------------


def _get(client, raw):
    return client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.django_db
def test_cannot_authenticate_when_the_password_changed_after_the_token_was_made(client):
    user = UserFactory()
    _token, raw = api_token_create(user=user)
    assert _get(client, raw).status_code == 200
    user.set_password("mot-mat-khau-moi-2026")
    user.save()
    refused = _get(client, raw)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


@pytest.mark.django_db
def test_cannot_authenticate_when_the_user_is_deactivated(client):
    user = UserFactory()
    raw = api_token_create(user=user)[1]
    user.is_active = False
    user.save()
    assert _get(client, raw).status_code == 401


@pytest.mark.django_db
def test_cannot_authenticate_when_the_token_has_expired(client):
    from datetime import UTC, datetime

    # The expiry is compared with the clock in the token check's SQL parameters: past and future by far.
    expired = api_token_create(user=UserFactory(), expires_at=datetime(2020, 1, 1, tzinfo=UTC))[1]
    valid = api_token_create(user=UserFactory(), expires_at=datetime(2099, 1, 1, tzinfo=UTC))[1]
    assert _get(client, expired).status_code == 401
    assert _get(client, valid).status_code == 200
    assert not ApiToken.objects.matching(expired).exists()


@pytest.mark.django_db
def test_does_keep_tokens_valid_when_the_secret_key_moves_to_the_fallbacks(client, settings):
    raw = api_token_create(user=UserFactory())[1]
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    assert _get(client, raw).status_code == 200


@pytest.mark.django_db
def test_does_revoke_tokens_by_prefix_or_user_when_the_command_runs(client):
    user, other = UserFactory(username="tich.hop"), UserFactory()
    first, second = api_token_create(user=user), api_token_create(user=user)
    kept = api_token_create(user=other)
    out = StringIO()
    call_command("revoke_api_token", "--", first[0].prefix, stdout=out)  # "--": a prefix may begin with "-"
    assert out.getvalue().strip() == "Đã thu hồi 1 mã truy cập."
    assert _get(client, first[1]).status_code == 401 and _get(client, second[1]).status_code == 200
    call_command("revoke_api_token", "--user", "tich.hop", stdout=StringIO())
    assert _get(client, second[1]).status_code == 401 and _get(client, kept[1]).status_code == 200
    with pytest.raises(CommandError, match="Không tìm thấy mã truy cập nào"):
        call_command("revoke_api_token", "khongco1", stdout=StringIO())


@pytest.mark.django_db
def test_does_revoke_selected_tokens_when_the_admin_runs_the_action(admin_client, client):
    token, raw = api_token_create(user=UserFactory())
    response = admin_client.post(
        "/admin/dossiers/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "Đã thu hồi 1 mã truy cập." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and _get(client, raw).status_code == 401


@pytest.mark.django_db
def test_does_set_the_expiry_when_the_command_is_given_days(client):
    import time_machine

    from dossiers.tests.fixtures import local

    UserFactory(username="co.han")
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        create = StringIO()
        call_command("create_api_token", "co.han", "--days", "30", stdout=create, stderr=StringIO())
    assert ApiToken.objects.get().expires_at == local(2026, 4, 8, 10, 0)
