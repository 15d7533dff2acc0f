"""Staff pages under /can-bo/: work queues, intake at the counter, the dossier page.

Views parse, check access through a QuerySet and call one service; every change of a
dossier goes through services.intake, services.routing or services.attachments.
"""

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as gt
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import queues, workflow
from ..access import OFFICERS, grant_of
from ..calendar_store import due_soon_bound
from ..errors import DomainError, InvalidInput
from ..kpi.timeliness import judge
from ..models import Apology, Attachment, Dossier, Procedure, RequiredDocument, ReturnMethod, Status, Unit
from ..numbers import format_moment
from ..people import person_name
from ..presenters import actions_for
from ..printing import money_text
from ..roles import COUNTER_CLERK, UNIT_LEADER, user_roles
from ..services.apologies import apology_can_draft
from ..services.applicants import applicant_clean
from ..services.assignment import NOT_AN_OFFICER, assignable_officers, dossier_assign
from ..services.attachments import attachment_add
from ..services.intake import HandedDocument, dossier_receive
from ..services.routing import SECOND_SUPPLEMENT, UNKNOWN_ACTION, dossier_transition, dossier_transition_check
from .forms import ActionForm, AssignForm, AttachmentForm, IntakeForm

PAGE_SIZE = 50
UNKNOWN_PROCEDURE = _("Không tìm thấy thủ tục; nhập mã TTHC hoặc một phần tên rồi chọn trong danh sách.")
UNKNOWN_UNIT = _("Không có đơn vị nhận với mã này.")
CLERKS_ONLY = _("Chỉ cán bộ một cửa được tiếp nhận hồ sơ.")
# Mẫu 02 slips at intake: the applicant as typed, kept in the session (the last few), never in an address.
GUIDANCE_SESSION_KEY = "intake-guidance"
GUIDANCE_KEPT = 5
GUIDANCE_FIELDS = ("name", "phone", "address", "email")
# Printed forms that follow from the dossier itself rather than an action (workflow.ACTIONS has
# those): (URL name, label, shown when the dossier has…).
RECEIPT_FORM = ("staff:print-receipt", _("In giấy tiếp nhận (Mẫu 01)"), "received")
CONTROL_FORM = ("staff:print-control", _("In phiếu kiểm soát (Mẫu 06)"), "steps")
# Signed PDFs (the edocs app, wired at the top), offered while signing is on (PORTAL_SIGNING_ENABLED).
SIGNED_FORMS = (
    ("edocs:receipt", _("Tải giấy tiếp nhận có chữ ký số (PDF)"), "received"),
    ("edocs:result", _("Tải kết quả điện tử có chữ ký số (PDF)"), "result"),
)


