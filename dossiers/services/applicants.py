"""Validating the applicant's details as a Vietnamese counter clerk expects."""

import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput

NAME_REQUIRED = _("Nhập họ tên người nộp hồ sơ.")
NAME_TOO_LONG = _("Họ tên dài quá 200 ký tự.")
ID_NUMBER_INVALID = _("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số.")
PHONE_INVALID = _("Số điện thoại không hợp lệ (ví dụ 0905 123 456).")
EMAIL_INVALID = _("Địa chỉ thư điện tử không hợp lệ.")
ADDRESS_TOO_LONG = _("Địa chỉ dài quá 300 ký tự.")


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str
    email: str = ""
    address: str = ""


def applicant_clean(*, name: str, id_number: str, phone: str, email: str = "", address: str = "") -> Applicant:
    """The applicant with normalised fields, or InvalidInput naming every bad field."""
    name = " ".join((name or "").split())
    id_number = re.sub(r"\s", "", id_number or "")
    normalised_phone = phone_normalise(phone)
    email = (email or "").strip()
    address = " ".join((address or "").split())
    checks = {
        "applicant.name": NAME_REQUIRED if not name else NAME_TOO_LONG if len(name) > 200 else None,
        "applicant.id_number": None if re.fullmatch(r"\d{12}", id_number) else ID_NUMBER_INVALID,
        "applicant.phone": PHONE_INVALID if normalised_phone is None else None,
        "applicant.email": _email_problem(email),
        "applicant.address": ADDRESS_TOO_LONG if len(address) > 300 else None,
    }
    problems = {field: message for field, message in checks.items() if message}
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return Applicant(name=name, id_number=id_number, phone=normalised_phone, email=email, address=address)


def _email_problem(email: str):
    if not email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return EMAIL_INVALID
    return None


def phone_normalise(raw: str | None) -> str | None:
    """A valid Vietnamese number in national form (0905123456), or None."""
    try:
        number = phonenumbers.parse((raw or "").strip(), "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")
