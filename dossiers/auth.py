"""API authentication: Bearer tokens for integrations, sessions for the browser UI."""

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from .models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        try:  # the digest is unique
            match = ApiToken.objects.matching(token).select_related("user").get()
        except ApiToken.DoesNotExist:
            return None
        request.user = match.user
        return match.user


staff_auth = [BearerToken(), django_auth]
