"""KPI rules of Decision 766/QĐ-TTg (2022): pure functions from figures to rates and scores.

Rates are percentages rounded to two decimals, or None when there is nothing to rate or the
data does not exist (online payment without a gateway, national sync turned off, reuse of
digitised data). Each 766 indicator is a row of
`INDICATORS` — its number, name, one-line explanation, points and the rate that earns full
marks — and a group's score is the sum of its indicators' points, or "no data" (None) naming
the indicators without data. docs/rules-766.md gives each rule with its source.
"""

from collections.abc import Callable
from dataclasses import dataclass, fields

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..calendar import HOURS_PER_WORKING_DAY

# Bases of the on-time rate (ours; configurable with settings.PORTAL_KPI_ON_TIME_BASIS):
# "processed" — 766 §2.1 as the National Public Service Portal computes it: dossiers processed
#   or being processed on time ÷ every dossier received or processed in the period, i.e. those
#   finished in it plus those still open at its end, each open one judged at the period's end;
# "finished" — dossiers finished in the period only;
# "received" — dossiers received in the period.
BASES = ("processed", "finished", "received")
DEFAULT_BASIS = "processed"
DAY_SECONDS = HOURS_PER_WORKING_DAY * 3600  # a working day, as KpiDay positions count it


@dataclass
class Figures:
    """Summed facts of one group and period, the open snapshot at its end, and feedback."""

    received: int = 0
    received_online: int = 0
    received_with_fee: int = 0  # dossiers whose recorded fee (after exemption) is > 0
    digitised: int = 0
    received_full: int = 0  # of procedures offered online in full (toàn trình)
    received_full_online: int = 0
    received_partial: int = 0  # of procedures offered online in part (một phần)
    received_partial_online: int = 0
    finished: int = 0
    early: int = 0  # early, on time, late: 766 §2.1 (dossiers.kpi.timeliness)
    on_time: int = 0
    late: int = 0
    processing_seconds: int = 0
    saved_seconds: int = 0
    electronic_results: int = 0
    finished_paper: int = 0  # of procedures with a paper result
    finished_paper_eresult: int = 0
    finished_digitised: int = 0  # with a scan of what was handed in and an electronic result
    apologies: int = 0
    late_without_apology: int = 0
    open: int = 0  # open at the period's end
    open_overdue: int = 0  # …and late under 766 §2.1 at that moment
    waiting: int = 0
    complained: int = 0  # dossiers with a petition or a "not satisfied" rating, not already late
    petitions: int = 0  # petitions handled in the period or open at its end (766 §5.2)
    petitions_on_time: int = 0
    petitions_answered: int = 0  # answered in the period (766 §5.3)
    petitions_satisfied: int = 0  # …neither handled late nor rated "not satisfied" (766 §5.3)
    paid_online: int | None = None  # None: no payment gateway, so no online payment data
    # 766 §1.4, from integrations' outbox (portal.kpis); None: national sync is off.
    sync_changes: int | None = None  # creations and status changes of the dossiers in the period
    sync_acknowledged: int | None = None  # …of which the national portal has acknowledged

    def __add__(self, other: "Figures") -> "Figures":
        out = Figures()
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            setattr(out, f.name, None if a is None and b is None else (a or 0) + (b or 0))
        return out

    @property
    def open_on_time(self) -> int:
        return self.open - self.open_overdue


def percent(part: float, whole: float) -> float | None:
    return None if not whole else round(100.0 * part / whole, 2)


def on_time_denominator(f: Figures, *, basis: str = DEFAULT_BASIS) -> int:
    if basis == "finished":
        return f.finished
    if basis == "received":
        return f.received
    return f.finished + f.open


def on_time_count(f: Figures, *, basis: str = DEFAULT_BASIS) -> int:
    """Processed on time, and (basis "processed") being processed on time at the period's end."""
    return f.early + f.on_time + (f.open_on_time if basis == "processed" else 0)


def on_time_rate(f: Figures, *, basis: str = DEFAULT_BASIS) -> float | None:
    """766 §2.1: on time (end − clock time waiting ≤ appointment, ≤ 1 supplement) over the basis."""
    return percent(on_time_count(f, basis=basis), on_time_denominator(f, basis=basis))


