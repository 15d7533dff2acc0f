"""Bench-only URLconf and WSGI entry point for bench/bench_load.py.

The portal's own URLs plus `GET /bench/raw/<code>/?key=`, the baseline of the public
lookup: one `.values(...).first()` of the dossier row by code, the key compared, a small
JSON answer. No rate limits, no second query, no timeline.

    gunicorn -c deploy/gunicorn.conf.py "bench.load_urls:application()"

BENCH_CACHE_PREFIX (environment) gives the server's cache keys a prefix of their own, so
the bench's rate-limit counters neither meet nor outlive those of anything else sharing
the Redis database.
"""

import os

RAW_PATH = "bench/raw/<str:code>/"
RAW_FIELDS = ("code", "lookup_key", "status", "received_at", "due_at", "paused_at")


def raw_lookup(request, code: str):
    """The baseline: the same row by the same unique code, straight to JSON."""
    from django.http import JsonResponse

    from dossiers.models import Dossier

    row = Dossier.objects.filter(code=code).values(*RAW_FIELDS).first()
    if row is None or row.pop("lookup_key") != request.GET.get("key", "").upper():
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse(row)


def __getattr__(name: str):
    """`urlpatterns`, built on first use: the module is imported before Django is set up."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, path

    return [path(RAW_PATH, raw_lookup), path("", include("portal.urls"))]


def application():
    """gunicorn "bench.load_urls:application()": the portal with this module as URLconf."""
    import django
    from django.conf import settings

    if prefix := os.environ.get("BENCH_CACHE_PREFIX"):
        settings.CACHES["default"]["KEY_PREFIX"] = prefix  # before the first use of the cache
    django.setup()
    settings.ROOT_URLCONF = "bench.load_urls"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
