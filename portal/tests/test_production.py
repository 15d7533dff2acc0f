"""Production mode: deploy checks, health, request ids, structured logs, 503 on outage."""

import json
import logging
import os
import secrets
import subprocess
import sys

import pytest
import time_machine
from django.core import checks
from django.db import OperationalError

from portal.observability import JsonFormatter, RequestIdFilter, request_id_var


def test_does_pass_the_deploy_checks_when_configured_for_https():
    env = {
        **os.environ,
        "DJANGO_HTTPS": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "motcua.example.gov.vn",
        "DJANGO_DEBUG": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("at", ["07:30:05", "11:30:00", "13:29:55", "17:30:09"])
def test_does_pass_the_model_checks_when_run_within_seconds_of_an_office_hour(at):
    # A fixed time default (Unit.morning_opens…) made Django warn fields.W161 at these moments,
    # failing `check --deploy --fail-level WARNING` for 20 s four times a day.
    with time_machine.travel(f"2026-03-09T{at}+00:00", tick=False):
        found = checks.run_checks(tags=[checks.Tags.models])
    assert [m.id for m in found if m.id == "fields.W161"] == []


@pytest.mark.django_db
def test_does_report_healthy_when_database_broker_and_cache_answer(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "cache"}


@pytest.mark.django_db
def test_does_answer_503_when_the_broker_is_down(client, monkeypatch):
    from portal import health

    def down():
        raise ConnectionRefusedError("redis down")

    monkeypatch.setitem(health.CHECKS, "broker", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["broker"] == {
        "ok": False,
        "error": "ConnectionRefusedError",
    }


@pytest.mark.django_db
def test_does_return_the_request_id_it_was_given_or_made(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc123")
    made = client.get("/healthz")
    assert given["X-Request-ID"] == "abc123" and len(made["X-Request-ID"]) == 32


def test_does_write_one_json_object_per_log_line_with_the_request_id():
    record = logging.LogRecord("portal", logging.WARNING, __file__, 1, "Hồ sơ %s trễ hạn", ("X-1",), None)
    token = request_id_var.set("rid-7")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "rid-7" and entry["message"] == "Hồ sơ X-1 trễ hạn" and entry["level"] == "WARNING"


@pytest.mark.django_db
def test_does_answer_503_not_500_when_the_database_is_unreachable(client, monkeypatch):
    from dossiers import api

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1:5432 failed: Connection refused")

    monkeypatch.setattr(api.Procedure.objects, "active", unreachable)
    response = client.get("/api/v1/procedures")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json()["code"] == "unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/dossiers?q=a%00b", "/api/v1/procedures?unit=%00", "/thu-tuc/?q=%00"])
def test_cannot_pass_a_nul_byte_to_the_database(client, path):
    response = client.get(path)
    assert response.status_code in (400, 422)
    if path.startswith("/api/"):
        assert response.json()["code"] == "invalid_input"


@pytest.mark.django_db
def test_cannot_post_a_nul_byte_in_json(client):
    response = client.post("/api/v1/public/petitions", '{"subject": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
