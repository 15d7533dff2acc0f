"""The public status of a dossier: what anyone holding its code and key may see.

It carries no applicant data and no officer names (shared/docs/domain.md, "Public status
lookup"): only the status in plain words, the agencies that hold it, what the citizen must
do, and why the appointment is what it is. The timeline is a whitelist of public events, so
a new internal event never shows up here by accident. The page, the API and Open311 all
answer with it (portal wires them); the key is checked by `services.lookup.public_dossier`.
"""

from django.core.cache import cache
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .calendar import explain_due, format_local
from .calendar_store import calendar_for
from .clock import due_by_law
from .models import Dossier, ResultDelivery, Status, Unit
from .models.dossier import FINISHED
from .services.clock_sync import dossier_clock_state
from .workflow import public_wording

STATUS_WORDS = {
    Status.SUBMITTED: gettext_lazy("Hồ sơ đã được gửi trực tuyến, đang chờ cán bộ một cửa kiểm tra và tiếp nhận."),
    Status.RECEIVED: gettext_lazy("Hồ sơ đã được tiếp nhận và sẽ được chuyển đến cơ quan giải quyết."),
    Status.REFUSED: gettext_lazy("Hồ sơ không được tiếp nhận. Lý do ghi ở phần diễn biến bên dưới."),
    Status.PROCESSING: gettext_lazy("Hồ sơ đang được cơ quan có thẩm quyền giải quyết."),
    Status.SUPPLEMENT: gettext_lazy(
        "Cơ quan giải quyết cần bạn bổ sung giấy tờ. Thời hạn tạm dừng cho đến khi bạn bổ sung."
    ),
    Status.PAYMENT: gettext_lazy("Bạn cần nộp phí, lệ phí (nghĩa vụ tài chính) để hồ sơ được giải quyết tiếp."),
    Status.WITHDRAWN: gettext_lazy("Hồ sơ đã được rút theo yêu cầu của bạn."),
    Status.STOPPED: gettext_lazy("Hồ sơ đã dừng xử lý. Lý do ghi ở phần diễn biến bên dưới."),
    Status.DONE: gettext_lazy("Đã có kết quả. Mời bạn đến nhận kết quả tại nơi đã nộp hồ sơ."),  # at the counter
    Status.RETURNED: gettext_lazy("Kết quả đã được trả. Hồ sơ đã hoàn thành."),
}

# A result ready, as the citizen chose to receive it at intake (Dossier.result_delivery).
DONE_WORDS: dict[str, Promise] = {
    ResultDelivery.POSTAL: gettext_lazy("Đã có kết quả. Kết quả sẽ được gửi đến bạn qua dịch vụ bưu chính công ích."),
    ResultDelivery.ONLINE: gettext_lazy("Đã có kết quả. Kết quả điện tử được gửi cho bạn qua Cổng dịch vụ công."),
}


# -- a dossier, without personal data ------------------------------------
# The rendered status is cached per dossier change and language; every change of a dossier
# (an action, an apology, a clock resync after a calendar change) saves `updated_at`.
STATUS_CACHE_SECONDS = 60


def public_status(dossier: Dossier) -> dict:
    """The public status of a dossier (needs `procedure`, `current_unit` and `lead_unit` loaded)."""
    key = f"public-status:{dossier.pk}:{dossier.updated_at.timestamp()}:{translation.get_language()}"
    status = cache.get(key)
    if status is None:
        status = _public_status(dossier)
        cache.set(key, status, timeout=STATUS_CACHE_SECONDS)
    return status


def _status_text(dossier: Dossier) -> str:
    if dossier.status == Status.DONE and dossier.result_delivery in DONE_WORDS:
        return str(DONE_WORDS[dossier.result_delivery])
    return str(STATUS_WORDS[Status(dossier.status)])


def _agency_of(unit: Unit | None) -> int | None:
    """The agency a unit belongs to: a department counts as its parent agency."""
    if unit is None:
        return None
    return unit.parent_id if unit.kind == Unit.Kind.DEPARTMENT and unit.parent_id else unit.pk


