"""API authentication: Bearer tokens for integrations, sessions for the browser UI."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.objects.user_of(token)  # the digest is unique
        if user is None:
            return None
        request.user = user
        return user


staff_auth = [BearerToken(), django_auth]
