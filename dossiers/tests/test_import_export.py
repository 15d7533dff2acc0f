"""Import and export of units, procedures (with documents and steps) and the calendar."""

from datetime import date
from decimal import Decimal

import pytest
import tablib
from import_export.formats import base_formats

from dossiers.models import CalendarChange, CalendarDay, Procedure, RequiredDocument, RoutingStep, Unit
from dossiers.resources import CalendarDayResource, ProcedureResource, UnitResource
from dossiers.services.calendar_days import calendar_day_set

from .factories import FieldFactory, ProcedureFactory, RequiredDocumentFactory, RoutingStepFactory, UnitFactory

pytestmark = pytest.mark.django_db

HEADERS = ["national_code", "name", "field", "level", "lead_agency", "legal_processing_time"]
HEADERS += ["committed_processing_time", "time_unit", "documents", "steps"]


@pytest.fixture
def catalogue_refs():
    return {
        "field": FieldFactory(code="HT", name="Hộ tịch"),
        "agency": UnitFactory(code="000.00.02.H56", name="Sở Tư pháp"),
    }


def procedure_row(code: str, **overrides) -> dict:
    row = {
        "national_code": code,
        "name": f"Thủ tục {code}",
        "field": "HT",
        "level": "province",
        "lead_agency": "000.00.02.H56",
        "legal_processing_time": "5",
        "committed_processing_time": "",
        "time_unit": "working_days",
        "documents": "Tờ khai đăng ký khai sinh|original|1; Giấy chứng sinh|copy|2|optional",
        "steps": "Tiếp nhận|counter_clerk||4; Thẩm định|specialist|000.00.02.H56|16",
    }
    return row | overrides


def dataset_of(*rows: dict) -> tablib.Dataset:
    return tablib.Dataset(*[[row[h] for h in HEADERS] for row in rows], headers=HEADERS)


def catalogue_dump() -> list[tuple]:
    """Procedures with their documents and steps, without database ids."""
    return [
        (
            p.national_code,
            p.name,
            p.field.code,
            p.level,
            p.lead_agency.code if p.lead_agency else None,
            p.legal_processing_time,
            p.committed_processing_time,
            p.time_unit,
            p.online_level,
            p.fee,
            p.same_day,
            [(d.position, d.name, d.copy_kind, d.count, d.is_mandatory) for d in p.documents.all()],
            [(s.position, s.name, s.role, s.unit.code if s.unit else None, s.budget_hours) for s in p.steps.all()],
        )
        for p in Procedure.objects.with_details().order_by("national_code")
    ]


def round_trip(resource_class, file_format, *, force_native_type: bool) -> tablib.Dataset:
    exported = resource_class().export(force_native_type=force_native_type)
    return file_format().create_dataset(file_format().export_data(exported))


@pytest.mark.parametrize(
    ("file_format", "native"), [(base_formats.XLSX, True), (base_formats.CSV, False)], ids=["xlsx", "csv"]
)
def test_does_round_trip_procedures_with_documents_and_steps_when_exported_then_imported(
    catalogue_refs, file_format, native
):
    agency = catalogue_refs["agency"]
    commune = ProcedureFactory(
        national_code="1.001193", field=catalogue_refs["field"], lead_agency=None, level="commune"
    )
    shortened = ProcedureFactory(
        national_code="2.000635",
        field=catalogue_refs["field"],
        lead_agency=agency,
        legal_processing_time=Decimal("10"),
        committed_processing_time=Decimal("7.5"),
        same_day=True,
    )
    RequiredDocumentFactory(procedure=commune, position=1, name="Tờ khai", copy_kind="original", count=1)
    RequiredDocumentFactory(procedure=commune, position=2, name="Giấy chứng sinh", copy_kind="copy", is_mandatory=False)
    RoutingStepFactory(procedure=shortened, position=1, name="Tiếp nhận", role="counter_clerk", budget_hours=4)
    RoutingStepFactory(procedure=shortened, position=2, name="Thẩm định", unit=agency, budget_hours=Decimal("12.5"))
    before = catalogue_dump()
    dataset = round_trip(ProcedureResource, file_format, force_native_type=native)
    Procedure.objects.all().delete()

    result = ProcedureResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2
    assert catalogue_dump() == before


def test_does_skip_every_row_when_reimporting_an_unchanged_export(catalogue_refs):
    ProcedureResource().import_data(dataset_of(procedure_row("1.000001"), procedure_row("1.000002")))
    exported = ProcedureResource().export()

    result = ProcedureResource().import_data(exported)

    assert result.totals["skip"] == 2 and result.totals["update"] == 0