def late_count(f: Figures, *, basis: str = DEFAULT_BASIS) -> int:
    return f.late + (f.open_overdue if basis == "processed" else 0)


def late_rate(f: Figures, *, basis: str = DEFAULT_BASIS) -> float | None:
    """Finished late plus (basis "processed") open and late at the period's end."""
    return percent(late_count(f, basis=basis), on_time_denominator(f, basis=basis))


def online_rate(f: Figures) -> float | None:
    """Share of dossiers received online (766 group 3)."""
    return percent(f.received_online, f.received)


def procedures_online_rate(*, offered: int, total: int) -> float | None:
    """Share of procedures offered online, full or partial (766 group 3)."""
    return percent(offered, total)


def online_full_rate(f: Figures) -> float | None:
    """766 §3.2: dossiers of full-process online procedures that were submitted online."""
    return percent(f.received_full_online, f.received_full)


def online_partial_rate(f: Figures) -> float | None:
    """766 §3.3: dossiers of partly-online procedures that were submitted online."""
    return percent(f.received_partial_online, f.received_partial)


def online_payment_rate(f: Figures) -> float | None:
    """766 §4.2: paid online ÷ dossiers with a fee > 0; None while no payment data exists."""
    return None if f.paid_online is None else percent(f.paid_online, f.received_with_fee)


def procedures_payment_rate(*, paid: int, with_fee: int) -> float | None:
    """766 §4.1: procedures with a dossier paid online ÷ procedures with a dossier to pay, both
    over the dossiers of §4.2 (payments.kpi.procedures_paid_online)."""
    return percent(paid, with_fee)


def sync_rate(f: Figures) -> float | None:
    """766 §1.4: dossier changes the national portal acknowledged ÷ dossier changes; None while
    sync is off (no changes are recorded) or when nothing changed."""
    return None if f.sync_changes is None else percent(f.sync_acknowledged or 0, f.sync_changes)


def complaint_rate(f: Figures) -> float | None:
    return percent(f.complained, f.finished)


def satisfaction_rate(f: Figures, *, basis: str = DEFAULT_BASIS) -> float | None:
    """766 §5.4: (dossiers − those late, or with a "not satisfied" rating or a petition about
    them) ÷ dossiers, each dossier subtracted once (the feedback source leaves out late ones)."""
    whole = on_time_denominator(f, basis=basis)
    if not whole:
        return None
    return round(max(0.0, 100.0 * (whole - late_count(f, basis=basis) - f.complained) / whole), 2)


def petition_on_time_rate(f: Figures) -> float | None:
    """766 §5.2: petitions handled on or before their deadline (or still within it)."""
    return percent(f.petitions_on_time, f.petitions)


def petition_satisfaction_rate(f: Figures) -> float | None:
    """766 §5.3: (petitions − those rated "not satisfied" or handled late) ÷ petitions, over the
    petitions within the unit's competence judged in the period (§5.2's)."""
    return percent(f.petitions_satisfied, f.petitions)


def digitisation_rate(f: Figures) -> float | None:
    """Dossiers received with at least one digitised document."""
    return percent(f.digitised, f.received)


def electronic_result_rate(f: Figures) -> float | None:
    """Finished dossiers with an electronic result, whatever the procedure's result form."""
    return percent(f.electronic_results, f.finished)


def paper_eresult_rate(f: Figures) -> float | None:
    """766 §6.1: finished dossiers of procedures with a paper result also given an e-result."""
    return percent(f.finished_paper_eresult, f.finished_paper)


def digitised_both_rate(f: Figures) -> float | None:
    """766 §6.2: finished dossiers with a scan of what was handed in and an electronic result."""
    return percent(f.finished_digitised, f.finished)


def average_processing_days(f: Figures) -> float | None:
    """Working days from receipt to result, time waiting for the citizen excluded."""
    return None if not f.finished else round(f.processing_seconds / f.finished / DAY_SECONDS, 2)


def saved_days(f: Figures) -> float:
    """Working days saved by the province's shortened times over the dossiers finished."""
    return round(f.saved_seconds / DAY_SECONDS, 2)


# -- 766 groups and indicators ----------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What an indicator may read besides the figures."""

    basis: str = DEFAULT_BASIS
    procedures_online: float | None = None  # 766 §3.1, from the catalogue (portal.kpis)
    procedures_paid_online: float | None = None  # 766 §4.1, from the payments app (portal.kpis)


