"""KPI rules of Decision 766/QĐ-TTg (2022): pure functions from figures to rates and scores.

Rates are percentages rounded to two decimals, or None when their denominator is zero
(or, for online payment, when the data does not exist). See docs/adr/0002-kpi-facts.md
for the denominators chosen and the point formulas.
"""

from dataclasses import dataclass, fields

from ..calendar import HOURS_PER_WORKING_DAY

# Bases of the on-time rate (ours; configurable with settings.PORTAL_KPI_ON_TIME_BASIS):
# "processed" — 766 as the National Public Service Portal computes it: dossiers finished in
#   the period plus those still open and overdue at its end ("đã giải quyết" + "đang giải
#   quyết quá hạn");
# "finished" — dossiers finished in the period only;
# "received" — dossiers received in the period.
BASES = ("processed", "finished", "received")
DEFAULT_BASIS = "processed"
SATISFIED_AT = 90.0  # group 5 gets full marks from 90 % (shared/docs/domain.md)
DAY_SECONDS = HOURS_PER_WORKING_DAY * 3600  # a working day, as KpiDay positions count it
# Points of each group in Decision 766 (total 100); group 1 (publicity) is not measured here.
GROUP_POINTS = {1: 18, 2: 20, 3: 12, 4: 10, 5: 18, 6: 22}


@dataclass
class Figures:
    """Summed facts of one group and period, the open snapshot at its end, and feedback."""

    received: int = 0
    received_online: int = 0
    received_with_fee: int = 0
    digitised: int = 0
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    processing_seconds: int = 0
    saved_seconds: int = 0
    electronic_results: int = 0
    apologies: int = 0
    late_without_apology: int = 0
    open: int = 0
    open_overdue: int = 0
    waiting: int = 0
    complained: int = 0  # dossiers with a petition or a "not satisfied" rating
    paid_online: int | None = None  # no online payment data is recorded yet

    def __add__(self, other: "Figures") -> "Figures":
        out = Figures()
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            setattr(out, f.name, None if a is None and b is None else (a or 0) + (b or 0))
        return out


def percent(part: float, whole: float) -> float | None:
    return None if not whole else round(100.0 * part / whole, 2)


def on_time_denominator(f: Figures, *, basis: str = DEFAULT_BASIS) -> int:
    if basis == "finished":
        return f.finished
    if basis == "received":
        return f.received
    return f.finished + f.open_overdue


def on_time_rate(f: Figures, *, basis: str = DEFAULT_BASIS) -> float | None:
    """Early or on time, at most one supplement (766 group 2), over the chosen basis."""
    return percent(f.early + f.on_time, on_time_denominator(f, basis=basis))


def late_rate(f: Figures, *, basis: str = DEFAULT_BASIS) -> float | None:
    """Finished late plus open past the appointment at the period's end."""
    return percent(f.late + f.open_overdue, on_time_denominator(f, basis=basis))


def online_rate(f: Figures) -> float | None:
    """Share of dossiers received online (766 group 3)."""
    return percent(f.received_online, f.received)


def procedures_online_rate(*, offered: int, total: int) -> float | None:
    """Share of procedures offered online, full or partial (766 group 3)."""
    return percent(offered, total)


def online_payment_rate(f: Figures) -> float | None:
    """Paid online ÷ dossiers with fees (766 group 4); None while no payment data exists."""
    return None if f.paid_online is None else percent(f.paid_online, f.received_with_fee)


def complaint_rate(f: Figures) -> float | None:
    return percent(f.complained, f.finished)


def satisfaction_rate(f: Figures, *, basis: str = DEFAULT_BASIS) -> float | None:
    """100 % − (late rate + rate of dossiers with a petition or a "not satisfied" rating)."""
    late = late_rate(f, basis=basis)
    if late is None:
        return None
    return round(max(0.0, 100.0 - late - (complaint_rate(f) or 0.0)), 2)


def digitisation_rate(f: Figures) -> float | None:
    """Dossiers received with at least one digitised document (766 group 6)."""
    return percent(f.digitised, f.received)


def electronic_result_rate(f: Figures) -> float | None:
    return percent(f.electronic_results, f.finished)


def average_processing_days(f: Figures) -> float | None:
    """Working days from receipt to result, time waiting for the citizen excluded."""
    return None if not f.finished else round(f.processing_seconds / f.finished / DAY_SECONDS, 2)


def saved_days(f: Figures) -> float:
    """Working days saved by the province's shortened times over the dossiers finished."""
    return round(f.saved_seconds / DAY_SECONDS, 2)


def _points(maximum: int, rate: float | None, full_at: float = 100.0) -> float | None:
    return None if rate is None else round(maximum * min(1.0, rate / full_at), 2)


def _sum_or_none(*values: float | None) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known), 2) if known else None


def _group(number: int, parts: dict[str, float | None], *, full_at: float = 100.0) -> dict:
    """Group `number` of `GROUP_POINTS`, its parts of equal weight."""
    maximum = GROUP_POINTS[number]
    score = _sum_or_none(*(_points(maximum / len(parts), rate, full_at) for rate in parts.values()))
    return {"max": maximum, "score": score, "parts": parts}


def group_scores(f: Figures, *, procedures_online: float | None, basis: str = DEFAULT_BASIS) -> dict[int, dict]:
    """Points per 766 group, linear in each rate (ours): a group worth P points with parts
    of equal weight scores P/n × rate of each part; group 5 has full marks from 90 %."""
    on_time, online = on_time_rate(f, basis=basis), online_rate(f)
    payment, satisfaction = online_payment_rate(f), satisfaction_rate(f, basis=basis)
    digitised, electronic = digitisation_rate(f), electronic_result_rate(f)
    return {
        2: _group(2, {"on_time_rate": on_time}),
        3: _group(3, {"procedures_online_rate": procedures_online, "online_rate": online}),
        4: _group(4, {"online_payment_rate": payment}),
        5: _group(5, {"satisfaction_rate": satisfaction}, full_at=SATISFIED_AT),
        6: _group(6, {"digitisation_rate": digitised, "electronic_result_rate": electronic}),
    }
