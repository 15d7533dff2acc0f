"""Public pages: home, the procedure catalogue, the service centres, the status lookup.

Everything works without JavaScript: searches and the lookup are GET forms (the QR
code on the receipt is a lookup link). Lookup answers render on a bare layout — no
session, no CSRF token, nothing echoed from the request — so that a wrong key and
an unknown code give byte-identical pages.
"""

from pathlib import PurePosixPath
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from citizens.identity import citizen_of, oidc_enabled
from dossiers.calendar import format_local
from dossiers.models import Attachment, Field, Procedure, RequiredDocument, Unit
from dossiers.public_status import public_status
from dossiers.services.lookup import LOOKUP_LIMITED, LOOKUP_NOT_FOUND, dossier_lookup
from dossiers.textsearch import Folded, fold
from edocs.services import RESULT_STATUSES, DocumentUnavailable, result_signed, signing_enabled
from edocs.views import signed_file_response
from payments.public import lookup_payment

from .public import procedure_card, procedure_page

PAGE_SIZE = 20
E_RESULT_NOT_READY = gettext_lazy(
    "Kết quả điện tử chưa sẵn sàng để tải về. Vui lòng thử lại sau hoặc liên hệ nơi đã nộp hồ sơ."
)
CENTRES_SHOWN = 12
LOOKUP_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the key is in the address
    "X-Robots-Tag": "noindex",
}


def optional_url(name: str, *args) -> str | None:
    """The URL of a page another app may not have wired yet (feedback), or None."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _text(value: str, limit: int) -> str:
    """Typed or URL text, trimmed; NUL is dropped (PostgreSQL rejects it: a 500 otherwise)."""
    return value.replace("\x00", "").strip()[:limit]


def _links() -> dict:
    return {
        "petitions": optional_url("feedback:petitions"),
        "petition_new": optional_url("feedback:petition-new"),
        # Citizen login with the electronic identity: only when it is configured (off by default).
        "citizen_login": optional_url("citizens:login") if oidc_enabled() else None,
        "citizen_dossiers": optional_url("citizen-dossiers") if oidc_enabled() else None,
    }


def _page(request, template: str, context: dict, *, status: int = 200):
    return render(request, template, {"links": _links(), **context}, status=status)


def _active_fields():
    return (
        Field.objects.filter(procedures__is_active=True).annotate(procedure_count=Count("procedures")).order_by("name")
    )


@require_safe
def home(request):
    return _page(request, "public/home.html", {"fields": _active_fields()})


@require_safe
def procedures(request):
    q, field = _text(request.GET.get("q", ""), 200), _text(request.GET.get("field", ""), 32)
    rows = Procedure.objects.active().search(q).select_related("field")
    if field:
        rows = rows.filter(field__code=field)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"q": q, "field": field, "fields": _active_fields(), "page": page}
    return _page(request, "public/procedures.html", {**context, "cards": [procedure_card(p) for p in page]})


@require_safe
def procedure(request, national_code: str):
    p = get_object_or_404(
        Procedure.objects.active().select_related("field", "lead_agency").prefetch_related("documents"),
        national_code=_text(national_code, 32),
    )
    centres = Unit.objects.centres().filter(is_active=True, level=p.level).order_by("name")
    context = {
        "p": procedure_page(p),
        "level": p.level,
        "centres": centres[:CENTRES_SHOWN],
        "centre_count": centres.count(),
    }
    return _page(request, "public/procedure.html", context)


@require_safe
def blank_form(request, national_code: str, position: int):
    """A required document's blank form (tờ khai) to fill in before coming to the counter."""
    document = get_object_or_404(
        RequiredDocument.objects.filter(procedure__is_active=True).exclude(blank_form=""),
        procedure__national_code=_text(national_code, 32),
        position=position,
    )
    extension = PurePosixPath(document.blank_form.name).suffix.lower()
    name = f"{slugify(document.name)[:80] or 'mau'}{extension}"
    return FileResponse(document.blank_form.open("rb"), as_attachment=True, filename=name)


