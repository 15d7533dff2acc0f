"""Citizen login with the electronic identity (included at the site root)."""

from django.urls import path

from . import views

app_name = "citizens"
urlpatterns = [
    path("cong-dan/dang-nhap/", views.login, name="login"),
    path("cong-dan/dang-nhap/xong/", views.callback, name="callback"),
    path("cong-dan/dang-xuat/", views.logout, name="logout"),
]
