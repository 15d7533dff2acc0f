"""Public read models: what anyone may see of the catalogue, the centres and a dossier.

A dossier's public view carries no applicant data and no officer names
(shared/docs/domain.md, "Public status lookup"): only the status in plain words,
the agencies that hold it, what the citizen must do, and why the appointment is
what it is. The timeline is a whitelist of public events, so a new internal event
never shows up here by accident.
"""

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.calendar import explain_due, format_local
from dossiers.calendar_store import calendar_for
from dossiers.clock import due_by_law
from dossiers.models import Dossier, Procedure, ResultDelivery, Status, Unit
from dossiers.models.dossier import FINISHED
from dossiers.ratelimit import raw_cache_bump, raw_cache_set
from dossiers.services.clock_sync import dossier_clock_state
from dossiers.services.lookup import (
    DossierRef,
    code_ident,
    id_number_digest_of,
    key_matches,
    lookup_throttled,
    public_dossier,
)
from dossiers.wording import processing_time_text, shortened_legal_time_text

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
DONE_WORDS = {
    ResultDelivery.POSTAL: gettext_lazy("Đã có kết quả. Kết quả sẽ được gửi đến bạn qua dịch vụ bưu chính công ích."),
    ResultDelivery.ONLINE: gettext_lazy("Đã có kết quả. Kết quả điện tử được gửi cho bạn qua Cổng dịch vụ công."),
}

# action: (title, shows its reason, event.data key holding a new appointment)
PUBLIC_EVENTS = {
    "submit": (gettext_lazy("Nộp hồ sơ trực tuyến"), False, None),
    "receive": (gettext_lazy("Hồ sơ được tiếp nhận"), False, "due_at"),
    "request_completion": (gettext_lazy("Cần bạn bổ sung, hoàn thiện hồ sơ trước khi tiếp nhận"), True, None),
    "refuse": (gettext_lazy("Hồ sơ không được tiếp nhận"), True, None),
    "transfer": (gettext_lazy("Chuyển đến cơ quan giải quyết"), False, None),
    "request_supplement": (gettext_lazy("Cần bạn bổ sung giấy tờ"), True, None),
    "supplement_received": (gettext_lazy("Đã nhận giấy tờ bổ sung, tiếp tục giải quyết"), False, "due_at"),
    "request_payment": (gettext_lazy("Cần bạn thực hiện nghĩa vụ tài chính"), True, None),
    "payment_received": (gettext_lazy("Đã thực hiện nghĩa vụ tài chính, tiếp tục giải quyết"), False, "due_at"),
    "complete": (gettext_lazy("Đã có kết quả giải quyết"), False, None),
    "return_result": (gettext_lazy("Đã trả kết quả"), False, None),
    "withdraw": (gettext_lazy("Rút hồ sơ theo yêu cầu"), True, None),
    "stop": (gettext_lazy("Dừng xử lý hồ sơ"), True, None),
    "apology": (gettext_lazy("Cơ quan giải quyết xin lỗi và hẹn lại ngày trả kết quả"), True, "new_due_at"),
    "calendar_recompute": (gettext_lazy("Ngày hẹn thay đổi theo lịch làm việc"), True, "after"),
    "payment_paid": (gettext_lazy("Đã nộp phí, lệ phí trực tuyến"), False, None),
    "payment_refunded": (gettext_lazy("Đã hoàn trả phí, lệ phí"), False, None),
}


# -- a dossier, without personal data ------------------------------------
# The rendered status is cached per dossier change and language; every change of a dossier
# (an action, an apology, a clock resync after a calendar change) saves `updated_at`.
STATUS_CACHE_SECONDS = 60


def public_status(dossier: "Dossier | DossierRef") -> dict:
    """The public status of a dossier, or of a lookup's reference to one (loaded only on a cache miss)."""
    key = f"public-status:{dossier.pk}:{dossier.updated_at.timestamp()}:{translation.get_language()}"
    status = cache.get(key)
    if status is None:
        if not isinstance(dossier, Dossier):
            dossier = Dossier.objects.select_related("procedure", "current_unit", "lead_unit").get(pk=dossier.pk)
        status = _public_status(dossier)
        cache.set(key, status, timeout=STATUS_CACHE_SECONDS)
    return status


