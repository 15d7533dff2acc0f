"""Moving dossiers: the one transition service and the routing steps (Mẫu 06)."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..access import may_take
from ..calendar import format_local
from ..calendar_store import calendar_for
from ..clock import due_by_law, step_due_shifted
from ..errors import DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound, StaleVersion
from ..models import Attachment, ClockEntry, Dossier, DossierStep, Procedure, RoutingStep, Status, Timeliness, Unit
from ..roles import user_roles
from .clock_sync import dossier_clock_state, dossier_clock_sync
from .events import clock_record, event_record
from .fault import lateness_attribution
from .handover import Handover, handover_clean
from .hooks import dossier_changed
from .intake import dossier_start
from .lookup import public_answers_forget_on_commit
from .notify import outbox_enqueue
from .steps import step_finish, step_start
from .timing import effective_time

REASON_REQUIRED = _("Nhập lý do.")
UNKNOWN_ACTION = _("Thao tác không hợp lệ.")
NOT_ALLOWED_NOW = _("Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.")
STALE = _("Hồ sơ đã được người khác cập nhật; hãy tải lại trang và thử lại.")
NO_NEXT_STEP = _(
    "Không còn bước xử lý tiếp theo: khi có kết quả, chọn “Có kết quả giải quyết” để chuyển trả; "
    "hoặc chọn đơn vị nhận để chuyển liên thông."
)
SUPPLEMENT_AFTER_DUE = _(
    "Chỉ được yêu cầu bổ sung trong thời hạn giải quyết; thời hạn đã hết lúc %(due)s. "
    "Hãy giải quyết hồ sơ, hoặc xin lỗi và hẹn lại (Mẫu 04)."
)
SECOND_SUPPLEMENT = _(
    "Hồ sơ đã được yêu cầu bổ sung %(n)s lần: theo Quyết định 766/QĐ-TTg, yêu cầu bổ sung lần nữa "
    "làm hồ sơ bị tính là trễ hạn."
)
NOT_THE_LAST_STEP = _(
    "Chưa thể có kết quả: hồ sơ còn bước “%(step)s” (%(role)s) theo quy trình của thủ tục; "
    "hãy chuyển hồ sơ đến bước đó."
)
NOT_THE_STEPS_ROLE = _("Bước “%(step)s” do %(role)s thực hiện: bạn không thể phê duyệt kết quả ở bước này.")
REFUSAL_NEEDS_REASON = _("Kết quả từ chối giải quyết phải nêu rõ lý do.")
RESULT_MISSING = _(
    "Thủ tục có kết quả điện tử: hãy đính kèm tệp kết quả (loại “Kết quả điện tử”) trước khi hoàn thành."
)
ADHOC_HOURS = Decimal(8)


def current_step(dossier: Dossier) -> DossierStep | None:
    return dossier.steps.filter(started_at__isnull=False, finished_at=None).order_by("position").last()


def _return_step(dossier: Dossier) -> DossierStep | None:
    """The counter's closing step (result handed back); only `complete` opens it."""
    last = dossier.steps.order_by("position").last()
    return last if last and last.role == RoutingStep.Role.COUNTER_CLERK and last.position > 10 else None


def _next_step(dossier: Dossier, after: int, *, to_unit: Unit | None) -> DossierStep:
    upcoming = dossier.steps.filter(started_at=None, position__gt=after).order_by("position").first()
    if upcoming is not None and upcoming == _return_step(dossier):
        upcoming = None
    if to_unit is None or (upcoming and upcoming.unit_id == to_unit.pk):
        if upcoming is None:
            raise InvalidInput(NO_NEXT_STEP, fields={"to_unit_code": NO_NEXT_STEP})
        return upcoming
    # Inter-agency transfer outside the template: an ad-hoc step before the next one.
    return DossierStep.objects.create(
        dossier=dossier,
        position=after + 1,
        name=str(_("Chuyển liên thông")),
        role=RoutingStep.Role.SPECIALIST,
        budget_hours=ADHOC_HOURS,
        unit=to_unit,
        is_adhoc=True,
    )


def _shift_open_step(dossier: Dossier, paused_from, resumed_at) -> None:
    """After a pause the open step's deadline moves by the working time waited."""
    step = current_step(dossier)
    if step is None or step.due_at is None or step.started_at is None:  # an open step has started
        return
    due = step_due_shifted(
        calendar_for(step.unit),
        due=step.due_at,
        started_at=step.started_at,
        paused_from=paused_from,
        resumed_at=resumed_at,
    )
    if due != step.due_at:
        step.due_at = due
        step.save(update_fields=["due_at"])


