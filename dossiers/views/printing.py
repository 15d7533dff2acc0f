"""Printed forms (Mẫu 01–07) and the register: staff pages, read-only."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import printing
from ..keyset import keyset_page
from ..models import Dossier
from .staff import GUIDANCE_SESSION_KEY

FORMS = {
    "receipt": printing.receipt_context,
    "supplement": printing.supplement_context,
    "completion": printing.completion_context,
    "refusal": printing.refusal_context,
    "stop": printing.stop_context,
    "control": printing.control_context,
}


def _render(request, context: dict) -> HttpResponse:
    template = printing.form_template(context["form"], context["form_version"])
    return HttpResponse(template.render(context, request))


def form_view(form: str):
    """A view printing one form of a dossier the user can see."""
    build = FORMS[form]

    @require_GET
    @login_required
    def view(request, code: str) -> HttpResponse:
        dossier = printing.dossier_for_print(request.user, code)
        return _render(request, build(dossier))

    view.__name__ = f"print_{form}"
    return view


@require_GET
@login_required
def guidance(request) -> HttpResponse:
    """Mẫu 02 at intake: an incomplete dossier is not received; the citizen gets this list.

    The applicant comes from the clerk's session (`?phieu=` names the slip, views.staff.guidance_url);
    an unknown slip prints blank lines to fill in by hand."""
    slips = request.session.get(GUIDANCE_SESSION_KEY, {})
    applicant = slips.get(request.GET.get("phieu", ""), {})
    return _render(request, printing.guidance_context(request.user, request.GET, applicant=applicant))


@require_GET
@login_required
def register(request) -> HttpResponse | FileResponse:
    """Mẫu 07: the register, filtered, a page at a time (`?cursor=`, dossiers/keyset.py: no COUNT,
    no OFFSET); `?format=xlsx` exports all matching rows."""
    form = printing.RegisterFilter(request.GET or None, user=request.user)
    cleaned = _filters(form)
    queryset = printing.register_queryset(Dossier.objects.visible_to(request.user), cleaned)
    if request.GET.get("format") == "xlsx":
        return _register_xlsx(queryset)
    page = keyset_page(
        queryset, fields=printing.REGISTER_ORDER, size=printing.REGISTER_PAGE_SIZE, cursor=request.GET.get("cursor")
    )
    unit = cleaned.get("unit") or printing.own_unit(request.user)
    context = {
        "form": form,
        "filters": cleaned,
        "page": page,
        "lines": [printing.register_line(n, d) for n, d in enumerate(page.object_list, start=page.start)],
        "columns": printing.REGISTER_COLUMNS,
        "header": printing.header_for(unit, at=timezone.now()),
        "form_version": printing.DEFAULT_FORM_VERSION,
    }
    return render(request, f"print/{printing.DEFAULT_TEMPLATE_DIR}/register.html", context)


def _filters(form) -> dict:
    if not form.is_bound:
        return {}
    form.is_valid()  # an invalid field is shown as an error; the valid ones still filter
    return form.cleaned_data


def _register_xlsx(queryset) -> FileResponse:
    # A temporary file rather than memory: openpyxl's write-only mode streams rows to disk.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    printing.register_xlsx(queryset, file)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename="so-theo-doi.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
