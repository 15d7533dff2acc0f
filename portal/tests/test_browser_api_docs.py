"""The API's browsable documentation works on a network with no way out (no CDN at run time)."""

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


def test_does_list_the_operations_when_every_request_off_this_host_is_blocked(browser, live_server):
    from playwright.sync_api import expect

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    blocked = []

    def only_local(route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(15_000)
    assert page.goto(f"{live_server.url}/api/v1/docs").status == 200
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/procedures" in [p.replace("\u200b", "") for p in paths]
    assert blocked == []
    context.close()
