"""Feedback pages: ratings, petitions (public and staff). Included at the site root."""

from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("danh-gia/cam-on/", views.rate_done, name="rate-done"),
    path("danh-gia/<str:code>/", views.rate, name="rate"),
    path("kiosk/danh-gia/", views.kiosk_start, name="kiosk-start"),
    path("kiosk/danh-gia/cam-on/", views.kiosk_done, name="kiosk-done"),
    path("kiosk/danh-gia/<str:code>/", views.kiosk, name="kiosk"),
    path("phan-anh/", views.petitions, name="petitions"),
    path("phan-anh/gui/", views.petition_new, name="petition-new"),
    path("phan-anh/theo-doi/", views.petition_follow, name="petition-follow"),
    path("phan-anh/<str:code>/", views.petition, name="petition"),
    path("phan-anh/<str:code>/danh-gia/", views.petition_rate_view, name="petition-rate"),
    path("can-bo/phan-anh/", views.staff_petitions, name="staff-petitions"),
    path("can-bo/phan-anh/<str:code>/", views.staff_petition, name="staff-petition"),
    path("can-bo/phan-anh/<str:code>/xu-ly/", views.staff_petition_act, name="staff-petition-act"),
]
