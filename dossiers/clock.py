"""The dossier's clock: its ledger replayed once, and what that answers. Pure: ledger entries
and working calendars in, times out; no database access (`services.clock_sync` reads the ledger
and the calendar, and stores the answers on the dossier).

The ledger's entries: start (data: amount, time_unit, same_day — a snapshot of the procedure, so
later catalogue edits do not move old appointments); pause / resume: waiting for the citizen;
reset: start again from zero (procedures flagged `supplement_resets_clock`); extend: a new
appointment given with an apology (data: due_at); stop: the clock is over.

`clock_read` answers, as of one moment: the due time by law and the current one (an apology's
new date), the watch thresholds (due soon, two and three times the legal time), the working time
waited for the citizen; `ClockReading.timeliness` judges a finish. Steps have their own budgets
(`step_due`, `step_due_shifted`). The working-time arithmetic itself is `dossiers.calendar`.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.utils.dateparse import parse_datetime

from .calendar import LOCAL_TZ, WORKING_DAYS, WORKING_HOURS, Pause, WorkCalendar, compute_due, working_seconds_between
from .models.dossier import ClockEntry, Timeliness

K = ClockEntry.Kind


@dataclass
class ClockState:
    start: datetime | None = None
    amount: Decimal = Decimal(0)
    time_unit: str = WORKING_DAYS
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
    """Fold the ledger (entries in order) into the clock's state."""
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


def due_now(state: ClockState, cal: WorkCalendar, *, by_law: datetime | None = None) -> datetime | None:
    """The current appointment: the extension if any, shifted by the pauses begun after it
    was given and before it passed (a pause begun after the appointment moves nothing).
    `by_law`: `due_by_law(state, cal)` when the caller has it already."""
    given = state.extended_at  # set with extended_to by the same ledger entry
    if state.extended_to is None or given is None:
        return by_law if by_law is not None else due_by_law(state, cal)
    due = state.extended_to
    for pause in state.pauses:
        if pause.start < given:
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


def timeliness_of(finished_at: datetime, due_at: datetime | None) -> str:
    """Early: on a day before the appointment's; on time: by the appointment; else late."""
    if due_at is None or finished_at > due_at:
        return Timeliness.LATE
    if finished_at.astimezone(LOCAL_TZ).date() < due_at.astimezone(LOCAL_TZ).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


@dataclass(frozen=True)
class LegalTime:
    """The procedure's legal processing time, which the overdue thresholds multiply."""

    amount: Decimal
    time_unit: str


@dataclass(frozen=True)
class ClockReading:
    """What one replay of the ledger answers, as of `at`."""

    state: ClockState
    due_by_law: datetime | None
    due_at: datetime | None
    waiting_seconds: int
    soon_at: datetime | None = None
    late2_at: datetime | None = None
    late3_at: datetime | None = None

    @property
    def paused_at(self) -> datetime | None:
        return self.state.paused_at

    def timeliness(self, finished_at: datetime) -> str:
        """Judged against the appointment by law, shifted only by time waiting for the citizen
        (Decision 766: the apology's new date does not make a late dossier on time)."""
        return timeliness_of(finished_at, self.due_by_law)


def clock_read(entries, *, cal: WorkCalendar, legal: LegalTime, at: datetime, soon_days: int) -> ClockReading:
    """Replay `entries` (in order) once and answer everything the dossier stores of its clock as of
    `at`, in the lead unit's calendar `cal`; `soon_days`: working days before the appointment that
    count as due soon."""
    state = clock_replay(entries)
    by_law = due_by_law(state, cal)
    due = due_now(state, cal, by_law=by_law)
    reading = ClockReading(
        state=state, due_by_law=by_law, due_at=due, waiting_seconds=waiting_seconds(state, cal, until=at)
    )
    if due is None or state.start is None:  # no start, no appointment (an extension follows a start)
        return reading
    soon = cal.position(due) - soon_days * cal.day_seconds
    return replace(
        reading,
        soon_at=cal.instant(max(soon, cal.position(state.start) + 1)),
        late2_at=_multiple_of_legal_time(state, cal, legal, 2),
        late3_at=_multiple_of_legal_time(state, cal, legal, 3),
    )


def _multiple_of_legal_time(state: ClockState, cal: WorkCalendar, legal: LegalTime, factor: int) -> datetime | None:
    if state.start is None:
        return None
    amount, unit = legal.amount * factor, legal.time_unit
    if state.same_day or amount == 0:
        amount, unit = Decimal(factor), WORKING_DAYS
    return compute_due(cal, state.start, amount, unit, pauses=state.pauses)


def step_due(cal: WorkCalendar, *, started_at: datetime, budget_hours: Decimal) -> datetime | None:
    """When a routing step started at `started_at` with `budget_hours` working hours is due."""
    return compute_due(cal, started_at, budget_hours, WORKING_HOURS)


def step_due_shifted(cal: WorkCalendar, *, due: datetime, started_at: datetime, paused_from: datetime, resumed_at):
    """A step's due time moved by the working time waited for the citizen while it was open."""
    waited = cal.position(resumed_at) - cal.position(max(paused_from, started_at))
    return cal.instant(cal.position(due) + waited) if waited > 0 else due