def optional_url(name: str, *args, **kwargs) -> str | None:
    """The URL, or None while the page behind it does not exist (urls_print is separate)."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def is_clerk(user) -> bool:
    return user.is_superuser or COUNTER_CLERK in user_roles(user)


# -- work queues ----------------------------------------------------------------------------


def due_badge(d: Dossier, now, soon) -> tuple[str, str] | None:
    if d.is_paused:
        return "", gt("Tạm dừng")
    if not d.is_open or d.due_at is None:
        return None
    if d.due_at < now:
        return "late", gt("Quá hạn")
    if d.due_at < soon:
        return "soon", gt("Sắp đến hạn")
    return "ok", gt("Còn hạn")


@login_required
def home(request):
    """The work queues: each role lands on its real work (dossiers/queues.py)."""
    user, now = request.user, timezone.now()
    soon = due_soon_bound(now)
    visible = Dossier.objects.visible_to(user)
    ctx = queues.queue_context(user, now=now, soon=soon)
    shown = queues.queues_for(ctx)
    counts = queues.queue_counts(visible, ctx, shown)
    q = request.GET.get("q", "").strip()[:100]
    tab = request.GET.get("tab", "")
    tab = tab if tab in counts else queues.landing(ctx, shown)
    if q:
        paginator = Paginator(queues.queue_rows(visible.search(q)), PAGE_SIZE)
    else:
        paginator = Paginator(queues.queue_rows(queues.queue_dossiers(visible, ctx, queues.BY_KEY[tab])), PAGE_SIZE)
        # The counts' figure: no second COUNT (a tab counted apart pages through its first COUNT_CAP rows).
        paginator.count = counts[tab].n if tab in counts else 0
    page = paginator.get_page(request.GET.get("page"))
    for d in page.object_list:
        d.badge = due_badge(d, now, soon)
    context = {
        "tabs": [(x.key, x.label, str(counts[x.key])) for x in shown],
        "tab": "search" if q else tab,
        "q": q,
        "page": page,
        "apologies_to_sign": _apologies_to_sign(user, ctx),
    }
    return render(request, "staff/home.html", context)


def _apologies_to_sign(user, ctx) -> int | None:
    """Leaders land on their signatures: the drafts waiting for them, counted (else None)."""
    if not (ctx.grant.everything or UNIT_LEADER in ctx.grant.roles):
        return None
    drafts = Apology.objects.visible_to(user).waiting_for_signature()
    return drafts.count() if ctx.grant.everything else drafts.filter(unit__in=ctx.units({UNIT_LEADER})).count()


# -- intake ---------------------------------------------------------------------------------


def chosen_procedure(raw: str) -> tuple[Procedure | None, list[Procedure]]:
    """The procedure a clerk typed ("code", "code — name" or part of the name), else candidates."""
    raw = (raw or "").strip()[:200]
    if not raw:
        return None, []
    active = Procedure.objects.active().for_intake()
    found = active.filter(national_code=raw.split("—")[0].strip()).first()
    if found:
        return found, []
    candidates = list(active.search(raw).order_by("national_code")[:20])
    return (candidates[0], []) if len(candidates) == 1 else (None, candidates)


def reception_units(user):
    centres = Unit.objects.centres().filter(is_active=True)
    mine = centres.filter(memberships__user=user)
    return centres if user.is_superuser and not mine.exists() else mine


def guidance_url(request, procedure: Procedure, missing: list[RequiredDocument]) -> str | None:
    """Mẫu 02: the guidance slip listing everything missing, pre-filled with the applicant.

    The applicant's details stay in the clerk's session under a random slip number: an address
    holds no personal data (it lands in logs, histories and referrers)."""
    base = optional_url("staff:print-guidance")
    if base is None:
        return None
    slip = secrets.token_urlsafe(9)
    kept = list(request.session.get(GUIDANCE_SESSION_KEY, {}).items())[-(GUIDANCE_KEPT - 1) :]
    applicant = {k: request.POST.get(k, "").strip()[:300] for k in GUIDANCE_FIELDS}
    request.session[GUIDANCE_SESSION_KEY] = dict(kept) | {slip: applicant}
    query = {"procedure": procedure.national_code, "missing": ",".join(str(d.pk) for d in missing), "phieu": slip}
    return f"{base}?{urlencode(query)}"


@login_required
def intake(request):
    if not is_clerk(request.user):
        raise PermissionDenied(CLERKS_ONLY)
    raw = request.POST.get("procedure") if request.method == "POST" else request.GET.get("procedure", "")
    procedure, candidates = chosen_procedure(raw)
    context = {
        "procedures": Procedure.objects.active().order_by("national_code").only("national_code", "name"),
        "procedure": procedure,
        "candidates": candidates,
        "procedure_query": raw or "",
        "unknown_procedure": UNKNOWN_PROCEDURE if raw and not procedure and not candidates else "",
    }
    if procedure is None:
        return render(request, "staff/intake.html", context)
    units = reception_units(request.user)
    if request.method != "POST":
        context["form"] = IntakeForm(procedure=procedure, units=units, initial={"receiving_unit": units.first()})
        return render(request, "staff/intake.html", context)
    return intake_submit(request, procedure, units, context)


def intake_submit(request, procedure, units, context):
    handed = set(request.POST.getlist("documents"))
    documents = list(procedure.documents.all())
    missing = [d for d in documents if d.is_mandatory and str(d.pk) not in handed]
    if missing:
        # Not received, no clock: the citizen gets the guidance slip (Decree 118/2025, Mẫu 02).
        initial = {**request.POST.dict(), "documents": sorted(handed)}
        context.update(
            form=IntakeForm(procedure=procedure, units=units, initial=initial),
            missing=missing,
            guidance_url=guidance_url(request, procedure, missing),
        )
        return render(request, "staff/intake.html", context, status=422)
    form = IntakeForm(request.POST, procedure=procedure, units=units)
    dossier = form.is_valid() and receive_from_form(request.user, form, procedure, documents)
    if not dossier:
        form.focus_first_error()
        context["form"] = form
        return render(request, "staff/intake.html", context, status=422)
    messages.success(
        request,
        gt("Đã tiếp nhận hồ sơ %(code)s. Hẹn trả: %(due)s.")
        % {"code": dossier.code, "due": format_moment(dossier.due_at)},
    )
    return redirect("staff:dossier", code=dossier.code)


def receive_from_form(user, form: IntakeForm, procedure, documents) -> Dossier | None:
    handed = set(form.cleaned_data["documents"])
    try:
        return dossier_receive(
            procedure=procedure,
            receiving_unit=form.cleaned_data["receiving_unit"],
            applicant=applicant_clean(**form.applicant_data()),
            actor=user,
            channel=form.cleaned_data["channel"],
            documents=[HandedDocument(d.name, d.copy_kind, d.count, d.pk) for d in documents if str(d.pk) in handed],
            set_count=form.cleaned_data["set_count"],
            **form.fee_data(),
            result_delivery=form.cleaned_data["result_delivery"],
            competent_unit=form.cleaned_data.get("competent_unit"),
        )
    except InvalidInput as exc:
        form.add_service_errors(exc.fields or {None: exc.message})
        return None


# -- the dossier page -----------------------------------------------------------------------


def visible_or_404(user, code: str) -> Dossier:
    dossier = Dossier.objects.visible_to(user).for_page().filter(code=code).first()
    if dossier is None:
        raise Http404(gt("Không tìm thấy hồ sơ hoặc bạn không có quyền xem."))
    return dossier


def print_links(d: Dossier) -> list[tuple[str, str | Promise]]:
    present = {e.action for e in d.events.all()}
    if d.received_at:
        present.add("received")
    if d.steps.all():
        present.add("steps")
    results = [a for a in d.attachments.all() if a.kind == Attachment.Kind.RESULT]
    if results and d.status in (Status.DONE, Status.RETURNED):
        present.add("result")
    by_action = tuple((form.url_name, form.label, action) for form, action in workflow.print_forms())
    forms = (RECEIPT_FORM, *by_action, CONTROL_FORM) + (SIGNED_FORMS if settings.PORTAL_SIGNING_ENABLED else ())
    links = [(optional_url(name, code=d.code), label) for name, label, when in forms if when in present]
    return [(url, label) for url, label in links if url]


def action_forms(user, d: Dossier, failed: dict | None) -> list[dict]:
    forms = []
    for name in actions_for(user, d):
        previous = failed if failed and failed.get("action") == name else {}
        action = workflow.ACTIONS[name]
        forms.append({"action": action, "reason": previous.get("reason", ""), "to_unit": previous.get("to_unit", "")})
    return forms


TRANSFER_GROUPS = (
    (Unit.Kind.AGENCY, Unit.Level.PROVINCE, _("Cơ quan chuyên môn cấp tỉnh")),
    (Unit.Kind.DEPARTMENT, Unit.Level.PROVINCE, _("Phòng, ban cấp tỉnh")),
    (Unit.Kind.CENTRE, Unit.Level.PROVINCE, _("Trung tâm Phục vụ hành chính công cấp tỉnh")),
    (Unit.Kind.AGENCY, Unit.Level.COMMUNE, _("Cơ quan cấp xã")),
    (Unit.Kind.DEPARTMENT, Unit.Level.COMMUNE, _("Phòng, ban cấp xã")),
    (Unit.Kind.CENTRE, Unit.Level.COMMUNE, _("Trung tâm Phục vụ hành chính công cấp xã")),
)


def transfer_units(d: Dossier, forms: list[dict]) -> list[tuple[str | Promise, list[Unit]]]:
    """Where the dossier may go, grouped as (group label, units by name): agencies first."""
    if not any(workflow.TO_UNIT in f["action"].asks for f in forms):
        return []
    units = Unit.objects.filter(is_active=True).exclude(pk=d.current_unit_id).order_by("name")
    groups: dict[tuple[str, str], list[Unit]] = {(kind, level): [] for kind, level, _label in TRANSFER_GROUPS}
    for unit in units.only("code", "name", "kind", "level"):
        groups.setdefault((unit.kind, unit.level), []).append(unit)
    labels: dict[tuple[str, str], str | Promise] = {(kind, level): label for kind, level, label in TRANSFER_GROUPS}
    return [(labels.get(key, ""), members) for key, members in groups.items() if members]


def timeline(d: Dossier) -> list[dict]:
    return [
        {
            "event": e,
            "label": workflow.event_label(e.action),
            "late_record": e.recorded_at - e.effective_at > timedelta(minutes=1),
        }
        for e in d.events.all()
    ]


def handed_documents(d: Dossier) -> list[tuple]:
    kinds = dict(RequiredDocument.CopyKind.choices)
    return [(doc, kinds.get(doc.copy_kind, doc.copy_kind)) for doc in d.documents.all()]


def assignment_panel(user, d: Dossier) -> dict | None:
    """Who works on it, and whether this user may claim it or (a leader of the unit holding it)
    give it to one of the unit's officers."""
    if not d.is_open:
        return None
    grant = grant_of(user)
    can_claim = grant.acts_in(d.current_unit_id, OFFICERS) and d.assignee_id != user.pk
    officers = assignable_officers(d) if grant.acts_in(d.current_unit_id, {UNIT_LEADER}) else []
    step = next((s.name for s in reversed(d.steps.all()) if s.started_at and not s.finished_at), "")
    return {"assignee": d.assignee, "step": step, "can_claim": can_claim, "officers": officers}


