"""KPI pages: the supervisors' dashboard and the public monthly results."""

from django.urls import path

from . import views_dashboard

urlpatterns = [
    path("giam-sat/chi-so/", views_dashboard.dashboard, name="kpi-dashboard"),
    path("cong-khai/ket-qua/", views_dashboard.public_results, name="public-results"),
]
