"""Test-wide fixtures: service detection, skipping rules and factories.

Outside CI, tests needing PostgreSQL, Redis or Chromium skip with a reason when the
service is absent; with CI=true they fail instead, so nothing is skipped silently.
"""

import os
import shutil
import socket
from contextlib import contextmanager

import pytest
from django.conf import settings

# world / receive / local: shared by the dossiers, feedback and portal suites; signing: edocs, payments.
pytest_plugins = ["dossiers.tests.fixtures", "edocs.tests.fixtures"]

IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _redis_available() -> bool:
    from urllib.parse import urlparse

    url = urlparse(REDIS_URL)
    return _port_open(url.hostname or "127.0.0.1", url.port or 6379)


def _missing(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if marker == "redis" and not _redis_available():
        return f"needs Redis at {REDIS_URL}"
    if marker == "browser":
        if not CHROMIUM:
            return "needs Debian's chromium (apt-get install chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs playwright (pip install -r requirements/dev.txt)"
    return None


def pytest_configure(config):
    # Hashing test passwords with PBKDF2 would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not settings.REDIS_URL:
        # Without Redis, a per-process cache (the embedded file cache would be shared between runs).
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing(marker)
        if reason and IN_CI:
            pytest.fail(f"CI=true and a service is missing: {reason}")
        elif reason:
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English (Accept-Language) leaves
    English active in the thread, which must not leak into the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (rate-limit windows, counters)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture(autouse=True)
def _kicks_drained():
    """The outbox kicks run on a thread (dossiers.services.kicks): none left running into the
    next test, whose cache and broker it would touch."""
    from dossiers.services.kicks import kicks_drain

    kicks_drain()
    yield
    assert kicks_drain(), "a kick was still running 10 s after the test"


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks):
    """pytest-django's, waiting at the end of the block for the kicks the callbacks handed to the
    kicker thread: what a test asserts next sees them done, as when they ran in the callback."""
    from dossiers.services.kicks import kicks_drain

    @contextmanager
    def capture(**kwargs):
        with django_capture_on_commit_callbacks(**kwargs) as callbacks:
            yield callbacks
        assert kicks_drain()

    return capture


@pytest.fixture
def redis_url():
    return REDIS_URL


@pytest.fixture
def chromium_path():
    return CHROMIUM


@pytest.fixture(autouse=True)
def _kpi_snapshots_computed_each_time(settings):
    """Tests judge open dossiers at the exact moment, uncached (portal.kpis.SNAPSHOT_SECONDS);
    the tests of the snapshot cache turn it back on."""
    settings.PORTAL_KPI_SNAPSHOT_SECONDS = 0
