"""Read models shared by the API and the staff pages (the API's shapes are its Out schemas)."""

from . import workflow
from .access import may_take
from .models import Dossier, Status


def actions_for(user, dossier: Dossier) -> list[str]:
    """The actions this user may take on the dossier now (`complete` only at the procedure's
    last processing step, by that step's role: services.routing.completion_step_problem)."""
    from .services.routing import completion_step_problem

    if not dossier.is_open and dossier.status != Status.DONE:
        return []
    actions = [a.name for a in workflow.allowed_actions(dossier.status) if may_take(user, a, dossier)]
    if "complete" in actions and completion_step_problem(dossier, user) is not None:
        actions.remove("complete")
    return actions
