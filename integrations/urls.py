"""Integration pages under /can-bo/dong-bo/ (namespace "integrations")."""

from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.national_sync, name="national-sync"),
    path("<uuid:message_id>/gui-lai/", views.national_sync_resend, name="national-sync-resend"),
]
