"""Staff work pages (queues, intake, dossier page)."""

urlpatterns: list = []
