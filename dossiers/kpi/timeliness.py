"""Decision 766/QĐ-TTg §2.1: is one dossier on time as the national portal judges it? (pure)

Two classifications are kept side by side (docs/rules-766.md):

- **legal** (`Dossier.timeliness`, `dossiers.clock.ClockReading.timeliness`): the finish against
  the appointment moved by the *working* time spent waiting for the citizen (Decree 118/2025,
  before it Decree 61/2018 as amended by 107/2021: the citizen's time to supplement is not
  counted in the processing time, which runs in working days);
- **766** (here, `Dossier.timeliness_766`): the end minus the *clock* time spent waiting is at
  or before the appointment given at reception, and there was at most one supplement request
  ("Mô tả công thức tính chỉ số 766", §2.1). The KPIs use this one; the dossier page shows both.

Everything is whole epoch seconds, exactly as the SQL of the facts and of the open snapshot
computes it (`dossiers.kpi.sql`, `dossiers.kpi.snapshots`), so the two never disagree.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from ..models.dossier import Timeliness

MAX_SUPPLEMENTS = 1  # 766 §2.1: a second supplement request makes the dossier late
UTC_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh, no daylight saving
DAY = 86400


def epoch(moment: datetime) -> int:
    """Whole seconds since the epoch (floor), as SQL's `floor(date_part('epoch', …))`."""
    return math.floor(moment.timestamp())


def local_day(seconds: int) -> int:
    """The local (UTC+7) day number of an epoch second."""
    return (seconds + UTC_OFFSET) // DAY


def classify(*, appointment: datetime | None, end: datetime, waited_seconds: int, supplements: int) -> str:
    """766 §2.1 for one dossier ending (or judged) at `end`: early, on time or late.

    On time: `end` − `waited_seconds` (clock time waiting for the citizen) ≤ `appointment`,
    with at most one supplement request; early: on a day before the appointment's day.
    No appointment (never received) cannot be on time.
    """
    if appointment is None or supplements > MAX_SUPPLEMENTS:
        return Timeliness.LATE
    counted, due = epoch(end) - waited_seconds, epoch(appointment)
    if counted > due:
        return Timeliness.LATE
    return Timeliness.EARLY if local_day(counted) < local_day(due) else Timeliness.ON_TIME


# Clock-ledger kinds (`ClockEntry.Kind`): a wait opens with a pause and closes with a resume, a
# reset (the clock restarting on a supplement) or the stop.
OPENS, CLOSES = "pause", frozenset({"resume", "reset", "stop"})


def ledger_wait_seconds(entries, *, until: datetime | None = None) -> int:
    """Clock seconds waited for the citizen in a dossier's clock ledger (entries in order): the
    closed waits, plus the open one up to `until` if given. Entries after `until` are ignored."""
    total, opened = 0, None
    for entry in entries:
        if until is not None and entry.at > until:
            break
        if entry.kind == OPENS and opened is None:
            opened = entry.at
        elif entry.kind in CLOSES and opened is not None:
            total, opened = total + epoch(entry.at) - epoch(opened), None
    if opened is not None and until is not None:
        total += epoch(until) - epoch(opened)
    return total


def waited_seconds_at(dossier, end: datetime) -> int:
    """Clock seconds waited for the citizen up to `end`: the closed waits and the open one.

    Exact for `end` after the dossier's last change (its stored fields then say everything);
    the open snapshot reads the clock ledger for earlier moments (`snapshots.open_at`)."""
    waited = dossier.waiting_clock_seconds
    if dossier.paused_at is not None and dossier.paused_at < end:
        waited += epoch(end) - epoch(dossier.paused_at)
    return waited


@dataclass(frozen=True)
class Judgement:
    """A dossier judged under 766 at `end` (its finish, or a moment while it is open)."""

    timeliness: str
    end: datetime
    waited_seconds: int
    appointment: datetime | None
    supplements: int
    is_finished: bool

    @property
    def is_late(self) -> bool:
        return self.timeliness == Timeliness.LATE

    @property
    def too_many_supplements(self) -> bool:
        return self.supplements > MAX_SUPPLEMENTS

    @property
    def label(self):
        return Timeliness(self.timeliness).label

    @property
    def waited_hours(self):
        """The clock time waited, in hours to one decimal (what the dossier page shows)."""
        return round(self.waited_seconds / 3600, 1)


def judge(dossier, *, at: datetime) -> Judgement | None:
    """766 §2.1 for a dossier: at its finish, or at `at` while it is open (None: never received).

    What the dossier page shows next to the legal timeliness, and what `clock_sync` stores
    in `timeliness_766` when the clock stops."""
    if dossier.received_at is None:
        return None
    end = dossier.finished_at or at
    waited = waited_seconds_at(dossier, end)
    appointment, supplements = dossier.due_at_original, dossier.supplement_count
    value = classify(appointment=appointment, end=end, waited_seconds=waited, supplements=supplements)
    return Judgement(value, end, waited, appointment, supplements, dossier.finished_at is not None)
