"""The history import: all or nothing, row-level errors, CSV and XLSX, sequences advanced."""

import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from dossiers.db.numbering import dossier_code_new
from dossiers.migration_import import history_import
from dossiers.migration_import.validate import IMPORT_MARK
from dossiers.models import ClockEntry, DailySequence, Dossier, DossierEvent

from .fixtures import local

NOW = local(2026, 6, 1, 8, 0)
CENTRE, PROCEDURE = "000.00.01.H56", "1.001193"
DOSSIER_HEADERS = [
    "code",
    "procedure_code",
    "receiving_unit_code",
    "channel",
    "status",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "note",
]
EVENT_HEADERS = ["code", "action", "from_status", "to_status", "effective_at", "actor_username", "unit_code", "reason"]
RETURNED_CODE = f"{CENTRE}-260309-0042"


def dossier(code: str, status: int, **times) -> dict:
    return {
        "code": code,
        "procedure_code": PROCEDURE,
        "receiving_unit_code": CENTRE,
        "channel": "counter",
        "status": str(status),
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "056190001234",
        "applicant_phone": "0905 123 456",
        "applicant_email": "",
        "note": "",
        **times,
    }


def valid_dossiers() -> list[dict]:
    return [
        # 10 working days from Mon 09/03/2026 10:00: due computed, Mon 23/03/2026 10:00.
        dossier(
            RETURNED_CODE,
            10,
            received_at="09/03/2026 10:00",
            finished_at="2026-03-18T15:00:00+07:00",
            returned_at="19/03/2026 09:00",
        ),
        dossier(
            "HS-CU-0001",
            4,
            channel="2",
            submitted_at="2025-05-05 08:00",
            received_at="05/05/2025 09:00",
            due_at="19/05/2025 09:00",
        ),
        dossier("HS-CU-0002", 3, submitted_at="10/03/2026 08:00"),
    ]


def event(code: str, action: str, from_status, to_status, at: str, **extra) -> dict:
    return {"code": code, "action": action, "from_status": from_status, "to_status": to_status, "effective_at": at}


def valid_events() -> list[dict]:
    c = RETURNED_CODE
    return [
        event(c, "submit", "", 1, "09/03/2026 10:00"),
        event("HS-CU-0001", "submit", "", 1, "05/05/2025 08:00"),
        event(c, "receive", 1, 2, "09/03/2026 10:00"),
        event(c, "transfer", 2, 4, "09/03/2026 14:00"),
        event(c, "request_supplement", 4, 5, "10/03/2026 09:00"),
        event(c, "supplement_received", 5, 4, "12/03/2026 09:00"),
        event(c, "complete", 4, 9, "18/03/2026 15:00"),
        event(c, "return_result", 9, 10, "19/03/2026 09:00"),
        event("HS-CU-0001", "accept", 1, 2, "05/05/2025 09:00"),
        event("HS-CU-0001", "transfer", 2, 4, "05/05/2025 10:00"),
    ]


def write_csv(path, headers: list[str], rows: list[dict]):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def files(world, tmp_path):
    def _files(dossiers=None, events=None):
        d = write_csv(tmp_path / "dossiers.csv", DOSSIER_HEADERS, valid_dossiers() if dossiers is None else dossiers)
        e = write_csv(tmp_path / "events.csv", EVENT_HEADERS, valid_events() if events is None else events)
        return d, e

    return _files


def run(files_pair, **kwargs):
    d, e = files_pair
    return history_import(dossiers=d, events=e, now=NOW, **kwargs)


def assert_nothing_imported():
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert ClockEntry.objects.count() == 0
    assert DailySequence.objects.count() == 0


def test_does_import_dossiers_and_events_exactly_when_the_files_are_valid(files, world):
    result = run(files())

    assert result.errors == []
    assert (result.dossiers, result.events, result.clock_entries) == (3, 10, 5)
    returned = Dossier.objects.get(code=RETURNED_CODE)
    assert returned.status == 10
    assert returned.received_at == local(2026, 3, 9, 10, 0)
    assert returned.due_at == returned.due_at_original == local(2026, 3, 23, 10, 0)
    assert returned.timeliness == "early"
    assert returned.supplement_count == 1
    assert returned.applicant_phone == "0905123456"
    assert returned.lead_unit == world["agency"]
    assert returned.current_unit == world["centre"]
    assert returned.register_line == 42
    assert returned.note.endswith(IMPORT_MARK)
    trail = list(returned.events.values_list("action", "from_status", "to_status"))
    assert trail[0] == ("submit", None, 1) and trail[-1] == ("return_result", 9, 10) and len(trail) == 7
    assert all(e.data == {"imported": True} for e in DossierEvent.objects.all())
    assert list(returned.clock.values_list("kind", flat=True)) == ["start", "pause", "resume", "stop"]
    old = Dossier.objects.get(code="HS-CU-0001")
    assert (old.channel, old.status, old.current_unit) == ("online", 4, world["agency"])
    assert old.due_at == local(2025, 5, 19, 9, 0)
    assert old.form_version == "TT01/2018/TT-VPCP"
    refused = Dossier.objects.get(code="HS-CU-0002")
    assert refused.received_at is None and refused.events.count() == 0


def test_does_advance_the_daily_sequence_when_codes_follow_the_live_pattern(files, world):
    run(files())

    assert DailySequence.objects.get(unit=world["centre"], day=date(2026, 3, 9)).last == 42
    code, number = dossier_code_new(unit=world["centre"], at=local(2026, 3, 9, 15, 0))
    assert (code, number) == (f"{CENTRE}-260309-0043", 43)