def _route(dossier: Dossier, actor, at, to_unit: Unit | None, note: str) -> None:
    step = current_step(dossier)
    after = step.position if step else 0
    if step:
        step_finish(step=step, actor=actor, at=at, note=note)
    nxt = _next_step(dossier, after, to_unit=to_unit)
    step_start(step=nxt, actor=None, at=at)
    dossier.current_unit = nxt.unit
    dossier.assignee = None
    if dossier.transferred_at is None and nxt.unit_id != dossier.receiving_unit_id:
        dossier.transferred_at = at


def _finish_processing(dossier: Dossier, actor, at, note: str) -> None:
    """Result ready: close the processing steps, open the return step at the counter."""
    for step in dossier.steps.filter(started_at__isnull=False, finished_at=None):
        step_finish(step=step, actor=actor, at=at, note=note)
    back = _return_step(dossier)
    if back is not None and back.started_at is None:
        step_start(step=back, actor=None, at=at)
        dossier.current_unit = back.unit


def _close_steps(dossier: Dossier, actor, at, note: str) -> None:
    for step in dossier.steps.filter(started_at__isnull=False, finished_at=None):
        step_finish(step=step, actor=actor, at=at, note=note)


# What an action does besides changing the status, as its row in workflow.ACTIONS says:
# the clock first, then the dossier's facts, the routing steps, the message to the citizen.
def _clock_effect(d: Dossier, action: workflow.Action, at, p: dict) -> None:
    if action.clock == workflow.PAUSE:
        clock_record(dossier=d, kind=ClockEntry.Kind.PAUSE, at=at, data={"reason": p["reason"]})
        if action.requests_supplement:
            d.supplement_count += 1
    elif action.clock == workflow.RESUME:
        _resume(d, action, at)
    elif action.clock == workflow.STOP:
        d.finished_at = d.finished_at or at  # the ledger's STOP is recorded once the status is saved


def _resume(d: Dossier, action: workflow.Action, at) -> None:
    paused_from = d.paused_at
    resets = action.supplement and d.procedure.supplement_resets_clock
    kind = ClockEntry.Kind.RESET if resets else ClockEntry.Kind.RESUME
    data = {}
    if resets:
        data = {
            "amount": str(d.procedure.processing_time),
            "time_unit": d.procedure.time_unit,
            "same_day": d.procedure.same_day,
        }
    clock_record(dossier=d, kind=kind, at=at, data=data)
    if paused_from:
        _shift_open_step(d, paused_from, at)


def _record_answers(d: Dossier, action: workflow.Action, at, p: dict) -> None:
    """What the action's form asked for, kept on the dossier."""
    if workflow.OUTCOME in action.asks:
        d.result_approved = p["approved"]
    if workflow.HANDOVER in action.asks:
        d.returned_at = at
        handover: Handover = p["handover"]
        d.return_method, d.return_by_proxy = handover.method, handover.by_proxy
        d.return_recipient_name, d.return_recipient_id_number = handover.recipient_name, handover.recipient_id_number
        d.return_tracking_number, d.return_result_url = handover.tracking_number, handover.result_url


def _steps_effect(d: Dossier, action: workflow.Action, actor, at, p: dict) -> None:
    if action.steps == workflow.ROUTE:
        _route(d, actor, at, p["to_unit"], p["reason"])
    elif action.steps == workflow.FINISH:
        _finish_processing(d, actor, at, p["reason"])
    elif action.steps == workflow.CLOSE:
        _close_steps(d, actor, at, p["reason"])


def _notify(d: Dossier, action: workflow.Action, p: dict) -> None:
    """The citizen's message; one the action may send again is numbered by the action's events
    (Mẫu 02 to an online applicant: the submission stays open, status 1 and no clock, until completed)."""
    if not action.notify:
        return
    ref = "1" if action.notify_once else str(d.events.filter(action=action.name).count() + 1)
    context = {"reason": p["reason"], "documents": p["documents"]}
    outbox_enqueue(dossier=d, kind=action.notify, ref=ref, context=context)


