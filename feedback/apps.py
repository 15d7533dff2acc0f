from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Đánh giá và phản ánh, kiến nghị")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dossiers.roles import ADMIN, SPECIALIST, SUPERVISOR, UNIT_LEADER, extend_role_permissions

        # Read-only in the admin: every change goes through feedback.services.
        view = ("feedback.view_rating", "feedback.view_petition", "feedback.view_petitionevent")
        extend_role_permissions({SPECIALIST: view, UNIT_LEADER: view, SUPERVISOR: view, ADMIN: view})
