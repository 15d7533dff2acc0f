"""Request ids in every log line, JSON logs, and 503 (not 500) while the database is down."""

import contextvars
import json
import logging
import uuid

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
log = logging.getLogger("portal.requests")


class RequestIdMiddleware:
    """Take X-Request-ID from the proxy (or make one), log with it, and return it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class RejectNulMiddleware:
    """A NUL byte is never valid text here, and PostgreSQL refuses it (a 500 deep down):
    refuse it at the edge, in the path, the query string or a form/JSON body."""

    NUL_MARKS = (b"\x00", b"%00", b"\\u0000")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = _("Dữ liệu gửi lên chứa ký tự không hợp lệ.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_input", "message": message, "fields": {}}, status=422)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        raw = (request.META.get("PATH_INFO", "") + request.META.get("QUERY_STRING", "")).encode("utf-8", "replace")
        if any(mark in raw for mark in self.NUL_MARKS[:2]):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and not content_type.startswith("multipart/"):
            # The whole body (at most DATA_UPLOAD_MAX_MEMORY_SIZE; a scan costs ~1 ms per MB): a NUL
            # placed after the first megabyte reached PostgreSQL before.
            return any(mark in request.body for mark in self.NUL_MARKS)
        return False


_OUTAGE_NAMES = ("OperationalError", "InterfaceError", "DatabaseError")


def _database_outage(exception: Exception) -> bool:
    """The database is unreachable: its error, or the same error met while an API schema read a
    model's attribute (pydantic wraps it in a ValidationError of type get_attribute_error and
    keeps only its text, 'OperationalError: …')."""
    if isinstance(exception, OperationalError | InterfaceError) or type(exception) is DatabaseError:
        return True
    if not isinstance(exception, PydanticValidationError):
        return False
    return any(
        error["type"] == "get_attribute_error" and str(error.get("ctx", {}).get("error", "")).startswith(_OUTAGE_NAMES)
        for error in exception.errors()
    )


class ServiceUnavailableMiddleware:
    """A database outage answers 503 with a retry hint; the next request reconnects by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _database_outage(exception):
            return None
        log.error("database unavailable: %s", exception)
        message = _("Hệ thống đang tạm gián đoạn, vui lòng thử lại sau ít phút.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": "unavailable", "message": message, "fields": {}}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "10"
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message (and the error)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