# The API's answer, as bytes, under a key made from the code: the lookup reads it in the same round
# trip to Redis as its rate limits, and on a hit with the right key answers without PostgreSQL.
# Every save of a dossier bumps its code's generation and drops its answers once committed
# (portal.apps); an answer stored from a read that began before a bump carries the older
# generation and is never served. A key that does not match takes the uncached path, so a wrong
# key on a cached code costs what an unknown code costs and tells nothing.
BODY_CACHE_SECONDS = 300
GENERATION_SECONDS = 24 * 3600  # outlives any answer of the generation


def _body_key(ident: str, language: str) -> str:
    return f"public-body:{language}:{ident}"


def _generation_key(ident: str) -> str:
    return f"public-gen:{ident}"


def _entry(generation: int, dossier: Dossier, body: bytes) -> bytes:
    """A cached answer: the generation it was read at, what a key is checked against, the body."""
    return f"{generation}|{dossier.lookup_key}|{id_number_digest_of(dossier.applicant_id_number)}|".encode() + body


def public_answer(request, *, code: str, key: str, render: Callable[[dict], bytes]) -> tuple[bytes | None, int]:
    """(the public status as `render` makes it, or None; seconds to wait when over a limit)."""
    ident = code_ident(code)
    body_key, generation_key = _body_key(ident, translation.get_language()), _generation_key(ident)
    retry_after, (entry, generation) = lookup_throttled(request, code=code, read=[body_key, generation_key])
    if retry_after:
        return None, retry_after
    generation = int(generation or 0)
    if entry:
        stored, lookup_key, digest, body = entry.split(b"|", 3)
        if int(stored) == generation and key_matches(
            key, lookup_key=lookup_key.decode(), id_number_digest=digest.decode()
        ):
            return body, 0
    dossier = public_dossier(code=code, key=key)
    if dossier is None:
        return None, 0
    body = render(public_status(dossier))
    raw_cache_set(body_key, _entry(generation, dossier, body), timeout=BODY_CACHE_SECONDS)
    return body, 0


def public_answers_forget(code: str) -> None:
    """After a change of the dossier `code`: its cached answers are no longer served."""
    ident = code_ident(code)
    bodies = [_body_key(ident, language) for language, _name in settings.LANGUAGES]
    raw_cache_bump(f"public-gen:{ident}", GENERATION_SECONDS, delete=bodies)


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
    rule = PUBLIC_EVENTS.get(event.action)
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
WAITING = {
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


# -- the catalogue ----------------------------------------------------------
def money_text(amount: Decimal) -> str:
    """`50.000 đồng`; `Miễn phí` for nothing."""
    if not amount:
        return _("Miễn phí")
    return _("%(amount)s đồng") % {"amount": f"{int(amount):,}".replace(",", ".")}


def procedure_card(p: Procedure) -> dict:
    """One row of the catalogue (needs `field` loaded)."""
    return {
        "code": p.national_code,
        "name": p.name,
        "field": p.field.name,
        "level": p.get_level_display(),
        "time": processing_time_text(p),
        "legal_time": shortened_legal_time_text(p),
        "fee": money_text(p.fee),
        "online_level": p.online_level,
        "online_label": p.get_online_level_display(),
    }


def procedure_page(p: Procedure) -> dict:
    """Everything the procedure page shows (needs `documents` and `lead_agency` loaded)."""
    return {
        **procedure_card(p),
        "fee_note": p.fee_note,
        "shortening_decision": p.shortening_decision,
        "lead_agency": p.lead_agency,
        "result": p.result_name,
        "result_type": p.get_result_type_display(),
        "legal_basis": p.legal_basis,
        "online_url": p.online_url if p.online_level != Procedure.OnlineLevel.NONE else "",
        "documents": [
            {
                "name": d.name,
                "copy_kind": d.get_copy_kind_display(),
                "count": d.count,
                "is_mandatory": d.is_mandatory,
                "form_url": reverse("blank-form", args=[p.national_code, d.position]) if d.blank_form else "",
            }
            for d in p.documents.all()
        ],
    }
