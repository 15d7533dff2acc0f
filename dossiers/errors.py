"""Domain errors, translated to HTTP in one place (portal.api).

Messages are module constants so that tests assert on them.
"""

from django.utils.translation import gettext_lazy as _

NOT_FOUND = _("Không tìm thấy hồ sơ hoặc bạn không có quyền xem.")
UNKNOWN_PROCEDURE = _("Không có thủ tục với mã này.")
UNKNOWN_UNIT = _("Không có đơn vị với mã này.")
BAD_TIME_UNIT = _("Đơn vị thời gian phải là một trong: working_hours, working_days, calendar_days, months.")
BAD_AMOUNT = _("Thời hạn phải là số không âm; ngày và tháng phải là số nguyên.")
BAD_START = _("Thời điểm bắt đầu phải có dạng ISO 8601, ví dụ 2026-03-09T10:00:00+07:00.")
OUT_OF_RANGE = _("Thời điểm nằm ngoài phạm vi lịch làm việc (2000–2060).")
FORBIDDEN = _("Bạn không có quyền thực hiện thao tác này.")


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message, *, fields: dict | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class InvalidInput(DomainError):
    status, code = 422, "invalid_input"


class Conflict(DomainError):
    status, code = 409, "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StaleVersion(Conflict):
    code = "stale_version"


class RateLimited(DomainError):
    """429; `retry_after` (whole seconds) goes out as the Retry-After header (RFC 9110 §10.2.3)."""

    status, code = 429, "rate_limited"

    def __init__(self, message, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(int(retry_after), 1)


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}}


def validation_fields(errors: list[dict]) -> dict[str, str]:
    """Ninja/pydantic errors as {field: Vietnamese message}."""
    from django.utils.translation import gettext as gt

    messages = {
        "missing": gt("Trường này là bắt buộc."),
        "string_too_long": gt("Quá dài."),
        "string_too_short": gt("Quá ngắn."),
        "enum": gt("Giá trị không nằm trong danh sách cho phép."),
        "literal_error": gt("Giá trị không nằm trong danh sách cho phép."),
        "datetime_from_date_parsing": gt("Ngày giờ không hợp lệ."),
        "datetime_parsing": gt("Ngày giờ không hợp lệ."),
        "date_from_datetime_parsing": gt("Ngày không hợp lệ."),
        "decimal_parsing": gt("Phải là số."),
        "int_parsing": gt("Phải là số nguyên."),
        "bool_parsing": gt("Phải là true hoặc false."),
        "json_invalid": gt("JSON không hợp lệ."),
    }
    fields = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "header")]
        key = ".".join(loc) or "__all__"
        fields[key] = messages.get(err.get("type", ""), gt("Giá trị không hợp lệ."))
    return fields


BAD_DOCUMENT = _("Mỗi giấy tờ cần tên hoặc số thứ tự thành phần hồ sơ của thủ tục.")
