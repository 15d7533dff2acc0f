from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Một Cửa"

    def ready(self):
        from dossiers.models import Dossier

        post_save.connect(_dossier_saved, sender=Dossier, dispatch_uid="portal.public_answers_forget")


def _dossier_saved(sender, instance, created, **kwargs):
    """A dossier changed: once committed, its public answers are recomputed on the next lookup."""
    from .public import public_answers_forget

    if created:
        # No answer can be cached for a code that is not committed yet: nor after later saves of the
        # new dossier in the same transaction (the intake's), until it commits.
        instance._answers_uncached = True
        transaction.on_commit(lambda: instance.__dict__.pop("_answers_uncached", None))
        return
    if getattr(instance, "_answers_uncached", False):
        return
    transaction.on_commit(lambda code=instance.code: public_answers_forget(code))
