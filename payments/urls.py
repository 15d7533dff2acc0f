"""Online payment: public pages under /thanh-toan/, the staff page under /can-bo/thanh-toan/."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("thanh-toan/vnpay/ket-qua/", views.vnpay_return, name="vnpay-return"),
    path("thanh-toan/vnpay/ipn/", views.vnpay_ipn, name="vnpay-ipn"),
    path("thanh-toan/bien-lai/<str:txn_ref>/", views.receipt, name="receipt"),
    path("thanh-toan/bien-lai/<str:txn_ref>/pdf/", views.receipt_pdf, name="receipt-pdf"),
    path("thanh-toan/<str:code>/", views.pay, name="pay"),
    path("can-bo/thanh-toan/<str:code>/", views.staff, name="staff"),
    path("can-bo/thanh-toan/<str:code>/hoan-tien/", views.staff_refund, name="staff-refund"),
]
