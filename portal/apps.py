from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Một Cửa"

    def ready(self):
        from .security import session_mark_seen

        user_logged_in.connect(session_mark_seen, dispatch_uid="portal.session_mark_seen")
