"""The citizen's status lookup: the page and the API show the journey, never a person, and a
failed lookup teaches nothing — not by status, body or time."""

import json
import statistics
import time

import pytest
import time_machine

from dossiers.models import Dossier, Status
from dossiers.services.apologies import apology_issue
from dossiers.services.lookup import LOOKUP_LIMITED, LOOKUP_NOT_FOUND
from dossiers.services.routing import dossier_transition
from dossiers.tests.fixtures import local

pytestmark = pytest.mark.django_db

APPLICANT = ["Trần Thị Bình", "056190001234", "0905123456", "binh@example.vn", "12 Lê Thánh Tôn"]
OFFICERS = {"clerk": ("Lê", "Thị Thu"), "specialist": ("Hoàng", "Minh Đức"), "leader": ("Vũ", "Quốc Hưng")}
MISSING = ["Giấy xác nhận thông tin về cư trú", "Bản sao Giấy khai sinh"]
WRONG_KEY = "WRONGKEY"


def api(client, code: str, key: str, **extra):
    return client.get(f"/api/v1/public/dossiers/{code}", {"key": key}, **extra)


def page(client, code: str, key: str, **extra):
    return client.get(f"/tra-cuu/{code}/", {"key": key}, **extra)


def travel(*args):
    return time_machine.travel(local(*args), tick=False)


@pytest.fixture
def officers(world):
    for role, (last, first) in OFFICERS.items():
        user = world[role]
        user.last_name, user.first_name = last, first
        user.save(update_fields=["last_name", "first_name"])
    return [f"{last} {first}" for last, first in OFFICERS.values()]


def waiting_for_supplement(world, receive, reason: str) -> Dossier:
    """Received Mon 09/03/2026 10:00, sent to the agency, the MISSING documents asked for (Thu 12/03 10:00)."""
    with travel(2026, 3, 9, 10, 0):
        dossier = receive()
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    with travel(2026, 3, 12, 10, 0):
        dossier_transition(
            dossier_id=dossier.pk,
            action="request_supplement",
            actor=world["specialist"],
            reason=reason,
            documents=MISSING,
        )
    return dossier


@pytest.fixture
def journey(world, receive, officers):
    """Received Mon 09/03/2026 10:00, sent to the agency, a supplement asked (Thu 12/03) and given
    (Tue 17/03), an apology with a new date (Wed 25/03), the result ready (Mon 30/03)."""
    dossier = waiting_for_supplement(world, receive, "Thiếu giấy tờ chứng minh nơi cư trú")
    with travel(2026, 3, 17, 14, 0):
        dossier_transition(dossier_id=dossier.pk, action="supplement_received", actor=world["clerk"])
    with travel(2026, 3, 25, 9, 0):
        apology_issue(
            dossier_id=dossier.pk,
            actor=world["leader"],
            reason="Chờ kết quả xác minh của Công an tỉnh",
            new_due_at=local(2026, 3, 31, 17, 30),
        )
    with travel(2026, 3, 30, 10, 0):
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["specialist"])
        dossier_transition(dossier_id=dossier.pk, action="complete", actor=world["leader"])
    return Dossier.objects.get(pk=dossier.pk)


def assert_no_personal_data(text: str, officers: list[str]) -> None:
    for value in APPLICANT + officers:
        assert value not in text, value