def test_does_replace_documents_and_steps_as_a_whole_when_a_procedure_is_reimported(catalogue_refs):
    ProcedureResource().import_data(dataset_of(procedure_row("1.000001")))
    first_document = RequiredDocument.objects.get(position=1)
    changed = procedure_row(
        "1.000001", documents="Tờ khai đăng ký khai sinh|certified|3", steps="Trả kết quả|counter_clerk||2"
    )

    result = ProcedureResource().import_data(dataset_of(changed))

    assert result.totals["update"] == 1
    procedure = Procedure.objects.get()
    assert [(d.name, d.copy_kind, d.count) for d in procedure.documents.all()] == [
        ("Tờ khai đăng ký khai sinh", "certified", 3)
    ]
    assert [(s.position, s.name, s.budget_hours) for s in procedure.steps.all()] == [(1, "Trả kết quả", Decimal(2))]
    # The document at a surviving position keeps its id (dossier documents point at it).
    assert procedure.documents.get().pk == first_document.pk


@pytest.mark.parametrize(
    ("overrides", "label", "message"),
    [
        ({"lead_agency": "999.99.99.H99"}, "Cơ quan chủ trì (lead_agency)", "999.99.99.H99"),
        ({"time_unit": "weeks"}, "Đơn vị thời gian (time_unit)", "weeks"),
        ({"committed_processing_time": "6"}, "Thời hạn tỉnh cam kết (committed_processing_time)", "dài hơn"),
        ({"field": "XX"}, "Lĩnh vực (field)", "XX"),
        ({"steps": "Tiếp nhận|counter_clerk||4; Ký|boss||2"}, "Quy trình xử lý (steps)", "Mục 2"),
        ({"steps": "Thẩm định|specialist|000.00.77.H56|8"}, "Quy trình xử lý (steps)", "000.00.77.H56"),
        ({"documents": "Tờ khai|scan|1"}, "Thành phần hồ sơ (documents)", "scan"),
    ],
    ids=["unknown-unit", "bad-time-unit", "committed-longer", "unknown-field", "bad-role", "step-unit", "copy-kind"],
)
def test_cannot_import_any_row_when_one_row_is_bad(catalogue_refs, overrides, label, message):
    rows = [procedure_row("1.000001"), procedure_row("1.000002", **overrides), procedure_row("1.000003")]

    result = ProcedureResource().import_data(dataset_of(*rows), dry_run=False)

    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert label in invalid.error_dict
    assert message in " ".join(invalid.error_dict[label])
    assert (Procedure.objects.count(), RequiredDocument.objects.count(), RoutingStep.objects.count()) == (0, 0, 0)


def test_cannot_import_a_file_when_a_national_code_repeats(catalogue_refs):
    result = ProcedureResource().import_data(dataset_of(procedure_row("1.000001"), procedure_row("1.000001")))

    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert "trùng với dòng 1" in invalid.error_dict["Mã TTHC (national_code)"][0]
    assert not Procedure.objects.exists()


def test_does_change_nothing_when_importing_as_a_dry_run(catalogue_refs):
    ProcedureResource().import_data(dataset_of(procedure_row("1.000001")))
    before = catalogue_dump()
    rows = [procedure_row("1.000001", steps="Thẩm định|specialist||30"), procedure_row("1.000002")]

    result = ProcedureResource().import_data(dataset_of(*rows), dry_run=True)

    assert (result.totals["update"], result.totals["new"]) == (1, 1)
    assert catalogue_dump() == before
    # The preview's diff (last column: steps) shows the new steps of the updated procedure.
    steps_diff = result.rows[0].diff[result.diff_headers.index("steps")]
    assert "<ins" in steps_diff and "30" in steps_diff


def test_does_link_units_to_their_parent_code_when_parents_come_first_in_the_file():
    data = tablib.Dataset(
        ["000.00.02.H56", "Sở Tư pháp", "agency", "province", ""],
        ["000.02.02.H56", "Phòng Hộ tịch", "department", "province", "000.00.02.H56"],
        headers=["code", "name", "kind", "level", "parent"],
    )

    result = UnitResource().import_data(data)

    assert result.totals["new"] == 2
    assert Unit.objects.get(code="000.02.02.H56").parent.code == "000.00.02.H56"


