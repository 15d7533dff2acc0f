"""The dossier clock as a ledger of entries; the due time is derived from it.

start: the clock starts (data: amount, time_unit, same_day — a snapshot of the
procedure, so later catalogue edits do not move old appointments);
pause / resume: waiting for the citizen; reset: start again from zero
(procedures flagged `supplement_resets_clock`); extend: a new appointment given
with an apology (data: due_at); stop: the clock is over.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.dateparse import parse_datetime

from ..calendar import Pause, WorkCalendar, compute_due, working_seconds_between
from ..models import ClockEntry

K = ClockEntry.Kind


@dataclass
class ClockState:
    start: datetime | None = None
    amount: Decimal = Decimal(0)
    time_unit: str = "working_days"
    same_day: bool = False
    pauses: list[Pause] = field(default_factory=list)
    extended_to: datetime | None = None
    extended_at: datetime | None = None
    stopped_at: datetime | None = None

    @property
    def paused_at(self) -> datetime | None:
        if self.pauses and self.pauses[-1].end is None:
            return self.pauses[-1].start
        return None


def clock_replay(entries) -> ClockState:
    """Fold the ledger into the clock's state."""
    state = ClockState()
    for entry in entries:
        _apply(state, entry)
    return state


def _apply(state: ClockState, entry) -> None:
    kind, at, data = entry.kind, entry.at, entry.data
    if kind in (K.START, K.RESET):
        state.start, state.pauses, state.extended_to = at, [], None
        state.amount = Decimal(str(data.get("amount", state.amount)))
        state.time_unit = data.get("time_unit", state.time_unit)
        state.same_day = bool(data.get("same_day", state.same_day))
    elif kind == K.PAUSE and state.paused_at is None:
        state.pauses.append(Pause(at))
    elif kind == K.RESUME and state.paused_at is not None:
        state.pauses[-1] = Pause(state.pauses[-1].start, at)
    elif kind == K.EXTEND:
        state.extended_to, state.extended_at = parse_datetime(data["due_at"]), at
    elif kind == K.STOP:
        state.stopped_at = at
        if state.paused_at is not None:  # stopped while waiting: the wait ends with the dossier
            state.pauses[-1] = Pause(state.pauses[-1].start, at)


def due_by_law(state: ClockState, cal: WorkCalendar) -> datetime | None:
    """The appointment shifted by the time waited for the citizen, ignoring extensions."""
    if state.start is None:
        return None
    return compute_due(cal, state.start, state.amount, state.time_unit, pauses=state.pauses, same_day=state.same_day)


def due_now(state: ClockState, cal: WorkCalendar) -> datetime | None:
    """The current appointment: the extension if any, shifted by the pauses begun after it
    was given and before it passed (a pause begun after the appointment moves nothing)."""
    if state.extended_to is None:
        return due_by_law(state, cal)
    due = state.extended_to
    for pause in state.pauses:
        if pause.start < state.extended_at:
            continue
        if pause.start >= due:
            break
        if pause.end is None:
            return None
        waited = working_seconds_between(cal, pause.start, pause.end)
        due = cal.instant(cal.position(due) + waited) if waited > 0 else due
    return due


def waiting_seconds(state: ClockState, cal: WorkCalendar, *, until: datetime) -> int:
    """Working seconds spent waiting for the citizen up to `until`."""
    return sum(working_seconds_between(cal, p.start, min(p.end or until, until)) for p in state.pauses)