def render_dossier(request, d: Dossier, *, status=200, error=None, failed=None, attach_form=None):
    forms = action_forms(request.user, d, failed)
    now = timezone.now()
    context = {
        "d": d,
        "can_apologise": d.is_open and d.due_at is not None and apology_can_draft(request.user, d),
        "supplement_warning": SECOND_SUPPLEMENT % {"n": d.supplement_count} if d.supplement_count else "",
        "return_methods": ReturnMethod.choices,
        "documents": handed_documents(d),
        "badge": due_badge(d, now, due_soon_bound(now)),
        "judged_766": judge(d, at=now),  # next to the legal timeliness (docs/rules-766.md)
        "actions": forms,
        "units": transfer_units(d, forms),
        "timeline": timeline(d),
        "prints": print_links(d),
        "receipt_url": optional_url("staff:print-receipt", code=d.code) if d.status == Status.RECEIVED else None,
        "attach_form": attach_form or AttachmentForm(),
        "assignment": assignment_panel(request.user, d),
        "error": error,
        "signing": settings.PORTAL_SIGNING_ENABLED,
        # The dossier's online payments (the payments app, wired at the top), while a gateway is set.
        "payments_url": optional_url("payments:staff", code=d.code) if settings.PORTAL_VNPAY_TMN_CODE else None,
    }
    return render(request, "staff/dossier.html", context, status=status)


