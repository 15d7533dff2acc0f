"""API tokens for integrations: the raw token is shown once, only its digest is kept."""

from django.db import transaction

from ..models import ApiToken


@transaction.atomic
def api_token_create(*, user) -> tuple[ApiToken, str]:
    """Issue a bearer token for `user`; returns the row and the raw token (never stored)."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw), prefix=raw[:8])
    return token, raw