def test_does_round_trip_units_when_exported_as_xlsx_then_imported():
    parent = UnitFactory(code="000.00.09.H56", name="Sở Xây dựng")
    UnitFactory(code="000.00.01.H56", name="Phòng Cấp phép", parent=parent, kind=Unit.Kind.DEPARTMENT)
    dataset = round_trip(UnitResource, base_formats.XLSX, force_native_type=True)
    Unit.objects.filter(parent__isnull=False).delete()
    Unit.objects.all().delete()

    result = UnitResource().import_data(dataset)

    assert result.totals["new"] == 2, [r.error_dict for r in result.invalid_rows]
    assert Unit.objects.get(code="000.00.01.H56").parent.code == "000.00.09.H56"


def test_cannot_import_units_when_the_parent_code_is_unknown():
    data = tablib.Dataset(["000.02.02.H56", "Phòng Hộ tịch", "department", "province", "000.00.42.H56"])
    data.headers = ["code", "name", "kind", "level", "parent"]

    result = UnitResource().import_data(data)

    assert "000.00.42.H56" in result.invalid_rows[0].error_dict["Đơn vị cấp trên (parent)"][0]
    assert not Unit.objects.exists()


CALENDAR_HEADERS = ["date", "unit", "is_working", "name", "document"]


def test_does_bump_the_calendar_version_once_when_a_calendar_file_is_imported():
    UnitFactory(code="000.00.19.H56")
    data = tablib.Dataset(
        ["14/02/2026", "", "0", "Nghỉ Tết (công chức)", "Thông báo 123/TB-BNV"],
        ["2026-02-16", "", "0", "Nghỉ Tết (công chức)", "Thông báo 123/TB-BNV"],
        ["28/02/2026", "000.00.19.H56", "1", "Làm bù", ""],
        headers=CALENDAR_HEADERS,
    )
    versions_before = CalendarChange.objects.count()

    result = CalendarDayResource().import_data(data, dry_run=False, file_name="tet-2026.csv")

    assert result.totals["new"] == 3
    assert CalendarChange.objects.count() == versions_before + 1
    change = CalendarChange.objects.first()
    assert change.dates == ["2026-02-14", "2026-02-16", "2026-02-28"]
    assert set(CalendarDay.objects.values_list("source", flat=True)) == {CalendarDay.Source.IMPORT}
    assert CalendarDay.objects.get(date=date(2026, 2, 28)).unit.code == "000.00.19.H56"


def test_does_update_the_province_wide_day_when_a_row_has_no_unit_code():
    calendar_day_set(day=date(2026, 9, 2), is_working=False, name="Quốc khánh")
    data = tablib.Dataset(["02/09/2026", "", "0", "Lễ Quốc khánh", "BLLĐ 2019 điều 112"], headers=CALENDAR_HEADERS)

    result = CalendarDayResource().import_data(data)

    assert result.totals["update"] == 1
    assert CalendarDay.objects.get().name == "Lễ Quốc khánh"


def test_cannot_change_the_calendar_when_the_import_is_a_dry_run():
    data = tablib.Dataset(["14/02/2026", "", "0", "Nghỉ Tết", ""], headers=CALENDAR_HEADERS)

    result = CalendarDayResource().import_data(data, dry_run=True)

    assert result.totals["new"] == 1
    assert not CalendarDay.objects.exists() and not CalendarChange.objects.exists()


def test_cannot_import_calendar_days_when_one_row_is_bad():
    data = tablib.Dataset(
        ["14/02/2026", "", "0", "Nghỉ Tết", ""],
        ["31/02/2026", "", "0", "Không có ngày này", ""],
        ["16/02/2026", "000.00.99.H56", "maybe", "Nghỉ Tết", ""],
        headers=CALENDAR_HEADERS,
    )

    result = CalendarDayResource().import_data(data)

    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(errors) == {2, 3}
    assert "31/02/2026" in errors[2]["Ngày (date)"][0]
    assert {"Đơn vị (unit)", "Là ngày làm việc (is_working)"} <= set(errors[3])
    assert not CalendarDay.objects.exists() and not CalendarChange.objects.exists()


def test_does_export_calendar_days_with_dates_and_unit_codes():
    unit = UnitFactory(code="000.00.19.H56")
    calendar_day_set(day=date(2026, 2, 28), is_working=True, name="Làm bù", unit=unit)

    exported = CalendarDayResource().export()

    assert exported.dict == [
        {"date": "28/02/2026", "unit": "000.00.19.H56", "is_working": "1", "name": "Làm bù", "document": ""}
    ]
