from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Đánh giá và phản ánh, kiến nghị")
    default_auto_field = "django.db.models.BigAutoField"
