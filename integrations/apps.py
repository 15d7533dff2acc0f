from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Kết nối hệ thống khác")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dossiers.services.hooks import dossier_subscribe

        from . import tasks  # noqa: F401 — registered here, sent by name (national.outbox)
        from .national.outbox import sync_kick_on_commit, sync_rows

        # Every creation and status change of a dossier: one outbox row, in its transaction.
        dossier_subscribe(name="national_sync", rows=sync_rows, written=sync_kick_on_commit)