@login_required
def dossier(request, code: str):
    return render_dossier(request, visible_or_404(request.user, code))


@login_required
@require_POST
def act(request, code: str):
    d = visible_or_404(request.user, code)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return render_dossier(request, d, status=422, error=UNKNOWN_ACTION)
    data = form.cleaned_data
    kwargs = {"action": data["action"], "actor": request.user, "reason": data["reason"], "approved": form.approved()}
    try:
        if needs_confirmation(d, data["action"]) and not data["confirmed"]:
            dossier_transition_check(dossier_id=d.pk, handover=form.handover(), **kwargs)
            return render_confirmation(request, d, form)
        dossier_transition(
            dossier_id=d.pk,
            to_unit=to_unit_of(data["to_unit"]),
            version=data["version"],
            documents=data["documents"],
            handover=form.handover(),
            **kwargs,
        )
    except DomainError as exc:
        return render_dossier(
            request, visible_or_404(request.user, code), status=exc.status, error=exc.message, failed=data
        )
    messages.success(request, gt("Đã thực hiện: %(label)s.") % {"label": workflow.ACTIONS[data["action"]].label})
    return redirect("staff:dossier", code=code)


def needs_confirmation(d: Dossier, action: str) -> bool:
    """Issue 16: the result and a payment demand are confirmed; so is a second supplement request,
    which makes the dossier late under Decision 766."""
    row = workflow.ACTIONS.get(action)
    return row is not None and (row.confirm or (row.requests_supplement and d.supplement_count >= 1))


