"""Signed PDFs for staff, under /can-bo/ky-so/ (namespace "edocs")."""

from django.urls import path

from . import views

app_name = "edocs"
urlpatterns = [
    path("ky-so/<str:code>/giay-tiep-nhan.pdf", views.receipt_pdf, name="receipt"),
    path("ky-so/<str:code>/ket-qua.pdf", views.result_pdf, name="result"),
    path("ky-so/xin-loi/<int:pk>.pdf", views.apology_pdf, name="apology"),
]
