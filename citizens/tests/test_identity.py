"""Which claims make a citizen: the ID number only when the provider marks it verified (settings)."""

import pytest

from citizens.identity import IdStatus, citizen_from_claims

ISSUER = "https://sso.example.gov.vn"


def test_does_trust_the_id_number_when_the_provider_marks_it_verified(settings):
    claims = {"sub": "s-1", "name": " Phạm  Văn An ", "so_dinh_danh": "079 088 001 234", "so_dinh_danh_verified": True}
    citizen = citizen_from_claims(claims, issuer=ISSUER)
    assert (citizen.name, citizen.id_number, citizen.id_status) == ("Phạm Văn An", "079088001234", IdStatus.VERIFIED)
    assert citizen.id_problem is None


@pytest.mark.parametrize("flag", [False, "false", None, "0"])
def test_cannot_trust_the_id_number_when_the_provider_does_not_mark_it_verified(settings, flag):
    claims = {"sub": "s-1", "so_dinh_danh": "079088001234", "so_dinh_danh_verified": flag}
    citizen = citizen_from_claims(claims, issuer=ISSUER)
    assert (citizen.id_number, citizen.id_status) == ("", IdStatus.UNVERIFIED)
    assert "chưa được xác thực" in str(citizen.id_problem)


def test_does_read_the_claims_named_in_the_settings_when_the_provider_uses_an_assurance_level(settings):
    settings.PORTAL_OIDC_ID_NUMBER_CLAIM = "identification_number"
    settings.PORTAL_OIDC_ID_VERIFIED_CLAIM = "muc_do_dinh_danh"
    settings.PORTAL_OIDC_ID_VERIFIED_VALUES = ["2"]
    level_two = {"sub": "s-1", "identification_number": "079088001234", "muc_do_dinh_danh": 2}
    level_one = {**level_two, "muc_do_dinh_danh": 1}
    assert citizen_from_claims(level_two, issuer=ISSUER).id_number == "079088001234"
    assert citizen_from_claims(level_one, issuer=ISSUER).id_status == IdStatus.UNVERIFIED
    assert citizen_from_claims({"sub": "s-1", "so_dinh_danh": "079088001234"}, issuer=ISSUER).id_status == "missing"


@pytest.mark.parametrize("number", ["12345678", "0790880012345", "07908800123A", "' OR 1=1 --"])
def test_cannot_use_an_id_number_when_it_is_not_twelve_digits(settings, number):
    citizen = citizen_from_claims({"sub": "s", "so_dinh_danh": number, "so_dinh_danh_verified": True}, issuer=ISSUER)
    assert (citizen.id_number, citizen.id_status) == ("", IdStatus.INVALID)


def test_does_build_the_name_and_national_phone_when_the_claims_are_split(settings):
    claims = {
        "sub": 42,
        "family_name": "Nguyễn",
        "middle_name": "Thị",
        "given_name": "Hoa",
        "phone_number": "+84905123456",
    }
    citizen = citizen_from_claims(claims, issuer=ISSUER)
    assert (citizen.subject, citizen.name, citizen.phone, citizen.email) == ("42", "Nguyễn Thị Hoa", "0905123456", "")
