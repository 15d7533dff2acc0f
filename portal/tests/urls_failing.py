"""The portal's URLs plus one view that fails, to see the 500 page (tests only)."""

from django.urls import path

from portal.urls import handler403, handler404
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler403", "handler404", "urlpatterns"]


def failing(request):
    raise RuntimeError("a bug, for the test of the 500 page")


urlpatterns = [path("hong/", failing), *portal_urlpatterns]
