"""Supervision pages: overdue and at-risk lists, counts by unit, exports, and the Mẫu 04 pages."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.exports import SUPERVISION_COLUMNS
from dossiers.models import Apology, Dossier, Timeliness, WatchLevel
from dossiers.services import apologies
from dossiers.services.apologies import apology_draft, apology_issue
from dossiers.services.routing import dossier_transition
from dossiers.services.watch import watch_flag
from dossiers.tests.conftest import local
from dossiers.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 23, 14, 0)  # Monday; due soon means before Wed 25/03 14:00
URL = "/can-bo/giam-sat/"


def received_at(world, receive, at, *, transfer=True):
    with time_machine.travel(at, tick=False):
        dossier = receive()
        if transfer:
            dossier = dossier_transition(dossier_id=dossier.pk, action="transfer", actor=world["clerk"])
    return dossier


@pytest.fixture
def late_world(world, receive):
    """Dossiers at the agency in every situation the supervisor distinguishes, seen at NOW."""
    d = {
        # due 23/03 10:00: overdue by 2 working hours, an apology drafted but not signed
        "a": received_at(world, receive, local(2026, 3, 9, 10, 0)),
        # due 16/03 10:00: overdue by 5 working days, nothing done
        "b": received_at(world, receive, local(2026, 3, 2, 10, 0)),
        # due 25/03 10:00: due soon
        "c": received_at(world, receive, local(2026, 3, 11, 10, 0)),
        # due 03/04: in time
        "d": received_at(world, receive, local(2026, 3, 20, 10, 0)),
        # due 16/03 09:00, finished 18/03: late, closed, never apologised
        "e": received_at(world, receive, local(2026, 3, 2, 9, 0)),
        # due 16/03 11:00, apologised on 17/03 (after the appointment), new date 30/03
        "f": received_at(world, receive, local(2026, 3, 2, 11, 0)),
        # due 23/03 09:00, apologised on 20/03 (in time), new date 24/03 17:30: due soon
        "g": received_at(world, receive, local(2026, 3, 9, 9, 0)),
    }
    with time_machine.travel(local(2026, 3, 18, 9, 0), tick=False):
        dossier_transition(dossier_id=d["e"].pk, action="transfer", actor=world["specialist"])
        dossier_transition(dossier_id=d["e"].pk, action="complete", actor=world["leader"])
    with time_machine.travel(local(2026, 3, 17, 9, 0), tick=False):
        apology_issue(
            dossier_id=d["f"].pk, actor=world["leader"], reason="Chờ xác minh", new_due_at=local(2026, 3, 30, 17, 30)
        )
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        apology_issue(
            dossier_id=d["g"].pk, actor=world["leader"], reason="Chờ phối hợp", new_due_at=local(2026, 3, 24, 17, 30)
        )
        apology_draft(
            dossier_id=d["a"].pk, actor=world["specialist"], reason="Hồ sơ phức tạp", extension_days=Decimal(2)
        )
    watch_flag(at=NOW)
    return d


def codes(response) -> set[str]:
    return {d.code for d in response.context["rows"]}


def expected(late_world, *keys) -> set[str]:
    return {late_world[k].code for k in keys}


@pytest.fixture
def as_supervisor(client, world):
    client.force_login(world["supervisor"])
    with time_machine.travel(NOW, tick=False):
        yield client


# -- the lists -------------------------------------------------------------------------------


def test_does_list_overdue_and_due_soon_when_no_filter_is_given(as_supervisor, late_world):
    response = as_supervisor.get(URL)
    assert response.status_code == 200
    assert codes(response) == expected(late_world, "a", "b", "c", "g")
    row = {d.code: d for d in response.context["rows"]}[late_world["b"].code]
    assert row.days_overdue == 5 and row.late_unit.name == "Sở Tư pháp" and row.watch == WatchLevel.OVERDUE
    assert row.due_at_original == local(2026, 3, 16, 10, 0)
    html = response.content.decode()
    assert reverse("staff:dossier", args=[late_world["b"].code]) in html
    assert "16/03/2026 10:00" in html and "Quá hạn" in html


def test_does_list_only_dossiers_overdue_by_n_working_days_when_filtered_by_days(as_supervisor, late_world):
    assert codes(as_supervisor.get(URL, {"min_days": 5})) == expected(late_world, "b")
    assert codes(as_supervisor.get(URL, {"min_days": 6})) == set()


def test_does_list_late_dossiers_without_a_timely_apology_when_that_view_is_chosen(as_supervisor, late_world):
    response = as_supervisor.get(URL, {"view": "late_no_apology"})
    assert codes(response) == expected(late_world, "a", "b", "e")
    assert Dossier.objects.get(pk=late_world["e"].pk).timeliness == Timeliness.LATE


def test_does_list_apologies_issued_after_the_appointment_when_that_view_is_chosen(as_supervisor, late_world):
    response = as_supervisor.get(URL, {"view": "apology_after_due"})
    assert codes(response) == expected(late_world, "f")


@pytest.mark.parametrize(("state", "keys"), [("draft", {"a"}), ("signed", {"g"}), ("none", {"b", "c"})])
def test_does_filter_by_apology_state_when_a_state_is_chosen(as_supervisor, late_world, state, keys):
    response = as_supervisor.get(URL, {"apology": state})
    assert codes(response) == expected(late_world, *keys)


def test_does_filter_by_unit_procedure_field_and_channel_when_chosen(as_supervisor, world, late_world):
    procedure = world["procedure"]
    both = {"unit": world["agency"].code, "procedure": procedure.national_code, "field": procedure.field.code}
    assert codes(as_supervisor.get(URL, both)) == expected(late_world, "a", "b", "c", "g")
    assert codes(as_supervisor.get(URL, {"unit": world["centre"].code})) == set()
    assert codes(as_supervisor.get(URL, {"channel": "online"})) == set()


def test_does_count_by_unit_in_one_query_when_the_page_is_shown(as_supervisor, world, late_world):
    response = as_supervisor.get(URL)
    counts = {c["current_unit__code"]: c for c in response.context["counts"]}
    agency = counts[world["agency"].code]
    assert (agency["overdue"], agency["due_soon"]) == (2, 2)
    late_total = sum(c["late_no_apology"] for c in counts.values())
    assert late_total == 3
    with CaptureQueriesContext(connection) as queries:
        Dossier.objects.all().counts_by_unit(at=NOW, soon=local(2026, 3, 25, 14, 0))
    assert len(queries) == 1


def test_does_show_the_watch_level_due_when_the_watch_job_has_not_run_yet(as_supervisor, world, receive):
    overdue = received_at(world, receive, local(2026, 3, 2, 10, 0))
    soon = received_at(world, receive, local(2026, 3, 11, 10, 0))
    rows = {d.code: d for d in as_supervisor.get(URL).context["rows"]}
    assert Dossier.objects.get(pk=overdue.pk).watch_level == WatchLevel.NONE
    assert rows[overdue.code].watch == WatchLevel.OVERDUE and rows[soon.code].watch == WatchLevel.DUE_SOON


def test_cannot_see_dossiers_when_supervising_another_subtree(client, world, late_world):
    other = UserFactory(username="sup2", roles=["supervisor"], units=[world["other_centre"]])
    client.force_login(other)
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, {"view": "late_no_apology"})
    assert response.status_code == 200 and codes(response) == set() and response.context["counts"] == []


def test_cannot_open_the_list_when_anonymous(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_does_run_a_fixed_number_of_queries_when_the_page_has_more_rows(
    as_supervisor, world, receive, django_assert_max_num_queries
):
    for day in (2, 3, 4):
        received_at(world, receive, local(2026, 3, day, 10, 0))
    with CaptureQueriesContext(connection) as few:
        assert len(as_supervisor.get(URL).context["rows"]) == 3
    for i in range(27):
        received_at(world, receive, local(2026, 3, 2 + i % 4, 8 + i % 3, 0))
    with django_assert_max_num_queries(len(few)), time_machine.travel(NOW, tick=False):
        assert len(as_supervisor.get(URL).context["rows"]) == 30
    assert len(few) <= 15  # 14 for the page, 1 for the staff menu (the reader's roles)


# -- exports -----------------------------------------------------------------------------------


def test_does_stream_a_csv_with_bom_and_one_row_per_dossier_when_asked(as_supervisor, late_world):
    response = as_supervisor.get(URL, {"format": "csv"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [str(c) for c in SUPERVISION_COLUMNS]
    assert {r[0] for r in rows[1:]} == expected(late_world, "a", "b", "c", "g") and len(rows) == 5
    b = next(r for r in rows if r[0] == late_world["b"].code)
    assert b[2] == "Cấp Phiếu lý lịch tư pháp" and b[3] == "Trần Thị Bình" and b[6] == "Sở Tư pháp"
    assert b[8] == "16/03/2026 10:00" and b[10] == "5" and b[11] == "Chưa có" and b[12] == "Quá hạn"
    assert b[-1] == "1"  # KenhThucHien: counter


def test_does_export_the_same_rows_as_xlsx_when_asked(as_supervisor, late_world):
    from openpyxl import load_workbook

    response = as_supervisor.get(URL, {"format": "xlsx", "view": "late_no_apology"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c) for c in SUPERVISION_COLUMNS]
    assert {r[0] for r in rows[1:]} == expected(late_world, "a", "b", "e") and len(rows) == 4
    a = next(r for r in rows if r[0] == late_world["a"].code)
    assert a[3] == "Trần Thị Bình" and a[8].strftime("%d/%m/%Y %H:%M") == "23/03/2026 10:00"
    assert a[11] == "Chờ lãnh đạo ký"


# -- Mẫu 04 pages -------------------------------------------------------------------------------


@pytest.fixture
def at_agency(world, receive):
    """Received Mon 09/03/2026 10:00, due Mon 23/03/2026 10:00, held by the agency."""
    return received_at(world, receive, local(2026, 3, 9, 10, 0))


@pytest.fixture
def friday(client):
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        yield client


def new_url(dossier) -> str:
    return reverse("staff:apology-new", args=[dossier.code])


def test_does_draft_with_the_computed_new_date_when_a_specialist_extends(friday, world, at_agency):
    friday.force_login(world["specialist"])
    page = friday.get(new_url(at_agency))
    assert page.status_code == 200 and "26/03/2026 10:00" in page.content.decode()  # 3 working days proposed
    preview = friday.post(new_url(at_agency), {"reason": "Chờ xác minh", "extension_days": "3", "preview": "1"})
    assert preview.context["proposal"] == local(2026, 3, 26, 10, 0) and not Apology.objects.exists()
    response = friday.post(new_url(at_agency), {"reason": "Chờ xác minh của Công an", "extension_days": "3"})
    apology = Apology.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff:apology", args=[apology.pk])
    assert apology.status == Apology.Status.DRAFT and apology.new_due_at == local(2026, 3, 26, 10, 0)


def test_does_accept_a_typed_new_appointment_when_given_in_local_time(friday, world, at_agency):
    friday.force_login(world["specialist"])
    friday.post(new_url(at_agency), {"reason": "Chờ ý kiến", "new_due_at": "27/03/2026 16:00"})
    assert Apology.objects.get().new_due_at == local(2026, 3, 27, 16, 0)


def test_cannot_draft_when_the_reason_is_missing(friday, world, at_agency):
    friday.force_login(world["specialist"])
    response = friday.post(new_url(at_agency), {"reason": " ", "extension_days": "2"})
    assert response.status_code == 422 and str(apologies.REASON_REQUIRED) in response.content.decode()
    assert not Apology.objects.exists()


def test_cannot_draft_when_not_in_the_unit_holding_the_dossier(friday, world, at_agency):
    friday.force_login(world["supervisor"])  # sees the dossier (received by the centre) but does not hold it
    page = friday.get(new_url(at_agency))
    assert str(apologies.NOT_AT_FAULT) in page.content.decode() and 'id="apology-form"' not in page.content.decode()
    response = friday.post(new_url(at_agency), {"reason": "x", "extension_days": "1"})
    assert response.status_code == 403 and not Apology.objects.exists()


@pytest.fixture
def draft(world, at_agency):
    with time_machine.travel(local(2026, 3, 20, 9, 0), tick=False):
        return apology_draft(
            dossier_id=at_agency.pk,
            actor=world["specialist"],
            reason="Chờ xác minh của Công an",
            extension_days=Decimal(3),
        )


def test_does_sign_and_move_the_appointment_when_the_leader_signs(friday, world, draft):
    url = reverse("staff:apology", args=[draft.pk])
    friday.force_login(world["leader"])
    assert "Ký và gửi" in friday.get(url).content.decode()
    asked = friday.post(url, {"op": "sign"})  # signing asks for confirmation first (issue 16)
    assert asked.status_code == 200 and 'id="confirm-sign-form"' in asked.content.decode()
    assert Apology.objects.get(pk=draft.pk).status == Apology.Status.DRAFT
    response = friday.post(url, {"op": "sign", "confirmed": "on"})
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=draft.dossier_id)
    assert dossier.due_at == local(2026, 3, 26, 10, 0) and dossier.due_at_original == local(2026, 3, 23, 10, 0)
    page = friday.get(url).content.decode()
    assert reverse("staff:print-apology", args=[draft.pk]) in page and "Ký và gửi" not in page


def test_cannot_sign_when_not_a_leader_of_the_unit(friday, world, draft):
    url = reverse("staff:apology", args=[draft.pk])
    friday.force_login(world["specialist"])
    assert "Ký và gửi" not in friday.get(url).content.decode()
    response = friday.post(url)
    assert response.status_code == 403 and str(apologies.LEADER_ONLY) in response.content.decode()
    assert Apology.objects.get(pk=draft.pk).status == Apology.Status.DRAFT


def test_does_list_drafts_waiting_when_the_leader_opens_the_list(friday, world, draft):
    friday.force_login(world["leader"])
    response = friday.get(reverse("staff:apologies"))
    assert [a.pk for a in response.context["items"]] == [draft.pk] and response.context["items"][0].signable
    friday.force_login(UserFactory(username="lead2", roles=["unit_leader"], units=[world["other_agency"]]))
    assert friday.get(reverse("staff:apologies")).context["items"] == []


def test_does_print_every_field_of_form_04_when_signed(friday, world, draft):
    friday.force_login(world["leader"])
    friday.post(reverse("staff:apology", args=[draft.pk]), {"op": "sign", "confirmed": "on"})
    apology = Apology.objects.get(pk=draft.pk)
    html = friday.get(reverse("staff:print-apology", args=[draft.pk])).content.decode()
    number, _, suffix = apology.number.partition("/")
    for text in (
        "SỞ TƯ PHÁP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Số: {number}/{suffix}",
        "Khánh Hòa, ngày 20 tháng 3 năm 2026",
        "Kính gửi",
        "Trần Thị Bình",
        "12 Lê Thánh Tôn, Nha Trang",
        "0905123456",
        "Ngày 09/03/2026",
        apology.dossier.code,
        "Cấp Phiếu lý lịch tư pháp",
        "10 giờ 00 phút, ngày 23/03/2026",
        "không thể trả kết quả",
        "Chờ xác minh của Công an",
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. Sở Tư pháp xin lỗi Ông/Bà và hẹn lại "
        "ngày trả kết quả vào 10 giờ 00 phút, ngày 26/03/2026.",
        "(Ký, ghi rõ họ tên và đóng dấu)",
        "Nguyễn Văn A",
        "Mẫu số 04",
    ):
        assert text in html, text
    assert "Dự thảo" not in html


def test_cannot_print_an_apology_when_the_dossier_is_not_visible(friday, world, draft):
    friday.force_login(world["outsider"])
    assert friday.get(reverse("staff:print-apology", args=[draft.pk])).status_code == 404


def test_does_offer_every_unit_holding_a_visible_dossier_grouped_when_filtering_by_holder(client, world, receive):
    """Issue 16 point 4: the departments that hold the centre's dossiers are in the picker."""
    from dossiers.tests.factories import UnitFactory

    department = UnitFactory(
        code="000.01.02.H56", name="Phòng Hành chính tư pháp", parent=world["agency"], kind="department"
    )
    held = dossier_transition(dossier_id=receive().pk, action="transfer", actor=world["clerk"], to_unit=department)
    client.force_login(world["supervisor"])
    field = client.get(URL).context["form"].fields["unit"]
    groups = {label: [name for _value, name in options] for label, options in list(field.choices)[1:]}
    assert groups == {
        "Trung tâm cấp tỉnh": ["Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa"],
        "Sở Tư pháp": ["Phòng Hành chính tư pháp"],
    }
    Dossier.objects.filter(pk=held.pk).update(due_at=held.received_at)
    listed = client.get(URL, {"unit": department.code}).context["rows"]
    assert [d.code for d in listed] == [held.code]