def no_data(f: Figures, c: Context) -> None:
    return None


@dataclass(frozen=True)
class Indicator:
    code: str  # its number in Decision 766's description of the formulas
    group: int
    name: str | Promise  # gettext_lazy
    explain: str | Promise  # one line for the dashboard
    points: float
    full_at: float  # the rate (%) from which it earns all its points
    rate: Callable[[Figures, Context], float | None]


GROUPS = {
    1: (_("Công khai, minh bạch"), 18),
    2: (_("Tiến độ, kết quả giải quyết"), 20),
    3: (_("Cung cấp dịch vụ trực tuyến"), 12),
    4: (_("Thanh toán trực tuyến"), 10),
    5: (_("Mức độ hài lòng"), 18),
    6: (_("Số hóa hồ sơ"), 22),
}
GROUP_POINTS = {number: points for number, (_name, points) in GROUPS.items()}
SATISFIED_AT = 90.0  # 766 §5.4 has full marks from 90 % (shared/docs/domain.md)
I = Indicator  # noqa: E741 (the table below reads as a table)
INDICATORS = (
    I("1.1", 1, _("Tỷ lệ thủ tục được công bố đúng hạn"),
      _("Do Cổng Dịch vụ công quốc gia chấm từ Cơ sở dữ liệu thủ tục hành chính; hệ thống không có số liệu."),
      18 / 4, 100, no_data),
    I("1.2", 1, _("Tỷ lệ thủ tục được cập nhật, công khai đúng hạn"),
      _("Do Cổng Dịch vụ công quốc gia chấm từ Cơ sở dữ liệu thủ tục hành chính; hệ thống không có số liệu."),
      18 / 4, 100, no_data),
    I("1.3", 1, _("Tỷ lệ thủ tục được công bố đầy đủ các bộ phận"),
      _("Do Cổng Dịch vụ công quốc gia chấm từ Cơ sở dữ liệu thủ tục hành chính; hệ thống không có số liệu."),
      18 / 4, 100, no_data),
    I("1.4", 1, _("Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia"),
      _("Lượt tạo mới, thay đổi trạng thái hồ sơ trong kỳ được Cổng Dịch vụ công quốc gia xác nhận đã nhận, trên "
        "tổng số lượt đó; không có số liệu khi chưa bật đồng bộ."),
      18 / 4, 100, lambda f, c: sync_rate(f)),
    I("2.1", 2, _("Tỷ lệ hồ sơ giải quyết đúng hạn"),
      _("Hồ sơ đã và đang giải quyết đúng hạn (trừ thời gian chờ công dân, tối đa 1 lần bổ sung) trên tổng hồ sơ "
        "đã giải quyết và đang giải quyết cuối kỳ."),
      20, 100, lambda f, c: on_time_rate(f, basis=c.basis)),
    I("3.1", 3, _("Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến"),
      _("Thủ tục cung cấp trực tuyến toàn trình hoặc một phần trên tổng thủ tục đang áp dụng; đủ điểm từ 80 %."),
      4, 80, lambda f, c: c.procedures_online),
    I("3.2", 3, _("Tỷ lệ hồ sơ trực tuyến của thủ tục toàn trình"),
      _("Hồ sơ nộp trực tuyến trên tổng hồ sơ của các thủ tục trực tuyến toàn trình; đủ điểm từ 50 %."),
      4, 50, lambda f, c: online_full_rate(f)),
    I("3.3", 3, _("Tỷ lệ hồ sơ trực tuyến của thủ tục một phần"),
      _("Hồ sơ nộp trực tuyến trên tổng hồ sơ của các thủ tục trực tuyến một phần; đủ điểm từ 50 %."),
      4, 50, lambda f, c: online_partial_rate(f)),
    I("4.1", 4, _("Tỷ lệ thủ tục có giao dịch thanh toán trực tuyến"),
      _("Thủ tục có hồ sơ thanh toán trực tuyến trên thủ tục có hồ sơ phải nộp phí, lệ phí (sau miễn, giảm) "
        "tiếp nhận trong kỳ; không có số liệu khi chưa cấu hình cổng thanh toán."),
      5, 100, lambda f, c: c.procedures_paid_online),
    I("4.2", 4, _("Tỷ lệ hồ sơ thanh toán trực tuyến"),
      _("Hồ sơ tiếp nhận trong kỳ đã thanh toán trực tuyến trên hồ sơ có phí, lệ phí (sau miễn, giảm) lớn hơn 0; "
        "không có số liệu khi chưa cấu hình cổng thanh toán."),
      5, 100, lambda f, c: online_payment_rate(f)),
    I("5.2", 5, _("Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn"),
      _("Phản ánh, kiến nghị đã và đang xử lý trong hạn 15 ngày làm việc trên tổng phản ánh thuộc thẩm quyền."),
      6, 100, lambda f, c: petition_on_time_rate(f)),
    I("5.3", 5, _("Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị"),
      _("Phản ánh thuộc thẩm quyền, trừ phản ánh xử lý quá hạn hoặc người gửi đánh giá không hài lòng với trả lời."),
      6, 100, lambda f, c: petition_satisfaction_rate(f)),
    I("5.4", 5, _("Tỷ lệ hài lòng trong tiếp nhận, giải quyết hồ sơ"),
      _("Hồ sơ trừ hồ sơ trễ hạn, bị đánh giá không hài lòng hoặc bị phản ánh, trên tổng hồ sơ; đủ điểm từ 90 %."),
      6, SATISFIED_AT, lambda f, c: satisfaction_rate(f, basis=c.basis)),
    I("6.1", 6, _("Tỷ lệ cấp kết quả điện tử"),
      _("Hồ sơ đã giải quyết của thủ tục có kết quả bản giấy được cấp thêm kết quả điện tử."),
      22 / 3, 100, lambda f, c: paper_eresult_rate(f)),
    I("6.2", 6, _("Tỷ lệ số hóa hồ sơ, kết quả"),
      _("Hồ sơ đã giải quyết có cả bản số hóa giấy tờ đã nộp và kết quả điện tử."),
      22 / 3, 100, lambda f, c: digitised_both_rate(f)),
    I("6.3", 6, _("Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa"),
      _("Hồ sơ dùng lại giấy tờ, kết quả đã số hóa thay cho bản giấy; hệ thống chưa ghi nhận."),
      22 / 3, 100, no_data),
)  # fmt: skip


