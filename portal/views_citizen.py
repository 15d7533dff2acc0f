"""A logged-in citizen's pages: "my dossiers" and each dossier's status, without a lookup key.

The citizen comes from the session (citizens.identity); their dossiers are those whose applicant ID
number is the number the identity provider verified (Dossier.objects.of_applicant, dossiers/access.py).
Nothing here puts the key or the ID number in an address, and the pages show what the public lookup
shows — no ID number, no phone — plus the citizen's own name.
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from citizens.identity import citizen_of, oidc_enabled
from dossiers.calendar import format_local
from dossiers.models import Dossier
from dossiers.public_status import public_status

from .views import _before_apology_text, _links, _text, optional_url

PAGE_SIZE = 20
# Personal pages: never cached nor indexed. Their addresses hold no secret, so the site's referrer
# policy (same-origin) stays: under "no-referrer" Chromium posts forms with `Origin: null`, which
# Django's CSRF check refuses (the logout button).
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
NOT_YOURS = _("Không tìm thấy hồ sơ này trong các hồ sơ mang số định danh cá nhân của bạn.")


def _private(response):
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    # The logout form ends at the provider (RP-initiated logout): the Content-Security-Policy lets
    # forms go there (form-action covers the redirect), and nowhere else but the site.
    issuer = urlsplit(settings.PORTAL_OIDC_ISSUER)
    if issuer.scheme and issuer.netloc:
        response._csp_update = {"form-action": f"{issuer.scheme}://{issuer.netloc}"}
    return response


def _citizen_or_404(request):
    if not oidc_enabled():
        raise Http404
    return citizen_of(request)


def _row(dossier: Dossier) -> dict:
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "status": dossier.status,
        "status_label": dossier.status_label,
        "due_text": format_local(dossier.due_at) if dossier.due_at else "",
    }


@require_safe
def dossiers(request):
    """The citizen's dossiers, newest first; a login button for anyone else."""
    citizen = _citizen_or_404(request)
    if citizen is None:
        return _private(render(request, "public/citizen_login.html", {"links": _links()}))
    rows = Dossier.objects.of_applicant(citizen.id_number).select_related("procedure").order_by("-submitted_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"links": _links(), "citizen": citizen, "page": page, "rows": [_row(d) for d in page]}
    return _private(render(request, "public/citizen_dossiers.html", context))


@require_safe
def dossier(request, code: str):
    """One of the citizen's dossiers: the public status page, reached by the session, not a key."""
    citizen = _citizen_or_404(request)
    if citizen is None:
        return redirect("citizen-dossiers")
    found = Dossier.objects.of_applicant(citizen.id_number).select_related("procedure", "current_unit", "lead_unit")
    found = found.filter(code=_text(code, 48)).first()
    if found is None:
        context = {"links": _links(), "message": NOT_YOURS}
        return _private(render(request, "public/lookup_refused.html", context, status=404))
    status = public_status(found)
    petition_url = optional_url("feedback:petition-new")
    context = {
        "links": _links(),
        "s": status,
        "due_text": format_local(status["due_at"]) if status["due_at"] else "",
        "before_apology_text": _before_apology_text(status),
        "rate_url": optional_url("feedback:rate", found.code) if status["is_finished"] else None,
        "petition_url": f"{petition_url}?{urlencode({'dossier': found.code})}" if petition_url else None,
    }
    return _private(render(request, "public/citizen_dossier.html", context))
