"""Supervisor pages and apology pages."""

urlpatterns: list = []
