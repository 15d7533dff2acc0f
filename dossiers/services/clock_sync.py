"""Keeping the dossier's stored clock fields in step with its ledger: the ledger and the calendar
are read here, `dossiers.clock` answers from them, the answers are stored on the dossier."""

from django.conf import settings

from ..calendar_store import calendar_for
from ..clock import ClockReading, ClockState, LegalTime, clock_read, clock_replay
from ..kpi.timeliness import judge, ledger_wait_seconds
from ..models import Dossier
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


def dossier_clock_read(*, dossier: Dossier, entries, at, cal=None) -> ClockReading:
    """The clock ledger `entries` read as of `at`, in the lead unit's calendar (`cal` when the
    caller has it already)."""
    procedure = dossier.procedure
    return clock_read(
        entries,
        cal=cal or calendar_for(dossier.lead_unit),
        legal=LegalTime(procedure.legal_processing_time, procedure.time_unit),
        at=at,
        soon_days=settings.PORTAL_DUE_SOON_WORKING_DAYS,
    )


def dossier_clock_sync(*, dossier: Dossier, at) -> ClockReading:
    """Recompute `due_at` and the watch thresholds from the ledger; `due_at_original` is kept."""
    entries = list(dossier.clock.order_by("at", "id"))
    reading = dossier_clock_read(dossier=dossier, entries=entries, at=at)
    clock_apply(dossier=dossier, reading=reading, at=at)
    clock_766(dossier=dossier, entries=entries)
    dossier.save(update_fields=SYNCED)
    return reading


def clock_apply(*, dossier: Dossier, reading: ClockReading, at) -> None:
    """Set the clock's SYNCED fields from `reading`, without saving."""
    dossier.due_at = reading.due_at
    if dossier.due_at_original is None:
        dossier.due_at_original = dossier.due_at
    dossier.paused_at = reading.paused_at
    dossier.waiting_seconds = reading.waiting_seconds
    dossier.soon_at, dossier.late2_at, dossier.late3_at = reading.soon_at, reading.late2_at, reading.late3_at
    # A new appointment (extension, calendar change) can lower the level; only the watch job raises it.
    dossier.watch_level = min(dossier.watch_level, level_at(dossier, at))
