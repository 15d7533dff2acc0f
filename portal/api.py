"""The one NinjaAPI of the portal: `/api/v1/`. Apps contribute routers."""

from django.http import HttpRequest
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.errors import HttpError as NinjaHttpError

from dossiers.api import router as dossiers_router
from dossiers.api_attachments import router as attachments_router
from dossiers.api_lifecycle import router as lifecycle_router
from dossiers.auth import www_authenticate
from dossiers.errors import DomainError, RateLimited, error_body, validation_fields
from dossiers.renderers import LocalTimeRenderer
from feedback.api import router as feedback_router
from integrations.api import router as integrations_router

from .api_kpis import router as kpis_router
from .api_public import router as public_router

api = NinjaAPI(
    title="Một Cửa API",
    version="1",
    description="Hồ sơ thủ tục hành chính một cửa — API tích hợp (shared/docs/api.md).",
    urls_namespace="api",
    renderer=LocalTimeRenderer(),
)
api.add_router("/", dossiers_router)
api.add_router("/", lifecycle_router)
api.add_router("/", attachments_router)
api.add_router("/", public_router)
api.add_router("/", feedback_router)
api.add_router("/", kpis_router)
api.add_router("/", integrations_router)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError):
    response = api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    fields = validation_fields(exc.errors)
    return api.create_response(
        request, error_body("invalid_input", translation.gettext("Dữ liệu không hợp lệ."), fields), status=422
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(
        request, error_body("unauthorized", translation.gettext("Cần đăng nhập hoặc mã truy cập hợp lệ.")), status=401
    )
    response["WWW-Authenticate"] = www_authenticate(request)
    return response


@api.exception_handler(NinjaHttpError)
def on_http_error(request: HttpRequest, exc: NinjaHttpError):
    if exc.status_code == 400:  # an unparseable body is bad input like any other (api.md: 422)
        message = translation.gettext("Nội dung yêu cầu không phải JSON hợp lệ.")
        return api.create_response(request, error_body("invalid_input", message, {"body": message}), status=422)
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)
