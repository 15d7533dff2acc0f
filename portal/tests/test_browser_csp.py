"""Every kind of page under the Content-Security-Policy in a real browser: nothing refused."""

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dossier(world, receive):
    with time_machine.travel(local(2026, 3, 9, 10, 0), tick=False):
        return dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"])


def _pages(d) -> list[str]:
    return [
        reverse("home"),
        reverse("procedures"),
        reverse("lookup-result", args=[d.code]) + f"?key={d.lookup_key}",
        reverse("feedback:petition-new"),
        reverse("login"),
        reverse("staff:home"),
        reverse("staff:intake"),
        reverse("staff:dossier", args=[d.code]),
        reverse("staff:print-receipt", args=[d.code]),
        reverse("staff:register"),
        reverse("staff:supervision"),
        reverse("kpi-dashboard"),
        reverse("admin:index"),
        reverse("admin:dossiers_procedure_changelist"),
        "/api/v1/docs",
    ]


def test_cannot_find_a_csp_violation_when_a_superuser_opens_every_kind_of_page(
    live_server, browser, django_user_model, dossier
):
    admin = django_user_model.objects.create_superuser("quan.tri", "qt@example.vn", "mat-khau-quan-tri-2026")
    client = Client()
    client.force_login(admin)
    context = browser.new_context(locale="vi-VN")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = []
    page.on(
        "console", lambda m: refused.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
    )
    for path in _pages(dossier):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    assert refused == []
    page.goto(f"{live_server.url}{reverse('staff:print-receipt', args=[dossier.code])}")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="In").click()  # the handler comes from print.js, not inline
    assert page.locator("body").get_attribute("data-printed") == "yes"
