"""The citizen logged in with the electronic identity: who they are, held in the session only.

A citizen is not a user of the portal: no row in the staff User table, no group, no unit, so
nothing in dossiers/access.py grants them anything, and `request.user` stays anonymous — staff
pages, the admin and the staff API never see a citizen. What a citizen reaches is their own
dossiers, matched by the personal identification number (số định danh cá nhân) that the identity
provider says it verified (`Citizen.id_number`; empty when it did not).

Assumption (README, "Citizen login"): the national login returns the number in the claim named by
PORTAL_OIDC_ID_NUMBER_CLAIM and marks it verified in PORTAL_OIDC_ID_VERIFIED_CLAIM with one of
PORTAL_OIDC_ID_VERIFIED_VALUES (e.g. a level-2 VNeID account, verified in person by the police).
"""

import re
import time
from dataclasses import asdict, dataclass, fields

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dossiers.services.applicants import phone_normalise

SESSION_KEY = "citizen"
LOGOUT_HINT_KEY = "citizen_id_token"


class IdStatus:
    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    MISSING = "missing"
    INVALID = "invalid"


ID_PROBLEMS = {
    IdStatus.UNVERIFIED: _(
        "Số định danh cá nhân trong tài khoản định danh điện tử của bạn chưa được xác thực, nên chưa thể "
        "hiển thị hồ sơ của bạn. Hãy nâng cấp tài khoản lên mức 2, hoặc tra cứu từng hồ sơ bằng mã hồ sơ "
        "và mã tra cứu trên giấy tiếp nhận."
    ),
    IdStatus.MISSING: _(
        "Hệ thống định danh điện tử không cung cấp số định danh cá nhân của bạn, nên chưa thể hiển thị hồ sơ "
        "của bạn. Bạn vẫn tra cứu được từng hồ sơ bằng mã hồ sơ và mã tra cứu trên giấy tiếp nhận."
    ),
    IdStatus.INVALID: _(
        "Số định danh cá nhân nhận được từ hệ thống định danh điện tử không hợp lệ (phải gồm 12 chữ số), nên "
        "chưa thể hiển thị hồ sơ của bạn. Bạn vẫn tra cứu được từng hồ sơ bằng mã hồ sơ và mã tra cứu."
    ),
}


@dataclass(frozen=True)
class Citizen:
    issuer: str
    subject: str
    name: str
    id_number: str  # only when verified by the provider, else ""
    id_status: str
    phone: str = ""
    email: str = ""

    @property
    def id_problem(self):
        """Why no dossier can be listed (a Vietnamese message), or None."""
        return ID_PROBLEMS.get(self.id_status)


def citizen_from_claims(claims: dict, *, issuer: str) -> Citizen:
    """The citizen described by verified OpenID Connect claims (ID token, then userinfo)."""
    id_number, id_status = _id_number(claims)
    phone = str(claims.get("phone_number") or "")
    return Citizen(
        issuer=issuer,
        subject=str(claims["sub"]),
        name=_name(claims),
        id_number=id_number,
        id_status=id_status,
        phone=phone_normalise(phone) or phone[:20],
        email=str(claims.get("email") or "")[:254],
    )


def _name(claims: dict) -> str:
    if claims.get("name"):
        return " ".join(str(claims["name"]).split())[:200]
    # Vietnamese order: family, middle, given (Nguyễn Văn An).
    parts = (claims.get(k) for k in ("family_name", "middle_name", "given_name"))
    return " ".join(str(p).strip() for p in parts if p)[:200]


def _id_number(claims: dict) -> tuple[str, str]:
    raw = claims.get(settings.PORTAL_OIDC_ID_NUMBER_CLAIM)
    if raw in (None, ""):
        return "", IdStatus.MISSING
    number = re.sub(r"\s", "", str(raw))
    if not re.fullmatch(r"\d{12}", number):
        return "", IdStatus.INVALID
    if not _verified(claims.get(settings.PORTAL_OIDC_ID_VERIFIED_CLAIM)):
        return "", IdStatus.UNVERIFIED
    return number, IdStatus.VERIFIED


def _verified(value) -> bool:
    accepted = {v.lower() for v in settings.PORTAL_OIDC_ID_VERIFIED_VALUES}
    return value is not None and str(value).lower() in accepted


# -- the session ------------------------------------------------------------------------------


def oidc_enabled() -> bool:
    return bool(settings.PORTAL_OIDC_ISSUER and settings.PORTAL_OIDC_CLIENT_ID)


def citizen_login(request, *, citizen: Citizen, id_token: str = "") -> None:
    """Hold the citizen in a fresh session (the caller logged any staff user out first)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {**asdict(citizen), "since": time.time()}
    request.session[LOGOUT_HINT_KEY] = id_token


def citizen_of(request) -> Citizen | None:
    """The citizen logged in on this request's session, or None (never alongside a staff user)."""
    data = request.session.get(SESSION_KEY)
    if not data or not oidc_enabled() or request.user.is_authenticated:
        return None
    if time.time() - data.get("since", 0) > settings.PORTAL_OIDC_SESSION_SECONDS:
        citizen_forget(request)
        return None
    try:
        return Citizen(**{f.name: data[f.name] for f in fields(Citizen)})
    except (KeyError, TypeError):
        citizen_forget(request)
        return None


def citizen_forget(request) -> str:
    """Drop the citizen from the session; returns the ID token kept for the provider's logout."""
    request.session.pop(SESSION_KEY, None)
    return request.session.pop(LOGOUT_HINT_KEY, "") or ""


def citizen_forget_on_staff_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        citizen_forget(request)


def citizen_initial(request) -> dict:
    """What the citizen's forms start with: their name, phone and email (empty when not logged in)."""
    citizen = citizen_of(request)
    if citizen is None:
        return {}
    known = {"name": citizen.name, "phone": citizen.phone, "email": citizen.email}
    return {key: value for key, value in known.items() if value}


def citizen_dossier(request, *, code: str):
    """One of the logged-in citizen's own dossiers by its code (the rating page without a key), or None."""
    from dossiers.models import Dossier

    citizen = citizen_of(request)
    if citizen is None or not citizen.id_number:
        return None
    found = Dossier.objects.of_applicant(citizen.id_number).select_related("procedure", "lead_unit")
    return found.filter(code=(code or "").replace("\x00", "").strip()[:48]).first()
