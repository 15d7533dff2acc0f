"""The dossier state machine as data (shared/docs/domain.md, "Dossier statuses").

One row of `ACTIONS` says everything about an action: the statuses it leaves and the one it
reaches, who may take it and in which unit (`where`: "receiving", the one-stop counter that
received the dossier; "current", the unit holding it; "either"), whether a reason is required,
what it does to the clock and to the routing steps, what its form asks for, the words the staff
and the citizen read, the printed forms it makes available and the message the citizen gets.
The transition service (services.routing), the staff pages, the public status page and the
history import all read this table: adding an action is adding a row (docs/architecture.md).

Events that are not transitions (the receipt, an apology, a flag, a payment) have a shorter row
in `EVENTS`: a label for the staff, and the citizen's words if the public timeline shows them.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ClockEntry, Status
from .roles import COUNTER_CLERK, SPECIALIST, UNIT_LEADER

S = Status
CLERK, SPEC, LEAD = COUNTER_CLERK, SPECIALIST, UNIT_LEADER
OFFICERS = frozenset({CLERK, SPEC, LEAD})
RECEIVING, CURRENT, EITHER = "receiving", "current", "either"
WHERE = (RECEIVING, CURRENT, EITHER)

# What an action does to the clock: the ledger entry it records (ClockEntry.Kind), or nothing.
# The clock waits while the citizen has to act (Decision 766: time waiting for the citizen is not counted).
K = ClockEntry.Kind
NONE, START, PAUSE, RESUME, STOP = "", K.START, K.PAUSE, K.RESUME, K.STOP
CLOCK_EFFECTS = (NONE, START, PAUSE, RESUME, STOP)

# What an action does to the routing steps (services.routing).
ROUTE = "route"  # close the open step, open the next one (or an ad-hoc step at `to_unit`)
FINISH = "finish"  # result ready: close the processing steps, open the counter's return step
CLOSE = "close"  # close whatever step is open
BEGIN = "begin"  # reception: lay out the routing (services.intake.dossier_start does the whole action)
STEP_EFFECTS = (NONE, ROUTE, FINISH, CLOSE, BEGIN)

# What the action's form asks for besides the reason (templates/staff/dossier.html); the
# transition keeps the answers in the event's data.
DOCUMENTS = "documents"  # what the citizen must add, one a line (printed on Mẫu 02)
OUTCOME = "outcome"  # approved or refused (a refusal gives its reason)
HANDOVER = "handover"  # how the result was handed over (services.handover)
TO_UNIT = "to_unit"  # where the dossier goes
ASKS = (DOCUMENTS, OUTCOME, HANDOVER, TO_UNIT)


class Wording(NamedTuple):
    """What the public status page writes for an event: its title, whether it shows the event's
    reason, and the key of the event's data holding a new appointment (or None)."""

    title: Promise
    shows_reason: bool = False
    due_key: str | None = None


class PrintForm(NamedTuple):
    """A printed form offered on the dossier page: the URL name (given the dossier's code), the label."""

    url_name: str
    label: Promise


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[int]
    target: int
    roles: frozenset[str]
    where: str
    label: Promise  # the staff's words: button, history, messages
    public: Wording | None  # the citizen's words on the public timeline; None keeps it off
    reason: bool = False  # a reason is required
    clock: str = NONE
    steps: str = NONE
    asks: frozenset[str] = field(default_factory=frozenset)
    # Part of a supplement round (Decree 61/2018 art. 19; Decision 766): pausing counts the request
    # (the second one makes the dossier late), resuming restarts the clock where the procedure says so.
    supplement: bool = False
    notify: str = ""  # the message the citizen gets (services.notify.KINDS), or none
    notify_once: bool = True  # sent at most once per dossier; else numbered by the action's events
    forms: tuple[PrintForm, ...] = ()  # printed forms offered once the action was taken
    confirm: bool = False  # staff pages ask for confirmation first (issue 16)

    @property
    def requests_supplement(self) -> bool:
        """Counted, and warned about: a second request makes the dossier late (Decision 766)."""
        return self.supplement and self.clock == PAUSE


MAU_02_SUPPLEMENT = PrintForm("staff:print-supplement", _("In phiếu yêu cầu bổ sung (Mẫu 02)"))
MAU_02_COMPLETION = PrintForm("staff:print-completion", _("In phiếu hướng dẫn bổ sung, hoàn thiện (Mẫu 02)"))
MAU_03_REFUSAL = PrintForm("staff:print-refusal", _("In phiếu từ chối (Mẫu 03)"))
MAU_05_STOP = PrintForm("staff:print-stop", _("In thông báo dừng xử lý (Mẫu 05)"))

OPEN = {S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.PAYMENT}

