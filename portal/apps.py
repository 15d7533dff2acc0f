from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Một Cửa"

    def ready(self):
        from dossiers.models import Dossier

        from .security import session_mark_seen

        post_save.connect(_dossier_saved, sender=Dossier, dispatch_uid="portal.public_answers_forget")
        user_logged_in.connect(session_mark_seen, dispatch_uid="portal.session_mark_seen")


def _dossier_saved(sender, instance, created, **kwargs):
    """A dossier changed: once committed, its public answers are recomputed on the next lookup.
    A new dossier has none (nothing is cached for a code that is not committed yet)."""
    from dossiers.services.lookup import public_answers_forget

    if not created:
        transaction.on_commit(lambda code=instance.code: public_answers_forget(code))