def _lock(dossier_id: int, version: int | None) -> Dossier:
    dossier = (
        Dossier.objects.select_for_update()
        .select_related("procedure", "receiving_unit", "lead_unit")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    if version is not None and version != dossier.version:
        raise StaleVersion(STALE, fields={"version": STALE})
    return dossier


def _authorise(user, dossier: Dossier, action: workflow.Action) -> None:
    if not may_take(user, action, dossier):
        message = _("Bạn không có quyền thực hiện thao tác “%(action)s” với hồ sơ này.") % {"action": action.label}
        raise Forbidden(message)


@transaction.atomic
def dossier_transition(
    *,
    dossier_id: int,
    action: str,
    actor: User,
    reason: str = "",
    to_unit: Unit | None = None,
    at: datetime | None = None,
    version: int | None = None,
    approved: bool = True,
    documents: list[str] | None = None,
    handover: dict | Handover | None = None,
) -> Dossier:
    """Take `action` on a dossier: the one write path for every status change.

    `documents` lists what the citizen must add (request_supplement, request_completion: printed
    on Mẫu 02); `approved=False` makes `complete` a reasoned refusal; `handover` says how the
    result was returned (return_result, see services.handover).

    The row is locked for the transaction, so of two officers acting at once exactly
    one wins and the other gets a 409; `version` detects a change since the caller read it.
    """
    row = _action_of(action)
    dossier = _lock(dossier_id, version)
    at, params = _checked(
        dossier, row, actor, reason=reason, at=at, to_unit=to_unit, approved=approved, documents=documents
    )
    asks_handover = workflow.HANDOVER in row.asks
    params["handover"] = handover_clean(dossier=dossier, raw=handover) if asks_handover else None
    if row.steps == workflow.BEGIN:
        dossier_start(dossier=dossier, actor=actor, at=at)
        return _bump(dossier)
    return _apply(dossier, row, actor=actor, at=at, params=params)


def dossier_transition_check(
    *, dossier_id: int, action: str, actor: User, reason: str = "", approved: bool = True, handover=None
) -> None:
    """The checks `dossier_transition` makes, without locking or writing anything: a staff page
    asks for confirmation only of an action that would go through (it is checked again then)."""
    row = _action_of(action)
    dossier = Dossier.objects.select_related("procedure", "lead_unit").filter(pk=dossier_id).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    _checked(dossier, row, actor, reason=reason, at=None, to_unit=None, approved=approved, documents=None)
    if workflow.HANDOVER in row.asks:
        handover_clean(dossier=dossier, raw=handover)


def _action_of(name: str) -> workflow.Action:
    action = workflow.ACTIONS.get(name)
    if action is None:
        raise InvalidInput(UNKNOWN_ACTION, fields={"action": UNKNOWN_ACTION})
    return action


def _checked(dossier: Dossier, action: workflow.Action, actor, *, reason, at, **given) -> tuple:
    """The action's checks in order (status, actor, reason, time, the action's own); the effective
    time and the action's parameters."""
    if dossier.status not in action.sources:
        raise InvalidTransition(NOT_ALLOWED_NOW, fields={"action": NOT_ALLOWED_NOW})
    _authorise(actor, dossier, action)
    reason = (reason or "").strip()
    if action.reason and not reason:
        raise InvalidInput(REASON_REQUIRED, fields={"reason": REASON_REQUIRED})
    last = dossier.events.order_by("-effective_at").values_list("effective_at", flat=True).first()
    at = effective_time(requested=at, not_before=last)
    params = {
        "action": action.name,
        "reason": reason,
        "to_unit": given["to_unit"],
        "approved": given["approved"],
        "documents": [d.strip()[:500] for d in given["documents"] or () if d.strip()][:50],
    }
    ACTION_CHECKS.get(action.name, _no_check)(dossier, actor, at, params)
    return at, params


# What each action requires besides its status, role and unit. Signature: (dossier, actor, at, params).
def _no_check(dossier, actor, at, params) -> None:
    return None


def _check_supplement(dossier, actor, at, params) -> None:
    """A supplement request only within the processing time (Decree 61/2018 art. 19 as amended by
    Decree 107/2021): past it, asking the citizen would only pause a clock that has already run out."""
    legal = due_by_law(dossier_clock_state(dossier), calendar_for(dossier.lead_unit))
    if legal is not None and at > legal:
        message = SUPPLEMENT_AFTER_DUE % {"due": format_local(legal)}
        raise InvalidTransition(message, fields={"action": message}, code="supplement_after_due")


def _check_complete(dossier, actor, at, params) -> None:
    """The result follows the procedure's routing: only at its last processing step (the leader's
    approval and signature where the template has one), by that step's role; a refusal gives its
    reasons; where the procedure issues an electronic result, that file is attached."""
    problem = completion_step_problem(dossier, actor)
    if problem is not None:
        raise problem
    if not params["approved"] and not params["reason"]:
        raise InvalidInput(REFUSAL_NEEDS_REASON, fields={"reason": REFUSAL_NEEDS_REASON})
    if not result_attached(dossier):
        raise InvalidInput(RESULT_MISSING, fields={"attachments": RESULT_MISSING}, code="result_missing")


ACTION_CHECKS = {"request_supplement": _check_supplement, "complete": _check_complete}


def completion_step_problem(dossier: Dossier, actor) -> DomainError | None:
    """Why `actor` may not complete the dossier at its current step, or None."""
    step = current_step(dossier)
    if step is None:  # no routing (an imported dossier): nothing to follow
        return None
    ahead = _next_template_step(dossier, step.position)
    if ahead is not None:
        message = NOT_THE_LAST_STEP % {"step": ahead.name, "role": RoutingStep.Role(ahead.role).label}
        return InvalidTransition(message, fields={"action": message}, code="not_the_last_step")
    allowed = workflow.STEP_ROLES.get(step.role, {step.role})
    if actor.is_superuser or user_roles(actor) & allowed:
        return None
    message = NOT_THE_STEPS_ROLE % {"step": step.name, "role": RoutingStep.Role(step.role).label}
    return Forbidden(message, fields={"action": message})


def _next_template_step(dossier: Dossier, after: int) -> DossierStep | None:
    upcoming = dossier.steps.filter(started_at=None, position__gt=after).order_by("position").first()
    return None if upcoming is None or upcoming == _return_step(dossier) else upcoming


def result_attached(dossier: Dossier) -> bool:
    if dossier.procedure.result_type == Procedure.ResultType.PAPER:
        return True
    return dossier.attachments.filter(kind=Attachment.Kind.RESULT).exists()


def _apply(dossier, action: workflow.Action, *, actor, at, params: dict) -> Dossier:
    from_status = dossier.status
    _clock_effect(dossier, action, at, params)
    _record_answers(dossier, action, at, params)
    _steps_effect(dossier, action, actor, at, params)
    _notify(dossier, action, params)
    dossier.status = action.target
    dossier.save()
    if action.clock == workflow.STOP:
        clock_record(dossier=dossier, kind=ClockEntry.Kind.STOP, at=at)
    clock = dossier_clock_sync(dossier=dossier, at=at)
    if action.clock == workflow.STOP and from_status != Status.SUBMITTED:
        dossier.timeliness = clock.timeliness(at)
        if dossier.timeliness == Timeliness.LATE:
            _attribute_lateness(dossier, clock.due_by_law, at)
    event = event_record(
        dossier=dossier,
        action=action.name,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=action.target,
        reason=params["reason"],
        data=_event_data(dossier, action, params),
    )
    dossier_changed(dossier=dossier, event=event)
    public_answers_forget_on_commit(dossier.code)
    return _bump(dossier)


def _attribute_lateness(dossier: Dossier, due, at) -> None:
    """Finished late (`due`: the appointment by law): the unit whose step overran its budget
    answers for it (services.fault)."""
    dossier.late_unit, dossier.late_assignee = lateness_attribution(dossier, at=at, due=due)


def _event_data(dossier: Dossier, action: workflow.Action, params: dict) -> dict:
    data: dict[str, object] = {"unit": dossier.current_unit.code}
    if workflow.OUTCOME in action.asks:
        data["approved"] = params["approved"]
    if workflow.DOCUMENTS in action.asks and params["documents"]:
        data["documents"] = params["documents"]
    if action.requests_supplement and dossier.supplements_make_late:
        data["late_766"] = True  # Decision 766: more than one supplement request counts as late
    if workflow.HANDOVER in action.asks:
        data["handover"] = params["handover"].as_data()
    if dossier.due_at:
        data["due_at"] = dossier.due_at.isoformat()
    return data


def _bump(dossier: Dossier) -> Dossier:
    dossier.version += 1
    dossier.save(update_fields=["version", "timeliness", "late_unit", "late_assignee", "updated_at"])
    return dossier
