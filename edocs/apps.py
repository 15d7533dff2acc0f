from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdocsConfig(AppConfig):
    name = "edocs"
    verbose_name = _("Văn bản điện tử ký số")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dossiers.roles import ADMIN, extend_role_permissions

        # The administrator registers and retires the units' certificates; nothing is deleted.
        manage = tuple(f"edocs.{action}_unitcertificate" for action in ("view", "add", "change"))
        extend_role_permissions({ADMIN: manage})
