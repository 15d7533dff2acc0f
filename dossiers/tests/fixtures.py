"""A small world for lifecycle tests: a centre, an agency, a procedure, three officers (a pytest plugin)."""

import os
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connections

from dossiers.calendar import LOCAL_TZ
from dossiers.services.calendar_days import calendar_seed_holidays
from dossiers.tests.factories import (
    CentreFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    RoutingStepFactory,
    UnitFactory,
    UserFactory,
)

# A receipt as an API client posts it (the demo catalogue's procedure 1.001193, at the user's centre).
API_DOSSIER_BODY = {
    "procedure_code": "1.001193",
    "channel": "counter",
    "applicant": {
        "name": "Lê Văn Cường",
        "id_number": "056190009876",
        "phone": "0914 222 333",
        "email": "cuong@example.vn",
        "address": "5 Yersin, Nha Trang",
    },
}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


@pytest.fixture
def world(db):
    calendar_seed_holidays(years=range(2025, 2028))
    centre = CentreFactory(code="000.00.01.H56", name="Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa")
    other_centre = CentreFactory(code="26734.H56", name="Trung tâm PVHCC phường Nha Trang", level="commune")
    agency = UnitFactory(code="000.00.02.H56", name="Sở Tư pháp")
    other_agency = UnitFactory(code="000.00.03.H56", name="Sở Tài chính")
    procedure = ProcedureFactory(
        national_code="1.001193",
        name="Cấp Phiếu lý lịch tư pháp",
        lead_agency=agency,
        legal_processing_time=Decimal(10),
        time_unit="working_days",
    )
    for position, name in enumerate(("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Bản chụp CCCD"), start=1):
        RequiredDocumentFactory(procedure=procedure, position=position, name=name)
    steps = (
        ("Tiếp nhận", "counter_clerk", 2),
        ("Thẩm định", "specialist", 56),
        ("Ký duyệt", "unit_leader", 16),
        ("Trả kết quả", "counter_clerk", 2),
    )
    for position, (name, role, hours) in enumerate(steps, start=1):
        RoutingStepFactory(procedure=procedure, position=position, name=name, role=role, budget_hours=hours)
    return {
        "centre": centre,
        "other_centre": other_centre,
        "agency": agency,
        "other_agency": other_agency,
        "procedure": procedure,
        "clerk": UserFactory(username="clerk", roles=["counter_clerk"], units=[centre]),
        "other_clerk": UserFactory(username="clerk2", roles=["counter_clerk"], units=[other_centre]),
        "specialist": UserFactory(username="spec", roles=["specialist"], units=[agency]),
        "leader": UserFactory(username="leader", roles=["unit_leader"], units=[agency]),
        "supervisor": UserFactory(username="sup", roles=["supervisor"], units=[centre]),
        "outsider": UserFactory(username="outsider", roles=["specialist"], units=[other_agency]),
    }


@pytest.fixture
def receive(world):
    """Receive a dossier for the world's procedure at the centre, as its clerk (`submit_only`:
    register it as a submission instead, `dossier_submit`)."""
    from dossiers.services.applicants import applicant_clean
    from dossiers.services.intake import dossier_receive, dossier_submit

    def _receive(*, submit_only=False, **overrides):
        kwargs = {
            "procedure": world["procedure"],
            "receiving_unit": world["centre"],
            "actor": world["clerk"],
            "applicant": applicant_clean(
                name="Trần Thị Bình",
                id_number="056190001234",
                phone="0905123456",
                email="binh@example.vn",
                address="12 Lê Thánh Tôn, Nha Trang",
            ),
        }
        kwargs.update(overrides)
        return (dossier_submit if submit_only else dossier_receive)(**kwargs)

    return _receive


def screenshots_dir():
    """docs/screenshots when SAVE_SCREENSHOTS=1 (`make screenshots`), else a temporary folder,
    so that running the suite never rewrites tracked files."""
    import os
    import tempfile
    from pathlib import Path

    from django.conf import settings

    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        return Path(settings.BASE_DIR) / "docs" / "screenshots"
    return Path(tempfile.mkdtemp(prefix="motcua-screens-"))


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(chromium_path, monkeypatch):
    """Debian's chromium, headless, through Playwright; closed after the test."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the fixtures' ORM calls are safe here.
    # Set per test, not at import, so it does not leak into other tests' subprocesses (check --deploy).
    monkeypatch.setitem(os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, Django's connections live in a context of their own (asgiref's
        # Local): close them here, or the test database cannot be dropped at the end of the run.
        connections.close_all()


def desktop_context(browser, **options):
    """A vi-VN browser context, 1280×900 unless `options` give a viewport, whose waits give up after 15 s."""
    context = browser.new_context(**{"locale": "vi-VN", "viewport": {"width": 1280, "height": 900}, **options})
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser):
    """A page of a desktop context of its own (`desktop_context`), closed after the test."""
    context = desktop_context(browser)
    yield context.new_page()
    context.close()


def logged_in(context, base: str, user):
    """A new page of `context` logged in as `user`, the most robust way: a real session made by
    Django's test client, handed to the browser."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])
    return context.new_page()
