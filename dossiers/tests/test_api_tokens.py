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