def _public_timeline(dossier: Dossier, events) -> list[dict]:
    """The public events; a transfer that stays inside one agency (from officer to officer, or to one
    of its departments) tells the citizen nothing and is left out."""
    items, holder = [], None
    for event in events:
        agency = _agency_of(event.unit)
        if event.action == "transfer" and agency == holder:
            continue
        holder = agency or holder
        item = _timeline_item(event)
        if item is not None and event.action == "complete":
            item["unit"] = dossier.lead_unit.name  # the agency that decided, not the counter handing back
        if item is not None:
            items.append(item)
    return items


def _public_status(dossier: Dossier) -> dict:
    events = list(dossier.events.filter(is_public=True).select_related("unit").order_by("effective_at", "id"))
    timeline = _public_timeline(dossier, events)
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "procedure_code": dossier.procedure.national_code,
        "status": dossier.status,
        "status_label": str(Status(dossier.status).label),
        "status_text": _status_text(dossier),
        "is_finished": dossier.status in FINISHED,
        # The day the result was ready and the day it was handed over: a finished dossier's headline.
        "result_at": dossier.finished_at if dossier.status in (Status.DONE, Status.RETURNED) else None,
        "returned_at": dossier.returned_at if dossier.status == Status.RETURNED else None,
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "due_at_original": dossier.due_at_original,
        "paused_since": dossier.paused_at,
        "current_unit": dossier.current_unit.name,
        "agency": dossier.lead_unit.name,
        "waiting_for": _waiting_for(dossier, timeline),
        "due_explanation": due_explanation(dossier),
        "timeline": timeline,
        "apologies": public_apologies(dossier),
    }


def _timeline_item(event) -> dict | None:
    rule = public_wording(event.action)
    if rule is None or (event.action == "submit" and event.data.get("channel") == "counter"):
        return None
    title, shows_reason, due_key = rule
    due = parse_datetime(event.data.get(due_key) or "") if due_key else None
    listing = event.action in ("request_supplement", "request_completion")
    documents = (event.data.get("documents") or []) if listing else []
    return {
        "at": event.effective_at,
        "action": event.action,
        "title": str(title),
        "unit": event.unit.name if event.unit else None,
        "reason": event.reason if shows_reason else "",
        "documents": [str(d) for d in documents],
        "due_at": due,
    }


# What the citizen is asked to do in each waiting status (status 1: an online submission to complete).
WAITING: dict[int, str] = {
    Status.SUPPLEMENT: "request_supplement",
    Status.PAYMENT: "request_payment",
    Status.SUBMITTED: "request_completion",
}


def _waiting_for(dossier: Dossier, timeline: list[dict]) -> dict | None:
    """What the citizen must do now: the last request, while the dossier waits for it."""
    action = WAITING.get(dossier.status)
    if action is None:
        return None
    last = next((item for item in reversed(timeline) if item["action"] == action), None)
    if last is None:
        # A submission nobody asked to complete waits for the counter, not for the citizen.
        return None if dossier.status == Status.SUBMITTED else {"action": action, "reason": "", "documents": []}
    return {"action": action, "reason": last["reason"], "documents": last["documents"]}


def public_apologies(dossier: Dossier) -> list[dict]:
    return [
        {
            "unit": a.unit.name,
            "reason": a.reason,
            "original_due_at": a.original_due_at,
            "new_due_at": a.new_due_at,
            "issued_at": a.issued_at,
        }
        for a in dossier.apologies.signed().select_related("unit").order_by("issued_at", "id")
    ]


def due_explanation(dossier: Dossier) -> list[str]:
    """Why the appointment is what it is, read from the clock ledger (holidays, pauses, extensions)."""
    state = dossier_clock_state(dossier)
    if state.start is None:
        return []
    cal = calendar_for(dossier.lead_unit)
    lines = explain_due(
        cal,
        state.start,
        due_by_law(state, cal),
        amount=state.amount,
        time_unit=state.time_unit,
        pauses=state.pauses,
        same_day=state.same_day,
    )
    if state.extended_to is not None and dossier.due_at is not None:
        lines.append(
            _("Cơ quan giải quyết đã xin lỗi và hẹn lại: ngày hẹn trả mới là %(at)s.")
            % {"at": format_local(dossier.due_at)}
        )
    return lines