@require_safe
def centres(request):
    q, level = _text(request.GET.get("q", ""), 200), request.GET.get("level", "")
    rows = Unit.objects.centres().filter(is_active=True)
    if folded := fold(q):  # "phuong nha trang" finds "Phường Nha Trang"
        rows = rows.alias(_name=Folded("name"), _address=Folded("address")).filter(
            Q(_name__contains=folded) | Q(_address__contains=folded) | Q(code__icontains=q)
        )
    if level in Unit.Level.values:
        rows = rows.filter(level=level)
    # Province centre first, then the communes' (the page groups by level).
    order = Case(When(level=Unit.Level.PROVINCE, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = rows.order_by(order, "name")
    context = {"q": q, "level": level, "levels": Unit.Level.choices, "centres": rows}
    return _page(request, "public/centres.html", context)


@require_safe
def lookup(request):
    """The lookup form; a filled-in form goes to the result page (the address the QR code prints)."""
    code = _text(request.GET.get("code", "").replace("/", ""), 48)
    key = _text(request.GET.get("key", ""), 32)
    if code and key:
        return redirect(f"{reverse('lookup-result', args=[code])}?{urlencode({'key': key})}")
    errors = {}
    if request.GET:
        errors = {
            name: message
            for name, value, message in (
                ("code", code, _("Nhập mã hồ sơ.")),
                ("key", key, _("Nhập mã tra cứu hoặc số giấy tờ tùy thân.")),
            )
            if not value
        }
    context = {"code": code, "errors": errors, "citizen": citizen_of(request)}
    return _page(request, "public/lookup.html", context)


def _refused(request, dossier, retry_after: int):
    """The lookup's answer when it finds nothing (or too often): the same for every page behind a key."""
    if retry_after:
        context = {"message": LOOKUP_LIMITED, "retry_after": retry_after}
        return _bare(request, "public/lookup_refused.html", context, status=429, retry_after=retry_after)
    if dossier is None:
        return _bare(request, "public/lookup_refused.html", {"message": LOOKUP_NOT_FOUND}, status=404)
    return None


@require_safe
def lookup_result(request, code: str):
    key = request.GET.get("key", "")
    dossier, retry_after = dossier_lookup(request, code=code, key=key)
    refused = _refused(request, dossier, retry_after)
    if refused is not None or dossier is None:  # no dossier: _refused's 404
        return refused
    if key.strip().upper() != dossier.lookup_key:
        # Found by the ID number: continue on the receipt's link, so the number leaves the address bar.
        return redirect(f"{reverse('lookup-result', args=[dossier.code])}?{urlencode({'key': dossier.lookup_key})}")
    status = public_status(dossier)
    context = {
        "s": status,
        "due_text": format_local(status["due_at"]) if status["due_at"] else "",
        "before_apology_text": _before_apology_text(status),
        "rate_url": _rate_url(dossier) if status["is_finished"] else None,
        "petition_url": _petition_url(dossier),
        "e_result_url": _e_result_url(dossier, status),
        "fee": lookup_payment(dossier),
    }
    return _bare(request, "public/lookup_result.html", context)


def _e_result_url(dossier, status: dict) -> str | None:
    """The signed electronic result's download, once the dossier is done and a result was uploaded."""
    if not signing_enabled() or status["status"] not in RESULT_STATUSES:
        return None
    if not Attachment.objects.filter(dossier_id=dossier.pk, kind=Attachment.Kind.RESULT).exists():
        return None
    return f"{reverse('lookup-result-file', args=[dossier.code])}?{urlencode({'key': dossier.lookup_key})}"


@require_safe
def lookup_result_file(request, code: str):
    """The electronic result signed by the lead unit, behind the same key, limits and 404 as the lookup."""
    dossier, retry_after = dossier_lookup(request, code=code, key=request.GET.get("key", ""))
    refused = _refused(request, dossier if signing_enabled() else None, retry_after)
    if refused is not None or dossier is None:  # no dossier: _refused's 404
        return refused
    try:
        document = result_signed(dossier=dossier)
    except DocumentUnavailable:
        return _bare(request, "public/lookup_refused.html", {"message": E_RESULT_NOT_READY}, status=404)
    response = signed_file_response(document)
    for header, value in LOOKUP_HEADERS.items():
        response[header] = value
    return response


def _before_apology_text(status: dict) -> str:
    """The appointment the last apology moved (pauses may have moved the very first one too)."""
    return format_local(status["apologies"][-1]["original_due_at"]) if status["apologies"] else ""


def _rate_url(dossier) -> str | None:
    url = optional_url("feedback:rate", dossier.code)
    return f"{url}?{urlencode({'key': dossier.lookup_key})}" if url else None


def _petition_url(dossier) -> str | None:
    # With the key: the petition then reaches the agency that holds the dossier (feedback.services.petitions).
    url = optional_url("feedback:petition-new")
    return f"{url}?{urlencode({'dossier': dossier.code, 'key': dossier.lookup_key})}" if url else None


def _bare(request, template: str, context: dict, *, status: int = 200, retry_after: int = 0):
    response = render(request, template, {"links": _links(), **context}, status=status)
    for header, value in LOOKUP_HEADERS.items():
        response[header] = value
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
