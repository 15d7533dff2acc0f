"""Which unit is at fault for a late dossier: the one whose routing step overran its budget.

Decree 61/2018 art. 19 (as amended by Decree 107/2021), kept by Decree 118/2025: the agency
that let the dossier run late apologises (Mẫu 04), and lateness is attributed to it. Each step
of the control slip (Mẫu 06) has its own budget, so the agency at fault is the one whose step
overran it — not whoever happens to hold the dossier when the appointment passes. (ours) With
several overruns, the first in routing order: it used up the time the later steps had.
Reads `dossier.steps.all()`, so a prefetched page costs no query.
"""

from django.contrib.auth.models import User

from ..models import Dossier, DossierStep, Unit


def step_overran(step: DossierStep, *, at, paused_at=None) -> bool:
    """Finished after its step deadline, or still open past it at `at` (while the dossier
    waits for the citizen the step's clock stands still, so an open step is judged at the pause)."""
    if step.started_at is None or step.due_at is None:
        return False
    end = step.finished_at or paused_at or at
    return end > step.due_at


def _started(dossier: Dossier) -> list[DossierStep]:
    return sorted((s for s in dossier.steps.all() if s.started_at is not None), key=lambda s: s.position)


def step_at_fault(dossier: Dossier, *, at) -> DossierStep | None:
    """The first step that overran its budget by `at`, if any."""
    return next((s for s in _started(dossier) if step_overran(s, at=at, paused_at=dossier.paused_at)), None)


def step_holding(dossier: Dossier, *, at) -> DossierStep | None:
    """The step open at `at` (the last one started by then)."""
    held = [s for s in _started(dossier) if s.started_at <= at]
    return max(held, key=lambda s: (s.started_at, s.position)) if held else None


def unit_at_fault(dossier: Dossier, *, at) -> Unit:
    """The unit of the first overrun step; before any overran (an apology given ahead of the
    appointment), the unit holding the dossier."""
    step = step_at_fault(dossier, at=at)
    return step.unit if step else dossier.current_unit


def lateness_attribution(dossier: Dossier, *, at, due) -> tuple[Unit, User | None]:
    """(unit, officer) a late dossier is attributed to: the first overrun step's, else the step
    holding it at its appointment `due` (as the watch does), else the unit holding it."""
    step = step_at_fault(dossier, at=at) or (step_holding(dossier, at=due) if due else None)
    if step is None:
        return dossier.current_unit, None
    return step.unit, step.receiver
