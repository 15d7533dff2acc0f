from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import tasks, textsearch  # noqa: F401 — tasks: registered here, sent by name (services.notify)
        from .services.catalogue import connect_signals

        connect_signals()
        textsearch.connect_signals()
