"""Validating the applicant's details as a Vietnamese counter clerk expects."""

import re
from dataclasses import dataclass
from typing import cast

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..models import IdType

NAME_REQUIRED = _("Nhập họ tên người nộp hồ sơ.")
NAME_TOO_LONG = _("Họ tên dài quá 200 ký tự.")
ID_NUMBER_INVALID = _("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số.")
PASSPORT_INVALID = _("Số hộ chiếu gồm 6 đến 20 chữ cái (không dấu) hoặc chữ số.")
OTHER_ID_INVALID = _("Số giấy tờ gồm 4 đến 20 chữ cái (không dấu), chữ số hoặc các dấu . / -")
ID_TYPE_INVALID = _("Loại giấy tờ phải là CCCD, hộ chiếu hoặc giấy tờ khác.")
PHONE_INVALID = _("Số điện thoại không hợp lệ (ví dụ 0905 123 456).")
EMAIL_INVALID = _("Địa chỉ thư điện tử không hợp lệ.")
ADDRESS_TOO_LONG = _("Địa chỉ dài quá 300 ký tự.")


# (pattern of the normalised number, the message when it does not match), per document type
ID_RULES: dict[str, tuple[re.Pattern[str], Promise]] = {
    IdType.CCCD: (re.compile(r"[0-9]{12}"), ID_NUMBER_INVALID),
    IdType.PASSPORT: (re.compile(r"[A-Z0-9]{6,20}"), PASSPORT_INVALID),
    IdType.OTHER: (re.compile(r"[A-Z0-9./-]{4,20}"), OTHER_ID_INVALID),
}


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str
    email: str = ""
    address: str = ""
    id_type: str = IdType.CCCD


def id_number_normalise(raw: str | None) -> str:
    """As stored and as compared at the lookup: no spaces, capital letters."""
    return re.sub(r"\s", "", raw or "").upper()


def id_number_problem(id_type: str, id_number: str) -> tuple[str, Promise] | None:
    """(field, message) when the number does not fit its document type, else None."""
    if id_type not in ID_RULES:
        return "applicant.id_type", ID_TYPE_INVALID
    pattern, message = ID_RULES[id_type]
    return None if pattern.fullmatch(id_number) else ("applicant.id_number", message)


def applicant_clean(
    *, name: str, id_number: str, phone: str, email: str = "", address: str = "", id_type: str = IdType.CCCD
) -> Applicant:
    """The applicant with normalised fields, or InvalidInput naming every bad field."""
    name = " ".join((name or "").split())
    id_number = id_number_normalise(id_number)
    normalised_phone = phone_normalise(phone)
    email = (email or "").strip()
    address = " ".join((address or "").split())
    id_problem = id_number_problem(id_type, id_number)
    checks = {
        "applicant.name": NAME_REQUIRED if not name else NAME_TOO_LONG if len(name) > 200 else None,
        **({id_problem[0]: id_problem[1]} if id_problem else {}),
        "applicant.phone": PHONE_INVALID if normalised_phone is None else None,
        "applicant.email": _email_problem(email),
        "applicant.address": ADDRESS_TOO_LONG if len(address) > 300 else None,
    }
    problems = {field: message for field, message in checks.items() if message}
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    phone = cast(str, normalised_phone)  # None is PHONE_INVALID, raised above
    return Applicant(name=name, id_number=id_number, phone=phone, email=email, address=address, id_type=id_type)


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
