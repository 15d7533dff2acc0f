from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from . import health
from .api import api

urlpatterns = [
    path("", include("portal.urls_public")),
    path("", include("feedback.urls")),
    path("", include("citizens.urls")),
    path("", include("portal.urls_dashboard")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("can-bo/dong-bo/", include("integrations.urls")),
    path("can-bo/", include("dossiers.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
