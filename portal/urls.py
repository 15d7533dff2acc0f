from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from . import health
from .api import api

urlpatterns = [
    path("", include("portal.urls_public")),
    path("", include("feedback.urls")),
    path("", include("payments.urls")),
    path("", include("citizens.urls")),
    path("", include("portal.urls_dashboard")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the pages link to.
    path("favicon.ico", RedirectView.as_view(url=static_url("portal/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("can-bo/dong-bo/", include("integrations.urls")),
    path("can-bo/", include("dossiers.urls")),
    path("can-bo/", include("edocs.urls")),
]
handler403 = "portal.views_errors.forbidden"
handler404 = "portal.views_errors.not_found"
# 500: Django's own handler renders templates/500.html with no context (nothing else may fail).
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
