"""Apology and new appointment (Mẫu 04): draft, sign, print, and the leader's waiting list.

The unit holding the dossier drafts; the leader of that unit signs (services.apologies);
the printed letter carries the head of the agency at fault's signature and seal.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as gt
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import printing
from ..access import OFFICERS, grant_of
from ..calendar import LOCAL_TZ
from ..errors import DomainError
from ..models import OPEN, Apology, Dossier
from ..services.apologies import (
    LEADER_ONLY,
    NOT_AT_FAULT,
    NOT_EDITABLE,
    NOT_OPEN,
    PAUSED,
    apology_can_draft,
    apology_can_edit,
    apology_can_sign,
    apology_draft,
    apology_edit,
    apology_return,
    apology_sign,
    new_due_checked,
    new_due_for,
)

QUICK_EXTENSIONS = (1, 2, 3, 5)
APOLOGY_SUFFIX = "VBXL"
DRAFTED = _("Đã soạn văn bản xin lỗi; chờ lãnh đạo đơn vị ký.")
EXTENSION_TOO_LONG = _("Gia hạn tối đa %(limit_value)s ngày làm việc.")
SIGNED = _("Đã ký văn bản xin lỗi số %(number)s; ngày hẹn mới %(due)s đã được gửi cho công dân.")
RETURNED = _("Đã trả lại văn bản xin lỗi để đơn vị sửa.")
EDITED = _("Đã sửa văn bản xin lỗi; văn bản chờ lãnh đạo đơn vị ký.")


class ApologyForm(forms.Form):
    # Required-ness is the service's rule (REASON_REQUIRED, NEW_DUE_REQUIRED): one message for all channels.
    reason = forms.CharField(
        label=_("Lý do chậm trễ"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    extension_days = forms.DecimalField(
        label=_("Gia hạn thêm (ngày làm việc)"), min_value=Decimal("0.5"), decimal_places=1, required=False
    )
    new_due_at = forms.DateTimeField(
        label=_("Hoặc nhập ngày hẹn mới (dd/mm/yyyy HH:MM)"),
        input_formats=["%d/%m/%Y %H:%M"],
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy HH:MM", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The same limit as the service's for a typed date (services.apologies.latest_new_due).
        most = settings.PORTAL_MAX_EXTENSION_DAYS
        self.fields["extension_days"].validators.append(MaxValueValidator(most, message=EXTENSION_TOO_LONG))
        self.fields["extension_days"].widget.attrs["max"] = most

    def add_service_error(self, exc: DomainError) -> None:
        fields = exc.fields or {None: exc.message}
        for name, message in fields.items():
            self.add_error(name if name in self.fields else None, str(message))


def _dossier_or_404(user, code: str) -> Dossier:
    dossier = (
        Dossier.objects.visible_to(user)
        .select_related("procedure", "current_unit", "lead_unit", "receiving_unit")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise Http404(gt("Không tìm thấy hồ sơ hoặc bạn không có quyền xem."))
    return dossier


def _apologies_for(user):
    """Apologies of dossiers the user sees (the unit at fault handled a step: it sees them)."""
    queryset = Apology.objects.select_related(
        "dossier__procedure", "dossier__receiving_unit__parent", "unit__parent", "drafted_by", "signed_by"
    )
    return queryset.visible_to(user)


def _apology_or_404(user, pk: int) -> Apology:
    apology = _apologies_for(user).filter(pk=pk).first()
    if apology is None:
        raise Http404(gt("Không tìm thấy văn bản xin lỗi."))
    return apology


# -- drafting --------------------------------------------------------------------------------


def _proposals(dossier: Dossier) -> list[tuple[int, object]]:
    if dossier.due_at is None:
        return []
    return [(days, new_due_for(dossier, Decimal(days))) for days in QUICK_EXTENSIONS]


@require_http_methods(["GET", "POST"])
@login_required
def apology_new(request, code: str):
    dossier = _dossier_or_404(request.user, code)
    form = ApologyForm(request.POST or None)
    allowed = apology_can_draft(request.user, dossier)
    context = {
        "d": dossier,
        "form": form,
        "proposals": _proposals(dossier),
        "blocked": _blocked_reason(dossier, allowed),
    }
    if not form.is_bound:
        return render(request, "supervision/apology_new.html", context)
    if not form.is_valid():
        return render(request, "supervision/apology_new.html", context, status=422)
    if "preview" in request.POST:
        try:
            context["proposal"] = _preview(dossier, form)
        except DomainError as exc:
            form.add_service_error(exc)
            return render(request, "supervision/apology_new.html", context, status=exc.status)
        return render(request, "supervision/apology_new.html", context)
    try:
        apology = apology_draft(dossier_id=dossier.pk, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        form.add_service_error(exc)
        return render(request, "supervision/apology_new.html", context, status=exc.status)
    messages.success(request, DRAFTED)
    return redirect("staff:apology", pk=apology.pk)


def _blocked_reason(dossier: Dossier, allowed: bool):
    if not allowed:
        return NOT_AT_FAULT
    if dossier.status not in OPEN:
        return NOT_OPEN
    return PAUSED if dossier.due_at is None else None


def _preview(dossier: Dossier, form: ApologyForm):
    """The appointment the engine proposes (or the one typed), checked as a draft would be, without
    drafting anything."""
    proposal = form.cleaned_data["new_due_at"]
    if not proposal and form.cleaned_data["extension_days"] and dossier.due_at:
        proposal = new_due_for(dossier, form.cleaned_data["extension_days"])
    return new_due_checked(dossier, proposal) if proposal and dossier.due_at else None


# -- reading and signing -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def apology(request, pk: int):
    """The letter; its head signs it (after a confirmation step) or returns it with a comment."""
    item = _apology_or_404(request.user, pk)
    if request.method != "POST":
        return _render_apology(request, item)
    op = request.POST.get("op", "sign")
    if op == "sign" and request.POST.get("confirmed") != "on":
        if not apology_can_sign(request.user, item):
            return _render_apology(request, item, error=str(LEADER_ONLY), status=403)
        return _render_apology(request, item, confirm_sign=True)
    try:
        if op == "return":
            item = apology_return(apology_id=item.pk, actor=request.user, comment=request.POST.get("comment", ""))
            messages.success(request, RETURNED)
            return redirect("staff:apology", pk=item.pk)
        item = apology_sign(apology_id=item.pk, actor=request.user)
    except DomainError as exc:
        return _render_apology(request, item, error=exc.message, status=exc.status)
    due = item.new_due_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
    messages.success(request, str(SIGNED) % {"number": item.number, "due": due})
    return redirect("staff:apology", pk=item.pk)


def _render_apology(request, item: Apology, *, error=None, status=200, confirm_sign=False):
    context = {
        "a": item,
        "d": item.dossier,
        "can_sign": apology_can_sign(request.user, item),
        "can_edit": apology_can_edit(request.user, item),
        "confirm_sign": confirm_sign,
        "error": error,
        "signing": settings.PORTAL_SIGNING_ENABLED,  # the signed PDF (edocs) is offered
    }
    return render(request, "supervision/apology.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def apology_change(request, pk: int):
    """Rework a draft: the head edits it, or its unit after the head returned it."""
    item = _apology_or_404(request.user, pk)
    if not apology_can_edit(request.user, item):
        return _render_apology(request, item, error=str(NOT_EDITABLE), status=403)
    initial = {"reason": item.reason, "extension_days": item.extension_days}
    if item.extension_days is None:
        initial["new_due_at"] = item.new_due_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
    form = ApologyForm(request.POST or None, initial=initial)
    context = {"d": item.dossier, "a": item, "form": form, "proposals": _proposals(item.dossier), "editing": True}
    if not form.is_bound:
        return render(request, "supervision/apology_new.html", context)
    if not form.is_valid():
        return render(request, "supervision/apology_new.html", context, status=422)
    if "preview" in request.POST:
        context["proposal"] = _preview(item.dossier, form)
        return render(request, "supervision/apology_new.html", context)
    try:
        apology_edit(apology_id=item.pk, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        form.add_service_error(exc)
        return render(request, "supervision/apology_new.html", context, status=exc.status)
    messages.success(request, EDITED)
    return redirect("staff:apology", pk=item.pk)


@require_GET
@login_required
def apologies(request):
    """Drafts waiting for a leader's signature, in the user's units (and those below)."""
    queryset = _apologies_for(request.user).waiting_for_signature()
    if not request.user.is_superuser:
        grant = grant_of(request.user)
        queryset = queryset.filter(unit__in=sorted(grant.units_with(OFFICERS) | grant.subtree))
    items = list(queryset.order_by("original_due_at", "id")[:200])
    for item in items:
        item.signable = apology_can_sign(request.user, item)
    return render(request, "supervision/apologies.html", {"items": items})


# -- Mẫu 04, printed -----------------------------------------------------------------------------


def print_context(item: Apology) -> dict:
    dossier = item.dossier
    number, _sep, suffix = (item.number or f"……/{APOLOGY_SUFFIX}").partition("/")
    header = printing.header_for(
        item.unit, at=item.issued_at, suffix=suffix, number=number, place_unit=dossier.receiving_unit
    )
    return {
        "form": "apology",
        "form_version": dossier.form_version or printing.DEFAULT_FORM_VERSION,
        "apology": item,
        "dossier": dossier,
        "procedure": dossier.procedure,
        "applicant": {
            "name": dossier.applicant_name,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
        },
        "header": header,
        # Every Mẫu 04 names the appointment of the receipt (Mẫu 01), not an earlier apology's new date.
        "receipt_due_at": dossier.due_at_original or item.original_due_at,
        "signer": printing.person_name(item.signed_by),
        "is_draft": item.status != Apology.Status.SIGNED,
    }


@require_GET
@login_required
def print_apology(request, pk: int) -> HttpResponse:
    context = print_context(_apology_or_404(request.user, pk))
    template = printing.form_template("apology", context["form_version"])
    return HttpResponse(template.render(context, request))
