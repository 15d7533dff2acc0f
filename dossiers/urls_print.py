"""Printed forms (Mẫu 01–07) and the register."""

urlpatterns: list = []