def decoded(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_does_show_the_status_and_appointment_when_the_qr_link_is_opened(client, journey):
    response = client.get(journey.public_url().removeprefix("http://127.0.0.1:8000"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đã có kết quả. Mời bạn đến nhận kết quả tại nơi đã nộp hồ sơ." in html
    assert "thứ Ba 31/03/2026 17:30" in html  # the apology's new appointment
    assert "Hẹn trước khi cơ quan xin lỗi, hẹn lại: <del>thứ Năm 26/03/2026 14:00</del>" in html
    assert journey.code in html and "Cấp Phiếu lý lịch tư pháp" in html
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"


def test_does_tell_the_whole_journey_when_a_dossier_was_moved_around(client, journey):
    html = page(client, journey.code, journey.lookup_key).content.decode()
    for text in (
        "Hồ sơ được tiếp nhận",
        "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa",
        "Chuyển đến cơ quan giải quyết</strong> — Sở Tư pháp",
        "Cần bạn bổ sung giấy tờ",
        "Thiếu giấy tờ chứng minh nơi cư trú",
        *MISSING,
        "Đã nhận giấy tờ bổ sung, tiếp tục giải quyết",
        "Chờ kết quả xác minh của Công an tỉnh",
        "Hẹn lại từ",
        "31/03/2026 17:30",
        "Đã có kết quả giải quyết",
        "Vì sao là ngày này?",
        "Tạm dừng tính thời hạn từ thứ Năm 12/03/2026 10:00 đến thứ Ba 17/03/2026 14:00",
    ):
        assert text in html, text


def test_does_list_the_public_events_in_order_when_the_api_is_asked(client, journey):
    body = api(client, journey.code, journey.lookup_key).json()
    assert [item["action"] for item in body["timeline"]] == [
        "receive",
        "transfer",
        "request_supplement",
        "supplement_received",
        "apology",
        "complete",  # the move from appraisal to signature inside Sở Tư pháp is not shown (issue 16)
    ]
    supplement = body["timeline"][2]
    assert supplement["documents"] == MISSING and supplement["unit"] == "Sở Tư pháp"
    assert body["status"] == Status.DONE and body["status_label"] == "Đã xử lý xong"
    assert body["due_at"] == "2026-03-31T17:30:00+07:00" and body["received_at"] == "2026-03-09T10:00:00+07:00"
    [apology] = body["apologies"]
    assert apology["reason"] == "Chờ kết quả xác minh của Công an tỉnh"
    assert apology["new_due_at"] == "2026-03-31T17:30:00+07:00" and apology["original_due_at"] < apology["new_due_at"]
    assert any("thứ Ba 31/03/2026 17:30" in line for line in body["due_explanation"])


def test_does_say_what_is_missing_when_the_dossier_waits_for_a_supplement(client, world, receive):
    dossier = waiting_for_supplement(world, receive, "Thiếu giấy tờ")
    with travel(2026, 3, 12, 10, 0):  # the moment it was asked
        html = page(client, dossier.code, dossier.lookup_key).content.decode()
        body = api(client, dossier.code, dossier.lookup_key).json()
    assert 'id="missing-documents"' in html and all(name in html for name in MISSING)
    assert "Chưa xác định: thời hạn đang tạm dừng để chờ bạn." in html
    assert body["waiting_for"] == {"action": "request_supplement", "reason": "Thiếu giấy tờ", "documents": MISSING}
    assert body["due_at"] is None and body["paused_since"] == "2026-03-12T10:00:00+07:00"


def test_cannot_show_personal_data_when_the_page_or_api_is_read(client, journey, officers):
    html = page(client, journey.code, journey.lookup_key).content.decode()
    body = api(client, journey.code, journey.lookup_key)
    open311 = client.get(f"/api/v1/open311/requests/{journey.code}.json", {"key": journey.lookup_key})
    assert "Sở Tư pháp" in html and body.status_code == 200 and open311.status_code == 200
    for text in (html, decoded(body), decoded(open311)):
        assert_no_personal_data(text, officers)


def test_does_find_the_dossier_when_the_id_number_is_the_key(client, journey, officers):
    response = page(client, journey.code, "056190001234")
    assert response.status_code == 302
    assert response["Location"] == f"/tra-cuu/{journey.code}/?key={journey.lookup_key}"
    followed = client.get(response["Location"])
    assert followed.status_code == 200 and journey.code in followed.content.decode()
    assert_no_personal_data(followed.content.decode(), officers)
    assert api(client, journey.code, "056190001234").json()["code"] == journey.code


def test_does_go_to_the_result_page_when_the_lookup_form_is_filled(client):
    response = client.get("/tra-cuu/", {"code": " 000.00.01.H56-260309-0001 ", "key": "abcd1234"})
    assert response.status_code == 302
    assert response["Location"] == "/tra-cuu/000.00.01.H56-260309-0001/?key=abcd1234"
    empty = client.get("/tra-cuu/", {"code": "", "key": ""})
    assert empty.status_code == 200 and "Nhập mã hồ sơ." in empty.content.decode()


def test_does_answer_byte_for_byte_the_same_when_the_code_is_unknown_or_the_key_wrong(client, receive):
    dossier = receive()
    unknown = dossier.code[:-4] + "9999"
    for lookup in (page, api):
        wrong_key = lookup(client, dossier.code, WRONG_KEY)
        unknown_code = lookup(client, unknown, dossier.lookup_key)
        assert wrong_key.status_code == unknown_code.status_code == 404
        assert wrong_key.content == unknown_code.content
        assert wrong_key.get("Content-Type") == unknown_code.get("Content-Type")
        assert not wrong_key.cookies and not unknown_code.cookies
    assert str(LOOKUP_NOT_FOUND) in wrong_key.json()["message"]
    assert str(LOOKUP_NOT_FOUND) in page(client, unknown, WRONG_KEY).content.decode()


def test_does_learn_nothing_when_1000_sequential_codes_are_walked(client, settings, receive):
    """Codes are guessable (<unit>-YYMMDD-NNNN): every neighbour of a real code, with a wrong key, looks alike."""
    settings.PORTAL_LOOKUP_RATE = settings.PORTAL_LOOKUP_CODE_RATE = "100000/m"
    real = [receive() for _ in range(3)]
    prefix = real[0].code.rsplit("-", 1)[0]
    codes = [f"{prefix}-{n:04d}" for n in range(1, 1001)]
    assert {d.code for d in real} <= set(codes)
    pages = {(r.status_code, r.content) for r in (page(client, code, WRONG_KEY) for code in codes)}
    apis = {(r.status_code, r.content) for r in (api(client, code, WRONG_KEY) for code in codes)}
    assert len(pages) == 1 and len(apis) == 1
    assert next(iter(pages))[0] == next(iter(apis))[0] == 404


def test_does_take_the_same_time_when_the_code_is_unknown_or_the_key_wrong(client, settings, receive):
    settings.PORTAL_LOOKUP_RATE = settings.PORTAL_LOOKUP_CODE_RATE = "100000/m"
    dossier = receive()
    unknown = dossier.code[:-4] + "9999"
    timings = {"unknown": [], "wrong": []}
    for _ in range(5):  # warm up caches and code paths
        api(client, unknown, WRONG_KEY), api(client, dossier.code, WRONG_KEY)
    for _ in range(50):
        for name, code in (("unknown", unknown), ("wrong", dossier.code)):
            start = time.perf_counter()
            assert api(client, code, WRONG_KEY).status_code == 404
            timings[name].append(time.perf_counter() - start)
    # Noise from a loaded machine only ever adds time, so the low quintile of each side is the
    # steady cost of its path; the median flipped this test at load 9 (6 ms apart, 25 ms a request).
    low = {name: statistics.quantiles(values, n=5)[0] for name, values in timings.items()}
    difference_ms = abs(low["unknown"] - low["wrong"]) * 1000
    print(f"low quintile: unknown code {low['unknown'] * 1000:.2f} ms, wrong key {low['wrong'] * 1000:.2f} ms")
    assert difference_ms < 5


@travel(2026, 3, 9, 10, 0, 15)
def test_does_refuse_with_429_when_one_address_looks_up_too_often(client, settings, receive):
    settings.PORTAL_LOOKUP_RATE, settings.PORTAL_LOOKUP_CODE_RATE = "3/m", "100/m"
    dossier = receive()
    here = {"REMOTE_ADDR": "203.0.113.5"}
    assert [api(client, dossier.code[:-1] + str(n), WRONG_KEY, **here).status_code for n in range(3)] == [404] * 3
    limited = api(client, dossier.code, dossier.lookup_key, **here)
    assert limited.status_code == 429
    assert limited.json() == {"code": "rate_limited", "message": str(LOOKUP_LIMITED), "fields": {}}
    assert 0 < int(limited["Retry-After"]) <= 60
    limited_page = page(client, dossier.code, dossier.lookup_key, **here)
    assert limited_page.status_code == 429 and str(LOOKUP_LIMITED) in limited_page.content.decode()
    assert limited_page["Retry-After"] == limited["Retry-After"]
    assert api(client, dossier.code, dossier.lookup_key, REMOTE_ADDR="203.0.113.6").status_code == 200


@travel(2026, 3, 9, 10, 0, 15)
def test_does_refuse_with_429_when_one_code_is_tried_from_many_addresses(client, settings, receive):
    settings.PORTAL_LOOKUP_RATE, settings.PORTAL_LOOKUP_CODE_RATE = "100/m", "2/m"
    dossier, other = receive(), receive()
    statuses = [api(client, dossier.code, WRONG_KEY, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(3)]
    assert statuses == [404, 404, 429]
    assert page(client, dossier.code, dossier.lookup_key, REMOTE_ADDR="198.51.100.9").status_code == 429
    assert api(client, other.code, other.lookup_key, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_cannot_fail_with_a_server_error_when_the_code_holds_a_nul_byte(client, receive):
    receive()
    # No real code holds a NUL, so refusing it at the edge (RejectNulMiddleware) tells nothing.
    for response in (api(client, "a\x00b", WRONG_KEY), client.get("/api/v1/public/dossiers/a%00b", {"key": "x"})):
        assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert client.get("/tra-cuu/a%00b/", {"key": "x"}).status_code == 400


def test_does_answer_a_repeated_lookup_without_the_database(client, receive, django_assert_num_queries):
    dossier = receive()
    first = api(client, dossier.code, dossier.lookup_key)
    with django_assert_num_queries(0):
        again = api(client, dossier.code, dossier.lookup_key.lower())
        by_id_number = api(client, dossier.code, APPLICANT[1])
    assert first.status_code == again.status_code == by_id_number.status_code == 200
    assert first.content == again.content == by_id_number.content


def test_cannot_keep_a_key_in_clear_when_the_answer_is_cached(client, receive, monkeypatch):
    from dossiers.services import lookup

    stored, store = [], lookup.raw_cache_set
    monkeypatch.setattr(lookup, "raw_cache_set", lambda key, value, timeout: stored.append((key, value)))
    dossier = receive()
    assert api(client, dossier.code, dossier.lookup_key).status_code == 200
    assert len(stored) == 2  # one entry for the lookup key, one for the ID number
    for key, value in stored:
        store(key, value, timeout=60)
        for secret in (dossier.lookup_key, APPLICANT[1]):
            assert secret not in key and secret.encode() not in value


def test_does_show_the_change_at_once_when_the_dossier_changes_after_a_lookup(
    client, world, receive, django_capture_on_commit_callbacks
):
    dossier = receive()
    assert api(client, dossier.code, dossier.lookup_key).json()["status"] == Status.RECEIVED
    with django_capture_on_commit_callbacks(execute=True):
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    answer = api(client, dossier.code, dossier.lookup_key).json()
    assert answer["status"] == Status.PROCESSING
    assert [item["action"] for item in answer["timeline"]][-1] == "transfer"


def test_cannot_serve_an_answer_stored_by_a_lookup_that_read_before_a_change(
    client, world, receive, django_capture_on_commit_callbacks
):
    """A lookup reads the generation, then the row; a change commits in between; the answer it
    stores afterwards carries the older generation and is never served."""
    from dossiers.services import lookup

    dossier = receive()
    stale = api(client, dossier.code, dossier.lookup_key).content
    with django_capture_on_commit_callbacks(execute=True):
        dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    answer_key = lookup._answer_key(dossier.code, dossier.lookup_key, "vi")
    lookup.raw_cache_set(answer_key, b"0|" + stale, timeout=60)
    answer = api(client, dossier.code, dossier.lookup_key)
    assert answer.content != stale and answer.json()["status"] == Status.PROCESSING


def test_does_take_the_uncached_path_when_the_key_is_wrong_for_a_cached_code(client, receive):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dossiers.services.lookup import lookup_failures_today

    dossier = receive()
    assert api(client, dossier.code, dossier.lookup_key).status_code == 200
    with CaptureQueriesContext(connection) as wrong_key:
        refused = api(client, dossier.code, WRONG_KEY)
    with CaptureQueriesContext(connection) as unknown_code:
        unknown = api(client, dossier.code[:-4] + "9999", dossier.lookup_key)
    assert refused.status_code == unknown.status_code == 404 and refused.content == unknown.content
    assert len(wrong_key) == len(unknown_code) == 1
    assert lookup_failures_today() == 2


def test_does_answer_in_english_from_its_own_cached_answer(client, receive):
    dossier = receive()
    vietnamese = api(client, dossier.code, dossier.lookup_key)
    english = api(client, dossier.code, dossier.lookup_key, HTTP_ACCEPT_LANGUAGE="en")
    assert vietnamese.json()["status_label"] != english.json()["status_label"]
    assert api(client, dossier.code, dossier.lookup_key).content == vietnamese.content


def test_does_answer_without_limits_when_redis_is_down(client, receive, settings, caplog):
    dossier = receive()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    for _ in range(2):
        answer = api(client, dossier.code, dossier.lookup_key)
        assert answer.status_code == 200 and answer.json()["code"] == dossier.code
    assert api(client, dossier.code, WRONG_KEY).status_code == 404
    assert "rate limit not applied" in caplog.text
