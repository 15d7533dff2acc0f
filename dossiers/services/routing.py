"""Moving dossiers: the one transition service and the routing steps (Mẫu 06)."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..access import may_take
from ..calendar import WORKING_HOURS, compute_due
from ..errors import Forbidden, InvalidInput, InvalidTransition, NotFound, StaleVersion
from ..models import ClockEntry, Dossier, DossierStep, RoutingStep, Status, Unit
from ..workdays import calendar_for
from .clock_sync import dossier_clock_sync, dossier_timeliness, timeliness_of
from .events import clock_record, event_record
from .hooks import dossier_changed
from .notify import outbox_enqueue
from .timing import effective_time

REASON_REQUIRED = _("Nhập lý do.")
UNKNOWN_ACTION = _("Thao tác không hợp lệ.")
NOT_ALLOWED_NOW = _("Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.")
STALE = _("Hồ sơ đã được người khác cập nhật; hãy tải lại trang và thử lại.")
NO_NEXT_STEP = _(
    "Không còn bước xử lý tiếp theo: khi có kết quả, chọn “Có kết quả giải quyết” để chuyển trả; "
    "hoặc chọn đơn vị nhận để chuyển liên thông."
)
ADHOC_HOURS = Decimal(8)

# Default routing when a procedure has no template: receive, process, return.
DEFAULT_TEMPLATE = (
    (_("Tiếp nhận hồ sơ"), RoutingStep.Role.COUNTER_CLERK, Decimal(2)),
    (_("Giải quyết hồ sơ"), RoutingStep.Role.SPECIALIST, None),
    (_("Trả kết quả"), RoutingStep.Role.COUNTER_CLERK, Decimal(2)),
)


def _step_unit(dossier: Dossier, unit, role: str) -> Unit:
    if unit is not None:
        return unit
    return dossier.receiving_unit if role == RoutingStep.Role.COUNTER_CLERK else dossier.lead_unit


def steps_layout(*, dossier: Dossier, actor, at, calendars=calendar_for) -> list[DossierStep]:
    """The procedure's routing template laid out as steps, not yet saved; the reception step
    starts now. `calendars`: unit → calendar."""
    template = [(s.name, s.role, s.budget_hours, s.unit) for s in dossier.procedure.steps.all()]
    if not template:
        middle = max(Decimal(1), (dossier.procedure.legal_working_hours or Decimal(8)) - 4)
        template = [(str(n), r, h or middle, None) for n, r, h in DEFAULT_TEMPLATE]
    steps = [
        DossierStep(
            dossier=dossier,
            position=(i + 1) * 10,
            name=name,
            role=role,
            budget_hours=hours,
            unit=_step_unit(dossier, unit, role),
        )
        for i, (name, role, hours, unit) in enumerate(template)
    ]
    _begin(steps[0], actor=actor, at=at, cal=calendars(steps[0].unit))  # started before the insert
    return steps


def _begin(step: DossierStep, *, actor, at, cal=None) -> None:
    step.started_at, step.receiver = at, actor if actor and actor.is_authenticated else None
    step.due_at = compute_due(cal or calendar_for(step.unit), at, step.budget_hours, WORKING_HOURS)


def step_start(*, step: DossierStep, actor, at) -> DossierStep:
    _begin(step, actor=actor, at=at)
    step.save(update_fields=["started_at", "receiver", "due_at"])
    return step


def step_finish(*, step: DossierStep, actor, at, note: str = "") -> DossierStep:
    """Close a step; whoever hands it on is its giver and, if nobody took it explicitly, its receiver."""
    step.finished_at, step.giver = at, actor if actor and actor.is_authenticated else None
    step.receiver = step.receiver or step.giver
    step.timeliness = timeliness_of(at, step.due_at)
    step.note = note[:500]
    step.save(update_fields=["finished_at", "giver", "receiver", "timeliness", "note"])
    return step


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
    if step is None or step.due_at is None:
        return
    cal = calendar_for(step.unit)
    waited = cal.position(resumed_at) - cal.position(max(paused_from, step.started_at))
    if waited > 0:
        step.due_at = cal.instant(cal.position(step.due_at) + waited)
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


# What each action does besides changing the status. Signature: (dossier, actor, at, params).
def _on_transfer(d, actor, at, p):
    _route(d, actor, at, p.get("to_unit"), p.get("reason", ""))


def _on_pause(d, actor, at, p):
    clock_record(dossier=d, kind=ClockEntry.Kind.PAUSE, at=at, data={"reason": p.get("reason", "")})
    if p["action"] == "request_supplement":
        d.supplement_count += 1
        outbox_enqueue(dossier=d, kind="supplement", ref=str(d.supplement_count), context={"reason": p["reason"]})


def _on_resume(d, actor, at, p):
    paused_from = d.paused_at
    resets = p["action"] == "supplement_received" and d.procedure.supplement_resets_clock
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


def _on_complete(d, actor, at, p):
    d.result_approved = p.get("approved", True)
    d.finished_at = at
    _finish_processing(d, actor, at, p.get("reason", ""))
    outbox_enqueue(dossier=d, kind="result_ready", ref="1")


def _on_return(d, actor, at, p):
    d.returned_at = at
    _close_steps(d, actor, at, p.get("reason", ""))


def _on_close(d, actor, at, p):
    """Refused, withdrawn or stopped: the clock ends here."""
    d.finished_at = d.finished_at or at
    _close_steps(d, actor, at, p.get("reason", ""))
    if p["action"] == "refuse":
        outbox_enqueue(dossier=d, kind="refused", ref="1", context={"reason": p["reason"]})


EFFECTS = {
    "refuse": _on_close,
    "transfer": _on_transfer,
    "request_supplement": _on_pause,
    "supplement_received": _on_resume,
    "request_payment": _on_pause,
    "payment_received": _on_resume,
    "complete": _on_complete,
    "return_result": _on_return,
    "withdraw": _on_close,
    "stop": _on_close,
}
CLOCK_STOPPING = {"complete", "refuse", "withdraw", "stop"}


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


def _authorise(user, dossier: Dossier, rule: workflow.Rule) -> None:
    if not may_take(user, rule, dossier):
        raise Forbidden(_("Bạn không có quyền thực hiện thao tác “%(action)s” với hồ sơ này.") % {"action": rule.label})


@transaction.atomic
def dossier_transition(
    *,
    dossier_id: int,
    action: str,
    actor,
    reason: str = "",
    to_unit: Unit | None = None,
    at=None,
    version: int | None = None,
    approved: bool = True,
    documents: list[str] | None = None,
) -> Dossier:
    """Take `action` on a dossier: the one write path for every status change.

    `documents` lists what the citizen must add (request_supplement, printed on Mẫu 02).

    The row is locked for the transaction, so of two officers acting at once exactly
    one wins and the other gets a 409; `version` detects a change since the caller read it.
    """
    rule = workflow.RULES.get(action)
    if rule is None:
        raise InvalidInput(UNKNOWN_ACTION, fields={"action": UNKNOWN_ACTION})
    dossier = _lock(dossier_id, version)
    if dossier.status not in rule.sources:
        raise InvalidTransition(NOT_ALLOWED_NOW, fields={"action": NOT_ALLOWED_NOW})
    _authorise(actor, dossier, rule)
    reason = (reason or "").strip()
    if rule.needs_reason and not reason:
        raise InvalidInput(REASON_REQUIRED, fields={"reason": REASON_REQUIRED})
    last = dossier.events.order_by("-effective_at").values_list("effective_at", flat=True).first()
    at = effective_time(requested=at, not_before=last)
    if action == "accept":
        from .intake import dossier_start

        dossier_start(dossier=dossier, actor=actor, at=at)
        return _bump(dossier)
    params = {
        "action": action,
        "reason": reason,
        "to_unit": to_unit,
        "approved": approved,
        "documents": [d.strip()[:500] for d in documents or () if d.strip()][:50],
    }
    return _apply(dossier, rule, actor=actor, at=at, params=params)


def _apply(dossier, rule, *, actor, at, params: dict) -> Dossier:
    from_status = dossier.status
    EFFECTS[rule.action](dossier, actor, at, params)
    dossier.status = rule.target
    dossier.save()
    if rule.action in CLOCK_STOPPING:
        clock_record(dossier=dossier, kind=ClockEntry.Kind.STOP, at=at)
    state = dossier_clock_sync(dossier=dossier, at=at)
    if rule.action in CLOCK_STOPPING and from_status != Status.SUBMITTED:
        dossier.timeliness = dossier_timeliness(dossier=dossier, state=state, finished_at=at)
    event = event_record(
        dossier=dossier,
        action=rule.action,
        actor=actor,
        at=at,
        from_status=from_status,
        to_status=rule.target,
        reason=params["reason"],
        data=_event_data(dossier, params),
    )
    dossier_changed(dossier=dossier, event=event)
    return _bump(dossier)


def _event_data(dossier: Dossier, params: dict) -> dict:
    data = {"unit": dossier.current_unit.code}
    if params["action"] == "complete":
        data["approved"] = params["approved"]
    if params["action"] == "request_supplement" and params["documents"]:
        data["documents"] = params["documents"]
    if dossier.due_at:
        data["due_at"] = dossier.due_at.isoformat()
    return data


def _bump(dossier: Dossier) -> Dossier:
    dossier.version += 1
    dossier.save(update_fields=["version", "timeliness", "updated_at"])
    return dossier
