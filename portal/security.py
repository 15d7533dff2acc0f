"""Staff session idle timeout, login throttling per address, and the login lockout's answer.

The lockout itself is django-axes' (settings.AXES_*): it counts failed logins per account.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dossiers.ratelimit import Limit, client_ip, is_address, rate_limit_hit

LAST_SEEN = "portal:last_seen"
SEEN_EVERY = 60  # seconds: the session is written at most once a minute, not on every request


class StaffIdleTimeoutMiddleware:
    """Log out a user whose last request is older than PORTAL_STAFF_IDLE_MINUTES; the page then asks
    for the login again (and the API answers 401) as for anyone not logged in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        now = int(timezone.now().timestamp())
        last = request.session.get(LAST_SEEN)
        if last is not None and now - last > settings.PORTAL_STAFF_IDLE_MINUTES * 60:
            logout(request)
        elif last is None or now - last >= SEEN_EVERY:
            request.session[LAST_SEEN] = now


def session_mark_seen(sender, request, user, **kwargs) -> None:
    """On login (signal user_logged_in): the idle clock starts, written with the new session."""
    request.session[LAST_SEEN] = int(timezone.now().timestamp())


class LoginThrottleMiddleware:
    """Login attempts per client address (PORTAL_LOGIN_RATE) on the staff and the admin login: slows
    password guessing across many accounts, which the per-account lockout does not see."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths = None

    def __call__(self, request):
        if request.method == "POST" and request.path in self.paths():
            wait = rate_limit_hit(
                scope="login-ip", ident=client_ip(request), limit=Limit.parse(settings.PORTAL_LOGIN_RATE)
            )
            if wait:
                return refused(request, wait)
        return self.get_response(request)

    def paths(self) -> set[str]:
        if self._paths is None:
            self._paths = {reverse("login"), reverse("admin:login")}
        return self._paths


def login_client_ip(request) -> str | None:
    """django-axes' client address (AXES_CLIENT_IP_CALLABLE): the limits' own, None when there is none
    (a request made in code, e.g. by `Client.force_login`)."""
    address = client_ip(request)
    return address if is_address(address) else None


def refused(request, retry_after: int):
    response = render(request, "registration/locked.html", {"retry_minutes": -(-retry_after // 60)}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked account (AXES_LOCKOUT_CALLABLE): 429 with Retry-After."""
    return refused(request, int(settings.AXES_COOLOFF_TIME.total_seconds()))