# The order of the rows is the order of the buttons on the staff page and of the printed forms.
_ROWS = (
    Action(
        name="accept",
        sources=frozenset({S.SUBMITTED}),
        target=S.RECEIVED,
        roles=frozenset({CLERK}),
        where=RECEIVING,
        label=_("Tiếp nhận hồ sơ trực tuyến"),
        public=None,  # the public timeline shows the "receive" event dossier_start records
        clock=START,
        steps=BEGIN,
        notify="received",
    ),
    Action(
        name="transfer",
        sources=frozenset({S.RECEIVED, S.PROCESSING}),
        target=S.PROCESSING,
        roles=OFFICERS,
        where=CURRENT,
        label=_("Chuyển xử lý"),
        public=Wording(_("Chuyển đến cơ quan giải quyết")),
        steps=ROUTE,
        asks=frozenset({TO_UNIT}),
    ),
    Action(
        name="request_supplement",
        sources=frozenset({S.PROCESSING}),
        target=S.SUPPLEMENT,
        roles=OFFICERS,
        where=CURRENT,
        label=_("Yêu cầu bổ sung hồ sơ"),
        public=Wording(_("Cần bạn bổ sung giấy tờ"), shows_reason=True),
        reason=True,
        clock=PAUSE,
        asks=frozenset({DOCUMENTS}),
        supplement=True,
        notify="supplement",
        notify_once=False,
        forms=(MAU_02_SUPPLEMENT,),
    ),
    # Mẫu 02 for an online submission that needs completing: it stays submitted (no clock) for the citizen.
    Action(
        name="request_completion",
        sources=frozenset({S.SUBMITTED}),
        target=S.SUBMITTED,
        roles=frozenset({CLERK}),
        where=RECEIVING,
        label=_("Hướng dẫn bổ sung, hoàn thiện hồ sơ"),
        public=Wording(_("Cần bạn bổ sung, hoàn thiện hồ sơ trước khi tiếp nhận"), shows_reason=True),
        reason=True,
        asks=frozenset({DOCUMENTS}),
        notify="completion",
        notify_once=False,
        forms=(MAU_02_COMPLETION,),
    ),
    # Mẫu 03 only before a receipt is issued; after it, a refusal is a reasoned result (`complete`, refused).
    Action(
        name="refuse",
        sources=frozenset({S.SUBMITTED}),
        target=S.REFUSED,
        roles=frozenset({CLERK, LEAD}),
        where=RECEIVING,
        label=_("Từ chối tiếp nhận"),
        public=Wording(_("Hồ sơ không được tiếp nhận"), shows_reason=True),
        reason=True,
        clock=STOP,
        steps=CLOSE,
        notify="refused",
        forms=(MAU_03_REFUSAL,),
    ),
    Action(
        name="supplement_received",
        sources=frozenset({S.SUPPLEMENT}),
        target=S.PROCESSING,
        roles=OFFICERS,
        where=EITHER,
        label=_("Nhận hồ sơ bổ sung"),
        public=Wording(_("Đã nhận giấy tờ bổ sung, tiếp tục giải quyết"), due_key="due_at"),
        clock=RESUME,
        supplement=True,
    ),
    Action(
        name="request_payment",
        sources=frozenset({S.PROCESSING}),
        target=S.PAYMENT,
        roles=OFFICERS,
        where=CURRENT,
        label=_("Yêu cầu thực hiện nghĩa vụ tài chính"),
        public=Wording(_("Cần bạn thực hiện nghĩa vụ tài chính"), shows_reason=True),
        clock=PAUSE,
        confirm=True,  # a payment demand to the citizen
    ),
    Action(
        name="payment_received",
        sources=frozenset({S.PAYMENT}),
        target=S.PROCESSING,
        roles=OFFICERS,
        where=EITHER,
        label=_("Đã thực hiện nghĩa vụ tài chính"),
        public=Wording(_("Đã thực hiện nghĩa vụ tài chính, tiếp tục giải quyết"), due_key="due_at"),
        clock=RESUME,
    ),
    Action(
        name="complete",
        sources=frozenset({S.PROCESSING}),
        target=S.DONE,
        roles=frozenset({SPEC, LEAD}),
        where=CURRENT,
        label=_("Có kết quả giải quyết"),
        public=Wording(_("Đã có kết quả giải quyết")),
        clock=STOP,
        steps=FINISH,
        asks=frozenset({OUTCOME}),
        notify="result_ready",
        confirm=True,  # the result
    ),
    Action(
        name="return_result",
        sources=frozenset({S.DONE}),
        target=S.RETURNED,
        roles=frozenset({CLERK}),
        where=RECEIVING,
        label=_("Trả kết quả"),
        public=Wording(_("Đã trả kết quả")),
        steps=CLOSE,
        asks=frozenset({HANDOVER}),
    ),
    # Not once the result is ready: there is nothing left to withdraw.
    Action(
        name="withdraw",
        sources=frozenset(OPEN),
        target=S.WITHDRAWN,
        roles=frozenset({CLERK, LEAD}),
        where=EITHER,
        label=_("Công dân rút hồ sơ"),
        public=Wording(_("Rút hồ sơ theo yêu cầu"), shows_reason=True),
        reason=True,
        clock=STOP,
        steps=CLOSE,
    ),
    Action(
        name="stop",
        sources=frozenset({S.PROCESSING, S.SUPPLEMENT, S.PAYMENT}),
        target=S.STOPPED,
        roles=frozenset({LEAD}),
        where=CURRENT,
        label=_("Dừng xử lý"),
        public=Wording(_("Dừng xử lý hồ sơ"), shows_reason=True),
        reason=True,
        clock=STOP,
        steps=CLOSE,
        forms=(MAU_05_STOP,),
    ),
)
ACTIONS: dict[str, Action] = {a.name: a for a in _ROWS}
# What may follow what: status → the statuses its actions reach.
TRANSITIONS: dict[int, frozenset[int]] = {
    status: frozenset(a.target for a in ACTIONS.values() if status in a.sources) for status in Status.values
}


