"""Read models shared by the API and the staff pages."""

from django.utils import timezone

from . import workflow
from .access import may_take
from .models import Dossier, Status
from .people import person_name


def actions_for(user, dossier: Dossier) -> list[str]:
    """The actions this user may take on the dossier now (`complete` only at the procedure's
    last processing step, by that step's role: services.routing.completion_step_problem)."""
    from .services.routing import completion_step_problem

    if not dossier.is_open and dossier.status != Status.DONE:
        return []
    actions = [a.name for a in workflow.allowed_actions(dossier.status) if may_take(user, a, dossier)]
    if "complete" in actions and completion_step_problem(dossier, user) is not None:
        actions.remove("complete")
    return actions


def dossier_detail(d: Dossier, user) -> dict:
    """The API's dossier, read from one loaded with `Dossier.objects.for_page()`."""
    return {
        "code": d.code,
        "status": d.status,
        "status_label": str(Status(d.status).label),
        "received_at": d.received_at,
        "due_at": d.due_at,
        "lookup_key": d.lookup_key,
        "channel_code": d.channel_code,
        "procedure_code": d.procedure.national_code,
        "procedure_name": d.procedure.name,
        "channel": d.channel,
        "result_delivery": d.result_delivery,
        "applicant": {
            "name": d.applicant_name,
            "id_type": d.applicant_id_type,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
            "address": d.applicant_address,
        },
        "receiving_unit_code": d.receiving_unit.code,
        "lead_unit_code": d.lead_unit.code,
        "current_unit_code": d.current_unit.code,
        "due_at_original": d.due_at_original,
        "paused_at": d.paused_at,
        "finished_at": d.finished_at,
        "returned_at": d.returned_at,
        "timeliness": d.timeliness,
        "timeliness_766": d.timeliness_766,
        "is_overdue": d.is_overdue(timezone.now()),
        "supplement_count": d.supplement_count,
        "fee": d.fee,
        "fee_exempt_reason": d.fee_exempt_reason,
        "supplements_make_late": d.supplements_make_late,
        "handover": handover_of(d),
        "version": d.version,
        "assignee": d.assignee.get_username() if d.assignee else None,
        "allowed_actions": actions_for(user, d),
        "steps": [_step(s) for s in d.steps.all()],
        "events": [_event(e) for e in d.events.all()],
        "apologies": apologies_of(d),
    }


def handover_of(d: Dossier) -> dict | None:
    if not d.return_method:
        return None
    return {
        "method": d.return_method,
        "by_proxy": d.return_by_proxy,
        "recipient_name": d.return_recipient_name,
        "recipient_id_number": d.return_recipient_id_number,
        "tracking_number": d.return_tracking_number,
        "result_url": d.return_result_url,
    }


def _step(s) -> dict:
    return {
        "position": s.position,
        "name": s.name,
        "unit_code": s.unit.code,
        "unit_name": s.unit.name,
        "budget_hours": s.budget_hours,
        "started_at": s.started_at,
        "due_at": s.due_at,
        "finished_at": s.finished_at,
        "timeliness": s.timeliness,
        "is_adhoc": s.is_adhoc,
    }


def _event(e) -> dict:
    return {
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "actor": person_name(e.actor) or None,
        "unit_code": e.unit.code if e.unit else None,
        "effective_at": e.effective_at,
        "recorded_at": e.recorded_at,
        "reason": e.reason,
        "data": e.data,
    }


def apologies_of(d: Dossier) -> list[dict]:
    return [apology_out(a) for a in d.apologies.all()]


def apology_out(a) -> dict:
    return {
        "number": a.number,
        "unit_code": a.unit.code,
        "reason": a.reason,
        "original_due_at": a.original_due_at,
        "new_due_at": a.new_due_at,
        "issued_at": a.issued_at,
        "issued_after_due": a.issued_after_due,
        "status": a.status,
        "review_comment": a.review_comment,
    }
