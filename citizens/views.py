"""Citizen login and logout with the electronic identity (OpenID Connect, citizens.oidc).

A provider that is down or refuses shows a message and leaves the rest of the portal working:
the lookup by code and key, petitions and ratings never depend on it.
"""

import logging

from django.contrib.auth import logout as staff_logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from . import oidc
from .identity import citizen_forget, citizen_login, oidc_enabled

log = logging.getLogger("citizens.views")
LOGIN_FAILED = _("Đăng nhập bằng định danh điện tử không thành công. Vui lòng thử lại.")
PROVIDER_DOWN = _(
    "Hệ thống định danh điện tử đang không phản hồi. Vui lòng thử lại sau ít phút; trong lúc chờ, bạn vẫn "
    "tra cứu được hồ sơ bằng mã hồ sơ và mã tra cứu."
)
NO_STORE = {"Cache-Control": "no-store"}


def _enabled_or_404() -> None:
    if not oidc_enabled():
        raise Http404


def _failed(request, message, *, status: int):
    response = render(request, "citizens/login_failed.html", {"message": message}, status=status)
    for header, value in NO_STORE.items():
        response[header] = value
    return response


@require_safe
def login(request):
    """Start the login at the national login; a staff user of this browser is logged out first."""
    _enabled_or_404()
    if request.user.is_authenticated:
        staff_logout(request)  # staff and citizen never share a session
    citizen_forget(request)
    callback = request.build_absolute_uri(reverse("citizens:callback"))
    try:
        return oidc.login_redirect(request, redirect_uri=callback, language=get_language())
    except (*oidc.PROVIDER_ERRORS, oidc.LoginRefused) as exc:
        log.warning("identity provider unavailable: %s: %s", type(exc).__name__, exc)
        return _failed(request, PROVIDER_DOWN, status=503)


@require_safe
def callback(request):
    """The provider's redirect back: state, PKCE and the ID token checked, then the citizen is in."""
    _enabled_or_404()
    try:
        citizen, id_token = oidc.login_complete(request)
    except oidc.LoginRefused as exc:
        log.warning("citizen login refused: %s", exc)
        return _failed(request, LOGIN_FAILED, status=400)
    except oidc.PROVIDER_ERRORS as exc:
        log.warning("identity provider failed during login: %s: %s", type(exc).__name__, exc)
        return _failed(request, PROVIDER_DOWN, status=503)
    if request.user.is_authenticated:
        staff_logout(request)
    citizen_login(request, citizen=citizen, id_token=id_token)
    return redirect("citizen-dossiers")


@require_POST
def logout(request):
    """Forget the citizen here, then end their session at the provider when it offers that."""
    _enabled_or_404()
    id_token = citizen_forget(request)
    request.session.cycle_key()
    home = request.build_absolute_uri(reverse("home"))
    try:
        url = oidc.logout_url(id_token=id_token, post_logout_redirect_uri=home)
    except (*oidc.PROVIDER_ERRORS, oidc.LoginRefused) as exc:
        log.warning("identity provider logout unavailable: %s: %s", type(exc).__name__, exc)
        url = None
    return redirect(url or "home")
