"""Feedback pages: ratings, petitions (public and staff)."""

app_name = "feedback"
urlpatterns: list = []
