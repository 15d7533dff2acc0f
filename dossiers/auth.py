"""API authentication: Bearer tokens for integrations, sessions for the browser UI."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


class StaffRequest(HttpRequest):
    """What an endpoint behind `staff_auth` receives, for type checkers: ninja has put the
    authenticated user in `auth` (the annotation only; ninja passes the request by its name)."""

    auth: User


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.objects.user_of(token)  # the digest is unique
        if user is None:
            return None
        request.user = user
        return user


class StaffSession(SessionAuth):
    """The browser UI's session, CSRF-checked — but only once there is a logged-in user: an anonymous
    write must answer 401 (with `WWW-Authenticate: Bearer`), never the CSRF check's 403."""

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


staff_auth = [BearerToken(), StaffSession()]


def www_authenticate(request: HttpRequest) -> str:
    """The challenge of a 401 (RFC 6750 §3): a token that was sent and refused is `invalid_token`."""
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return 'Bearer realm="api", error="invalid_token"'
    return 'Bearer realm="api"'
