"""Printed forms (Mẫu 01–07) and the register."""

from django.urls import path

from .views import printing

urlpatterns = [
    path("in/huong-dan/", printing.guidance, name="print-guidance"),
    path("in/<str:code>/tiep-nhan/", printing.form_view("receipt"), name="print-receipt"),
    path("in/<str:code>/bo-sung/", printing.form_view("supplement"), name="print-supplement"),
    path("in/<str:code>/hoan-thien/", printing.form_view("completion"), name="print-completion"),
    path("in/<str:code>/tu-choi/", printing.form_view("refusal"), name="print-refusal"),
    path("in/<str:code>/dung/", printing.form_view("stop"), name="print-stop"),
    path("in/<str:code>/kiem-soat/", printing.form_view("control"), name="print-control"),
    path("so-theo-doi/", printing.register, name="register"),
]
