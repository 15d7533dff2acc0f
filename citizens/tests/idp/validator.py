"""The claims the test provider puts in ID tokens and userinfo: each test citizen's, from users.json."""

import json
from functools import cache

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


@cache
def citizens() -> dict[str, dict]:
    return json.loads((settings.DATA_DIR / "users.json").read_text())


class CitizenClaims(OAuth2Validator):
    @property
    def oidc_claim_scope(self) -> dict[str, str]:
        # The national login's own claims (the ID number and its flag) ride with the profile scope.
        standard = OAuth2Validator.oidc_claim_scope
        own = {claim: "profile" for user in citizens().values() for claim in user["claims"]}
        return {**own, **standard}

    def get_additional_claims(self, request):
        user = citizens()[request.user.username]
        return {key: value for key, value in user["claims"].items() if key != "sub"}

    def get_claim_dict(self, request):
        claims = super().get_claim_dict(request)
        claims["sub"] = citizens()[request.user.username]["claims"]["sub"]
        return claims