def _points(maximum: float, rate: float | None, full_at: float = 100.0) -> float | None:
    return None if rate is None else round(maximum * min(1.0, rate / full_at), 2)


def indicator_values(f: Figures, c: Context) -> list[dict]:
    """Every 766 indicator with its rate and points (None: no data)."""
    out = []
    for i in INDICATORS:
        rate = i.rate(f, c)
        points = round(i.points, 2)
        out.append({"code": i.code, "group": i.group, "name": i.name, "explain": i.explain, "rate": rate,
                    "full_at": i.full_at, "max": points, "points": _points(points, rate, i.full_at)})  # fmt: skip
    return out


def group_scores(
    f: Figures,
    *,
    procedures_online: float | None,
    basis: str = DEFAULT_BASIS,
    procedures_paid_online: float | None = None,
) -> dict[int, dict]:
    """Points per 766 group: the sum of its indicators' points, each linear in its rate up to
    its full-marks rate; None ("no data") when an indicator has no data, which `missing` names
    (the points of the others are in `known`, never passed off as the group's score)."""
    context = Context(basis=basis, procedures_online=procedures_online, procedures_paid_online=procedures_paid_online)
    values = indicator_values(f, context)
    out = {}
    for number, (name, maximum) in GROUPS.items():
        mine = [v for v in values if v["group"] == number]
        missing = [v["code"] for v in mine if v["rate"] is None]
        known = round(sum(v["points"] for v in mine if v["points"] is not None), 2)
        out[number] = {
            "name": name,
            "max": maximum,
            "score": None if missing else known,
            "known": known,
            "missing": missing,
            "indicators": mine,
            "parts": {v["code"]: v["rate"] for v in mine},
        }
    return out


def total_score(scores: dict[int, dict]) -> float | None:
    """The 766 total over 100, or None while a group has no data."""
    if any(g["score"] is None for g in scores.values()):
        return None
    return round(sum(g["score"] for g in scores.values()), 2)
