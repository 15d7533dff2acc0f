from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = _("Công dân đăng nhập bằng định danh điện tử")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .identity import citizen_forget_on_staff_login

        # A staff login in a browser where a citizen was logged in drops the citizen (never both).
        user_logged_in.connect(citizen_forget_on_staff_login, dispatch_uid="citizens.staff_login")
