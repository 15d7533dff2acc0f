"""Supervisor pages and apology pages (Mẫu 04)."""

from django.urls import path

from .views import apology, supervision

urlpatterns = [
    path("giam-sat/", supervision.supervision, name="supervision"),
    path("ho-so/<str:code>/xin-loi/", apology.apology_new, name="apology-new"),
    path("xin-loi/", apology.apologies, name="apologies"),
    path("xin-loi/<int:pk>/", apology.apology, name="apology"),
    path("xin-loi/<int:pk>/sua/", apology.apology_change, name="apology-edit"),
    path("in/xin-loi/<int:pk>/", apology.print_apology, name="print-apology"),
]