def render_confirmation(request, d: Dossier, form: ActionForm):
    """The second step: what the action will do, and the same request again with `confirmed`."""
    action = workflow.ACTIONS[form.cleaned_data["action"]]
    skipped = ("csrfmiddlewaretoken", "confirmed")
    posted = [(k, v) for k, values in request.POST.lists() if k not in skipped for v in values]
    context = {
        "d": d,
        "action": action,
        "posted": posted,
        "refused": not form.approved(),
        "reason": form.cleaned_data["reason"],
        "warning": SECOND_SUPPLEMENT % {"n": d.supplement_count} if action.requests_supplement else "",
        "fee": money_text(d.procedure.fee) if d.procedure.fee else "",
        "results": [a for a in d.attachments.all() if a.kind == Attachment.Kind.RESULT],
    }
    return render(request, "staff/confirm.html", context)


def to_unit_of(code: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise InvalidInput(UNKNOWN_UNIT, fields={"to_unit_code": UNKNOWN_UNIT})
    return unit


@login_required
@require_POST
def assign(request, code: str):
    """Claim the dossier (assignee = oneself) or, as the unit's leader, give it to an officer."""
    d = visible_or_404(request.user, code)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return render_dossier(request, d, status=422, error=gt("Chọn cán bộ được phân công."))
    assignee = get_user_model().objects.filter(username=form.cleaned_data["assignee"]).first()
    try:
        if assignee is None:
            raise InvalidInput(NOT_AN_OFFICER, fields={"assignee": NOT_AN_OFFICER})
        dossier_assign(
            dossier_id=d.pk,
            actor=request.user,
            assignee=assignee,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        return render_dossier(request, visible_or_404(request.user, code), status=exc.status, error=exc.message)
    messages.success(request, gt("Đã giao hồ sơ cho %(name)s.") % {"name": person_name(assignee)})
    return redirect("staff:dossier", code=code)


@login_required
@require_POST
def attach(request, code: str):
    d = visible_or_404(request.user, code)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_dossier(request, d, status=422, attach_form=form)
    try:
        attachment_add(
            dossier=d, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"], actor=request.user
        )
    except DomainError as exc:
        return render_dossier(request, d, status=exc.status, error=exc.message, attach_form=form)
    messages.success(request, gt("Đã đính kèm tệp %(name)s.") % {"name": form.cleaned_data["file"].name})
    return redirect("staff:dossier", code=code)


@login_required
def attachment(request, pk: int):
    visible = Dossier.objects.visible_to(request.user)
    a = get_object_or_404(Attachment.objects.filter(dossier__in=visible.values("pk")), pk=pk)
    return FileResponse(a.file.open("rb"), filename=a.original_name, content_type=a.content_type)