def test_cannot_import_anything_when_one_row_is_bad(files):
    rows = valid_dossiers()
    rows[1]["applicant_phone"] = "12345"

    result = run(files(dossiers=rows))

    assert [(e.file, e.line, e.column) for e in result.errors] == [("dossiers", 3, "applicant_phone")]
    assert "Số điện thoại không hợp lệ" in str(result.errors[0])
    assert "dòng 3" in str(result.errors[0])
    assert_nothing_imported()


def test_does_report_every_bad_row_when_several_are_wrong(files):
    rows = valid_dossiers()
    rows[0]["procedure_code"] = "9.999999"
    rows[1]["received_at"] = "31/02/2025 09:00"
    rows[2]["status"] = "11"

    result = run(files(dossiers=rows))

    assert [(e.line, e.column) for e in result.errors] == [(2, "procedure_code"), (3, "received_at"), (4, "status")]
    assert "Không có thủ tục với mã «9.999999»" in result.errors[0].message
    assert_nothing_imported()


@pytest.mark.parametrize(
    ("change", "line", "column", "message"),
    [
        (lambda ev: ev.append(event("HS-LA", "submit", "", 1, "09/03/2026 10:00")), 12, "code", "Không có hồ sơ mã"),
        (lambda ev: ev.__setitem__(4, {**ev[4], "effective_at": "09/03/2026 13:00"}), 6, "effective_at", "thứ tự"),
        (lambda ev: ev.append(event(RETURNED_CODE, "note", "", "", "20/03/2026 09:00")), 12, "code", "đã kết thúc"),
        (lambda ev: ev.__setitem__(5, {**ev[5], "from_status": 6}), 7, "from_status", "khác trạng thái"),
        (lambda ev: ev.pop(7), 2, "status", "sự kiện cuối"),
    ],
    ids=["unknown-dossier", "out-of-order", "after-terminal", "broken-chain", "status-mismatch"],
)
def test_cannot_import_anything_when_events_do_not_fit(files, change, line, column, message):
    events = valid_events()
    change(events)

    result = run(files(events=events))

    assert [(e.line, e.column) for e in result.errors] == [(line, column)]
    assert message in result.errors[0].message
    assert_nothing_imported()


def test_cannot_import_a_code_that_exists_already(files, receive):
    existing = receive()
    rows = valid_dossiers()
    rows[2]["code"] = existing.code

    result = run(files(dossiers=rows, events=[]))

    assert [(e.line, e.column) for e in result.errors] == [(4, "code")]
    assert "đã có trong hệ thống" in result.errors[0].message
    assert Dossier.objects.count() == 1


def test_cannot_import_a_code_twice_in_one_file(files):
    rows = valid_dossiers()
    rows[2]["code"] = rows[1]["code"]

    result = run(files(dossiers=rows))

    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (4, "code", "Mã hồ sơ «HS-CU-0001» trùng với dòng 3.")
    ]
    assert_nothing_imported()


def test_does_write_nothing_when_dry_run(files):
    result = run(files(), dry_run=True)

    assert result.errors == [] and (result.dossiers, result.events) == (3, 10)
    assert_nothing_imported()


def test_does_import_xlsx_with_vietnamese_headers(world, tmp_path):
    labels = {"code": "Mã hồ sơ", "applicant_phone": "Số điện thoại", "status": "Trạng thái"}
    book = Workbook()
    sheet = book.active
    sheet.append([labels.get(h, h) for h in DOSSIER_HEADERS])
    for row in valid_dossiers():
        sheet.append([row.get(h, "") for h in DOSSIER_HEADERS])
    sheet.cell(
        row=2, column=DOSSIER_HEADERS.index("received_at") + 1, value=local(2026, 3, 9, 10, 0).replace(tzinfo=None)
    )
    book.save(tmp_path / "dossiers.xlsx")
    events = Workbook()
    events.active.append(["Mã hồ sơ", "Thao tác", "Từ trạng thái", "Đến trạng thái", "Thời điểm"])
    for e in valid_events():
        events.active.append([e["code"], e["action"], e["from_status"] or None, e["to_status"], e["effective_at"]])
    events.save(tmp_path / "events.xlsx")

    result = run((tmp_path / "dossiers.xlsx", tmp_path / "events.xlsx"))

    assert result.errors == [] and (result.dossiers, result.events) == (3, 10)
    assert Dossier.objects.get(code=RETURNED_CODE).received_at == local(2026, 3, 9, 10, 0)


def test_cannot_read_a_file_with_an_unknown_header(files, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,mystery\nA,1\n", encoding="utf-8")

    result = history_import(dossiers=path, now=NOW)

    assert [(e.line, e.column) for e in result.errors][:1] == [(1, "mystery")]
    assert_nothing_imported()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("history.txt", "code\n", "Chỉ nhận tệp .csv hoặc .xlsx."), ("empty.csv", "", "Tệp trống: thiếu dòng tiêu đề.")],
)
def test_cannot_read_a_file_of_another_kind_or_an_empty_one(files, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    result = history_import(dossiers=path, now=NOW)

    assert [str(e.message) for e in result.errors] == [message]
    assert_nothing_imported()


def test_command_prints_counts_or_errors(files, capsys):
    d, e = files()
    call_command("import_history", str(d), "--events", str(e), "--dry-run")
    assert "3 hồ sơ, 10 sự kiện" in capsys.readouterr().out
    assert Dossier.objects.count() == 0

    call_command("import_history", str(d), "--events", str(e))
    assert "Đã nhập 3 hồ sơ, 10 sự kiện" in capsys.readouterr().out

    with pytest.raises(CommandError, match="không nhập hồ sơ nào"):
        call_command("import_history", str(d))
    assert "Tệp hồ sơ, dòng 2, cột code (Mã hồ sơ): Mã hồ sơ" in capsys.readouterr().err
