"""Staff pages: /can-bo/… (namespace "staff")."""

from django.urls import include, path

app_name = "staff"
urlpatterns = [
    path("", include("dossiers.urls_staff")),
    path("", include("dossiers.urls_print")),
    path("", include("dossiers.urls_supervision")),
]
