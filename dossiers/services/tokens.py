"""API tokens for integrations: the raw token is shown once, only its digest is kept."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..models import ApiToken


@transaction.atomic
def api_token_create(*, user: User, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Issue a bearer token for `user`, valid until `expires_at` (None: until revoked) and while the
    user's password stays the same; returns the row and the raw token (never stored)."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        prefix=raw[:8],
        expires_at=expires_at,
        password_stamp=ApiToken.stamp_of(user),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, tokens) -> int:
    """Revoke the tokens of the queryset `tokens` not revoked yet; how many were."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
