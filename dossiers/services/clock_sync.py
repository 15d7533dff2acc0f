"""Keeping the dossier's stored due time in step with its clock ledger."""

from decimal import Decimal

from django.conf import settings

from ..calendar import LOCAL_TZ, compute_due
from ..kpi.timeliness import judge, ledger_wait_seconds
from ..models import Dossier, Timeliness
from ..workdays import calendar_for
from .clock import ClockState, clock_replay, due_by_law, due_now, waiting_seconds
from .watch import level_at


def dossier_clock_state(dossier: Dossier) -> ClockState:
    return clock_replay(dossier.clock.order_by("at", "id"))


def clock_766(*, dossier: Dossier, entries) -> None:
    """The clock time waited for the citizen and, once the clock is over, the 766 judgement of
    the dossier (§2.1; dossiers.kpi.timeliness), from its ledger; without saving."""
    dossier.waiting_clock_seconds = ledger_wait_seconds(entries)
    if dossier.finished_at is not None:
        judged = judge(dossier, at=dossier.finished_at)
        dossier.timeliness_766 = judged.timeliness if judged else ""


SYNCED = [
    "status",
    "received_at",
    "due_at",
    "due_at_original",
    "paused_at",
    "waiting_seconds",
    "waiting_clock_seconds",
    "timeliness_766",
    "soon_at",
    "late2_at",
    "late3_at",
    "watch_level",
    "updated_at",
]


def dossier_clock_sync(*, dossier: Dossier, at) -> ClockState:
    """Recompute `due_at` and the watch thresholds from the ledger; `due_at_original` is kept."""
    entries = list(dossier.clock.order_by("at", "id"))
    state = clock_replay(entries)
    clock_derive(dossier=dossier, at=at, state=state, cal=calendar_for(dossier.lead_unit))
    clock_766(dossier=dossier, entries=entries)
    dossier.save(update_fields=SYNCED)
    return state


def clock_derive(*, dossier: Dossier, at, state: ClockState, cal) -> None:
    """Set the SYNCED fields from the clock's state, without saving (`cal`: the lead unit's)."""
    dossier.due_at = due_now(state, cal)
    if dossier.due_at_original is None:
        dossier.due_at_original = dossier.due_at
    dossier.paused_at = state.paused_at
    dossier.waiting_seconds = waiting_seconds(state, cal, until=at)
    _set_thresholds(dossier, state, cal)
    # A new appointment (extension, calendar change) can lower the level; only the watch job raises it.
    dossier.watch_level = min(dossier.watch_level, level_at(dossier, at))


def _set_thresholds(dossier: Dossier, state: ClockState, cal) -> None:
    if dossier.due_at is None:
        dossier.soon_at = dossier.late2_at = dossier.late3_at = None
        return
    soon = cal.position(dossier.due_at) - settings.PORTAL_DUE_SOON_WORKING_DAYS * cal.day_seconds
    dossier.soon_at = cal.instant(max(soon, cal.position(state.start) + 1))
    dossier.late2_at = _multiple_of_legal_time(dossier, state, cal, 2)
    dossier.late3_at = _multiple_of_legal_time(dossier, state, cal, 3)


def _multiple_of_legal_time(dossier: Dossier, state: ClockState, cal, factor: int):
    procedure = dossier.procedure
    amount, unit = procedure.legal_processing_time * factor, procedure.time_unit
    if state.same_day or amount == 0:
        amount, unit = Decimal(factor), "working_days"
    return compute_due(cal, state.start, amount, unit, pauses=state.pauses)


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
