"""The national login as an OpenID Connect relying party, through Authlib's Django client.

Authorization code flow with PKCE (S256), state and nonce kept in the session by Authlib; the ID
token is checked against the provider's JWKS (signature, issuer, audience, expiry, nonce) before any
claim is read; userinfo only fills claims the ID token lacks, and only for the same subject
(OpenID Connect Core 1.0 §5.3.2). Endpoints come from the issuer's discovery document.
"""

import logging
from functools import cache

import requests
from authlib.integrations.django_client import OAuth, OAuthError
from django.conf import settings
from joserfc.errors import JoseError

from .identity import Citizen, citizen_from_claims

log = logging.getLogger("citizens.oidc")
NAME = "national_login"
# What a provider that is down, slow or answers nonsense raises: the login fails with a message.
PROVIDER_ERRORS = (requests.RequestException, ValueError, KeyError, RuntimeError)
# What a refused or tampered answer raises (state, nonce, signature, claims).
REFUSED_ERRORS = (OAuthError, JoseError)


class LoginRefused(Exception):
    """The provider's answer cannot be trusted (or it refused): nobody is logged in."""


@cache
def _client(issuer: str, client_id: str, client_secret: str, scopes: str, timeout: float):
    oauth = OAuth()
    return oauth.register(
        name=NAME,
        client_id=client_id,
        client_secret=client_secret or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256", "default_timeout": timeout},
    )


def provider():
    """The configured provider's client (one per configuration; its discovery document is cached)."""
    s = settings
    client = _client(
        s.PORTAL_OIDC_ISSUER,
        s.PORTAL_OIDC_CLIENT_ID,
        s.PORTAL_OIDC_CLIENT_SECRET,
        s.PORTAL_OIDC_SCOPES,
        s.PORTAL_OIDC_TIMEOUT_SECONDS,
    )
    metadata = client.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != s.PORTAL_OIDC_ISSUER:
        # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
        raise LoginRefused(f"discovery names issuer {metadata.get('issuer')!r}")
    return client


def login_redirect(request, *, redirect_uri: str, language: str):
    """The redirect to the provider's login page; state, nonce and the PKCE verifier go to the session."""
    return provider().authorize_redirect(request, redirect_uri, ui_locales=language)


def login_complete(request) -> tuple[Citizen, str]:
    """(the citizen, their ID token) from the provider's redirect back; LoginRefused otherwise."""
    try:
        client = provider()
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise LoginRefused("no verified ID token")  # only an ID token says who logged in
        claims = {**_userinfo(client, token, subject=claims["sub"]), **claims}
    except REFUSED_ERRORS as exc:
        raise LoginRefused(f"{type(exc).__name__}: {exc}") from exc
    return citizen_from_claims(claims, issuer=settings.PORTAL_OIDC_ISSUER), token.get("id_token", "")


def _userinfo(client, token: dict, *, subject: str) -> dict:
    if not client.server_metadata.get("userinfo_endpoint"):
        return {}
    info = dict(client.userinfo(token=token))
    if info.get("sub") != subject:
        raise LoginRefused("userinfo is about another subject")
    return info


def logout_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), when it has one."""
    client = provider()
    if not client.server_metadata.get("end_session_endpoint"):
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token or None,
        client_id=settings.PORTAL_OIDC_CLIENT_ID,
    )["url"]