@dataclass(frozen=True)
class Event:
    """A history event that is no transition: its label for the staff, the citizen's words if shown."""

    name: str
    label: Promise
    public: Wording | None = None


EVENTS: dict[str, Event] = {
    e.name: e
    for e in (
        Event("submit", _("Nộp hồ sơ"), Wording(_("Nộp hồ sơ trực tuyến"))),
        Event("receive", _("Tiếp nhận hồ sơ"), Wording(_("Hồ sơ được tiếp nhận"), due_key="due_at")),
        Event("rating", _("Công dân đánh giá mức độ hài lòng")),
        Event("attach", _("Đính kèm tệp")),
        Event("claim", _("Nhận xử lý hồ sơ")),
        Event("assign", _("Phân công xử lý")),
        Event("apology_draft", _("Soạn văn bản xin lỗi (Mẫu 04)")),
        Event("apology_return", _("Lãnh đạo trả lại văn bản xin lỗi để sửa")),
        Event("apology_edit", _("Sửa văn bản xin lỗi")),
        Event(
            "apology",
            _("Xin lỗi và hẹn lại ngày trả"),
            Wording(_("Cơ quan giải quyết xin lỗi và hẹn lại ngày trả kết quả"), True, "new_due_at"),
        ),
        Event("flag_due_soon", _("Cảnh báo sắp đến hạn")),
        Event("flag_overdue", _("Cảnh báo quá hạn")),
        Event("flag_overdue_2x", _("Cảnh báo quá hạn trên 2 lần thời hạn")),
        Event("flag_overdue_3x", _("Cảnh báo quá hạn trên 3 lần thời hạn")),
        Event("flag_step_overdue", _("Cảnh báo trễ hạn bước xử lý")),
        Event(
            "calendar_recompute",
            _("Tính lại thời hạn theo lịch làm việc"),
            Wording(_("Ngày hẹn thay đổi theo lịch làm việc"), True, "after"),
        ),
        Event("document_sign", _("Ký số văn bản điện tử")),
        Event("payment_paid", _("Thanh toán phí, lệ phí trực tuyến"), Wording(_("Đã nộp phí, lệ phí trực tuyến"))),
        Event("payment_refund_request", _("Yêu cầu hoàn tiền phí, lệ phí")),
        Event("payment_refunded", _("Đã hoàn tiền phí, lệ phí"), Wording(_("Đã hoàn trả phí, lệ phí"))),
    )
}

# Who may take a routing step of each role: the step's own role, and a unit leader for a specialist's step.
STEP_ROLES = {SPEC: {SPEC, LEAD}, LEAD: {LEAD}, CLERK: {CLERK}}


def allowed_actions(status: int) -> list[Action]:
    return [action for action in ACTIONS.values() if status in action.sources]


def event_label(code: str) -> str | Promise:
    """The staff's words for a history event (its code when it has none)."""
    row = ACTIONS.get(code) or EVENTS.get(code)
    return row.label if row else code


def public_wording(code: str) -> Wording | None:
    """The citizen's words for a history event, or None: the public timeline is a whitelist."""
    row = ACTIONS.get(code) or EVENTS.get(code)
    return row.public if row else None


def print_forms() -> list[tuple[PrintForm, str]]:
    """Every action's printed forms, with the action that makes each available."""
    return [(form, action.name) for action in ACTIONS.values() for form in action.forms]
