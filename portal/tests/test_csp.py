"""Content-Security-Policy: sent on every page, and nothing inline that it would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# An inline <script> (one without src, JSON data blocks aside), an inline event handler, inline style.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b",
    re.IGNORECASE,
)


def test_cannot_find_inline_script_style_or_handlers_when_scanning_the_templates():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/tra-cuu/", "/accounts/login/", "/admin/login/", "/api/v1/docs"])
def test_does_send_a_policy_without_inline_script_when_a_page_is_served(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
