"""Keeping the dossier's stored due time in step with its clock ledger."""

from ..calendar import LOCAL_TZ
from ..models import Dossier, Timeliness
from ..workdays import calendar_for
from .clock import ClockState, clock_replay, due_by_law, due_now, waiting_seconds


def dossier_clock_state(dossier: Dossier) -> ClockState:
    return clock_replay(dossier.clock.order_by("at", "id"))


def dossier_clock_sync(*, dossier: Dossier, at) -> ClockState:
    """Recompute `due_at` from the ledger; `due_at_original` is set once and kept."""
    state = dossier_clock_state(dossier)
    cal = calendar_for(dossier.lead_unit)
    dossier.due_at = due_now(state, cal)
    if dossier.due_at_original is None:
        dossier.due_at_original = dossier.due_at
    dossier.paused_at = state.paused_at
    dossier.waiting_seconds = waiting_seconds(state, cal, until=at)
    dossier.save(update_fields=["due_at", "due_at_original", "paused_at", "waiting_seconds", "updated_at"])
    return state


def timeliness_of(finished_at, due_at) -> str:
    """Early: on a day before the appointment's; on time: by the appointment; else late."""
    if due_at is None or finished_at > due_at:
        return Timeliness.LATE
    if finished_at.astimezone(LOCAL_TZ).date() < due_at.astimezone(LOCAL_TZ).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def dossier_timeliness(*, dossier: Dossier, state: ClockState, finished_at) -> str:
    """Judged against the original appointment shifted only by time waiting for the citizen
    (Decision 766: the apology's new date does not make a late dossier on time)."""
    return timeliness_of(finished_at, due_by_law(state, calendar_for(dossier.lead_unit)))
