"""The routing steps of a dossier (Mẫu 06, the control slip): laid out from the procedure's
template at reception, started and finished as the dossier moves (`services.routing`)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ..calendar_store import calendar_for
from ..clock import step_due, timeliness_of
from ..models import Dossier, DossierStep, RoutingStep, Unit

# Default routing when a procedure has no template: receive, process, return.
DEFAULT_TEMPLATE = (
    (_("Tiếp nhận hồ sơ"), RoutingStep.Role.COUNTER_CLERK, Decimal(2)),
    (_("Giải quyết hồ sơ"), RoutingStep.Role.SPECIALIST, None),
    (_("Trả kết quả"), RoutingStep.Role.COUNTER_CLERK, Decimal(2)),
)


def _step_unit(dossier: Dossier, unit, role: str) -> Unit:
    if unit is not None:
        return unit
    return dossier.receiving_unit if role == RoutingStep.Role.COUNTER_CLERK else dossier.lead_unit


def steps_layout(*, dossier: Dossier, actor, at, calendars=calendar_for) -> list[DossierStep]:
    """The procedure's routing template laid out as steps, not yet saved; the reception step
    starts now. `calendars`: unit → calendar."""
    template = [(s.name, s.role, s.budget_hours, s.unit) for s in dossier.procedure.steps.all()]
    if not template:
        middle = max(Decimal(1), (dossier.procedure.legal_working_hours or Decimal(8)) - 4)
        template = [(str(n), r, h or middle, None) for n, r, h in DEFAULT_TEMPLATE]
    steps = [
        DossierStep(
            dossier=dossier,
            position=(i + 1) * 10,
            name=name,
            role=role,
            budget_hours=hours,
            unit=_step_unit(dossier, unit, role),
        )
        for i, (name, role, hours, unit) in enumerate(template)
    ]
    _begin(steps[0], actor=actor, at=at, cal=calendars(steps[0].unit))  # started before the insert
    return steps


def _begin(step: DossierStep, *, actor, at, cal=None) -> None:
    step.started_at, step.receiver = at, actor if actor and actor.is_authenticated else None
    step.due_at = step_due(cal or calendar_for(step.unit), started_at=at, budget_hours=step.budget_hours)


def step_start(*, step: DossierStep, actor, at) -> DossierStep:
    _begin(step, actor=actor, at=at)
    step.save(update_fields=["started_at", "receiver", "due_at"])
    return step


def step_finish(*, step: DossierStep, actor, at, note: str = "") -> DossierStep:
    """Close a step; whoever hands it on is its giver and, if nobody took it explicitly, its receiver."""
    step.finished_at, step.giver = at, actor if actor and actor.is_authenticated else None
    step.receiver = step.receiver or step.giver
    step.timeliness = timeliness_of(at, step.due_at)
    step.note = note[:500]
    step.save(update_fields=["finished_at", "giver", "receiver", "timeliness", "note"])
    return step
