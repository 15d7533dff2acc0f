"""Error pages in Vietnamese, in the portal's style, each with a way back (Django's are English).

The templates (404.html, 403.html, 500.html, errors/csrf.html) use no session and no database:
a 500 is rendered by Django's own handler with no context at all.
"""

from django.shortcuts import render

STAFF_PREFIXES = ("/can-bo/", "/admin/", "/giam-sat/")


def _error(request, template: str, status: int, **context):
    context["staff_page"] = request.path.startswith(STAFF_PREFIXES)
    return render(request, template, context, status=status)


def not_found(request, exception=None):
    return _error(request, "404.html", 404)


def forbidden(request, exception=None):
    """The reason our views give (e.g. "only counter clerks receive dossiers"); Django's own are empty."""
    reason = str(exception.args[0]) if exception is not None and exception.args else ""
    return _error(request, "403.html", 403, reason=reason)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token (expired page, blocked cookies)."""
    return _error(request, "errors/csrf.html", 403)
