"""Importing 5,000 procedures with their documents and steps: library defaults vs. tuned.

(a) default: a plain ModelResource, ForeignKeyWidget lookups (a query per key per row),
    one row at a time, documents and steps saved one by one;
(b) tuned: dossiers.resources.ProcedureResource, the one the admin uses (codes looked up
    in dictionaries loaded once per import, procedures in bulk, documents and steps with
    bulk_create).
Both start from an empty catalogue; the script checks that they leave the same database
content, then prints times, rows/s and the speed-up (goal ≥ 5×).

    .venv/bin/python bench/bench_import.py            # temporary SQLite file
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_import.py
"""

import csv
import io
import random
import sys

from common import TMP_DIR, throwaway_database, timer  # first: sets Django up
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from dossiers.models import Field, Procedure, RequiredDocument, RoutingStep, Unit
from dossiers.resources import ProcedureResource, documents_parse, steps_parse
from dossiers.services.catalogue import catalogue_changed

PROCEDURES = 5000
GOAL = 5.0
SEED = 20260309
AGENCIES = [f"000.00.{n:02d}.H56" for n in range(1, 31)]
FIELDS = [f"F{n:02d}" for n in range(1, 21)]
DOCUMENT_NAMES = [
    "Tờ khai theo mẫu",
    "Giấy chứng sinh",
    "Giấy tờ tùy thân có ảnh của người yêu cầu",
    "Văn bản ủy quyền (nếu nộp thay)",
    "Bản vẽ thiết kế xây dựng",
    "Giấy chứng nhận quyền sử dụng đất",
    "Hợp đồng thuê địa điểm kinh doanh",
    "Sơ yếu lý lịch có xác nhận",
]
COPY_KINDS = ["original", "certified", "copy"]
STEP_SHAPES = [
    ("Tiếp nhận hồ sơ", "counter_clerk", False),
    ("Thẩm định hồ sơ", "specialist", True),
    ("Xin ý kiến cơ quan phối hợp", "specialist", True),
    ("Trình lãnh đạo phê duyệt", "unit_leader", True),
    ("Trả kết quả", "counter_clerk", False),
]
HEADERS = list(ProcedureResource._meta.fields)


class DefaultProcedureResource(resources.ModelResource):
    """The library's defaults, for comparison only: never used by the product."""

    field = fields.Field(attribute="field", column_name="field", widget=widgets.ForeignKeyWidget(Field, "code"))
    lead_agency = fields.Field(
        attribute="lead_agency", column_name="lead_agency", widget=widgets.ForeignKeyWidget(Unit, "code")
    )
    documents = fields.Field(column_name="documents")
    steps = fields.Field(column_name="steps")

    class Meta:
        model = Procedure
        import_id_fields = ("national_code",)
        fields = tuple(HEADERS)

    def after_save_instance(self, instance, row, **kwargs):
        instance.documents.all().delete()
        instance.steps.all().delete()
        for position, document in enumerate(documents_parse(row["documents"]), 1):
            document.procedure, document.position = instance, position
            document.save()
        steps = steps_parse(row["steps"], unit_for=lambda code: Unit.objects.get(code=code))
        for position, step in enumerate(steps, 1):
            step.procedure, step.position = instance, position
            step.save()


def seed_references() -> None:
    Field.objects.bulk_create(Field(code=code, name=f"Lĩnh vực {code}") for code in FIELDS)
    Unit.objects.bulk_create(Unit(code=code, name=f"Sở {code}", kind=Unit.Kind.AGENCY) for code in AGENCIES)
    catalogue_changed()  # a bulk write sends no signal


def procedure_row(rng: random.Random, n: int) -> list:
    commune = rng.random() < 0.4
    unit, legal = rng.choice(["working_days", "working_hours", "calendar_days"]), rng.choice([1, 3, 5, 10, 15, 20])
    committed = f"{legal * 0.7:.1f}" if rng.random() < 0.3 else ""
    documents = "; ".join(
        f"{name}|{rng.choice(COPY_KINDS)}|{rng.randint(1, 2)}{'|optional' * (rng.random() < 0.2)}"
        for name in rng.sample(DOCUMENT_NAMES, rng.randint(2, 6))
    )
    steps = "; ".join(
        f"{name}|{role}|{rng.choice(AGENCIES) if needs_unit and rng.random() < 0.5 else ''}|{rng.choice([2, 4, 8, 16])}"
        for name, role, needs_unit in STEP_SHAPES[: rng.randint(3, 5)]
    )
    values = {
        "national_code": f"{1 + n % 3}.{n:06d}",
        "name": f"Thủ tục hành chính thử nghiệm số {n} về cấp, đổi giấy phép",
        "field": rng.choice(FIELDS),
        "level": "commune" if commune else "province",
        "lead_agency": "" if commune else rng.choice(AGENCIES),
        "legal_processing_time": legal,
        "committed_processing_time": committed,
        "shortening_decision": "Quyết định 1234/QĐ-UBND ngày 15/8/2025" if committed else "",
        "time_unit": unit,
        "same_day": int(legal == 1 and rng.random() < 0.3),
        "supplement_resets_clock": 0,
        "online_level": rng.choice(["full", "partial", "none"]),
        "fee": rng.choice([0, 8000, 50000, 100000]),
        "fee_note": "",
        "result_type": rng.choice(["paper", "electronic", "both"]),
        "result_name": "Giấy phép",
        "legal_basis": "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP; Thông tư 04/2020/TT-BTP",
        "is_active": 1,
        "documents": documents,
        "steps": steps,
    }
    return [values[h] for h in HEADERS]


def generate_csv(path) -> str:
    rng = random.Random(SEED)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(procedure_row(rng, n) for n in range(1, PROCEDURES + 1))
    path.write_text(out.getvalue(), encoding="utf-8")
    return out.getvalue()


def catalogue_dump() -> list[tuple]:
    """Procedures, documents and steps by natural keys, without database ids."""
    procedure_fields = [f.attname for f in Procedure._meta.concrete_fields if f.attname not in ("id", "lead_agency_id")]
    procedures = Procedure.objects.order_by("national_code").values_list(*procedure_fields, "lead_agency__code")
    documents = RequiredDocument.objects.order_by("procedure__national_code", "position").values_list(
        "procedure__national_code", "position", "name", "copy_kind", "count", "is_mandatory"
    )
    steps = RoutingStep.objects.order_by("procedure__national_code", "position").values_list(
        "procedure__national_code", "position", "name", "role", "unit__code", "budget_hours"
    )
    return [*procedures, *documents, *steps]


def wipe_catalogue() -> None:
    RequiredDocument.objects.all().delete()
    RoutingStep.objects.all().delete()
    Procedure.objects.all().delete()


def run(resource: resources.ModelResource, dataset, *, dry_run: bool = False) -> float:
    with timer() as elapsed:
        result = resource.import_data(dataset, dry_run=dry_run)
    if result.has_errors() or result.has_validation_errors():
        sys.exit(f"{type(resource).__name__}: import failed: {result.base_errors or result.invalid_rows[:3]}")
    return elapsed["seconds"]


def report(label: str, seconds: float) -> None:
    print(f"{label:<44} {seconds:8.2f} s  {PROCEDURES / seconds:9.0f} rows/s")


def main() -> None:
    with throwaway_database("bench_import") as where:
        seed_references()
        text = generate_csv(TMP_DIR / "procedures.csv")
        dataset = base_formats.CSV().create_dataset(text)
        print(f"{PROCEDURES} procedures, {len(text) / 1e6:.1f} MB CSV, database: {where}")

        default_s = run(DefaultProcedureResource(), dataset)
        default_dump = catalogue_dump()
        wipe_catalogue()
        preview_s = run(ProcedureResource(), dataset, dry_run=True)
        tuned_s = run(ProcedureResource(), dataset)
        tuned_dump = catalogue_dump()
        unchanged_s = run(ProcedureResource(), dataset)

        same = default_dump == tuned_dump and len(tuned_dump) > PROCEDURES
        report("(a) library defaults, row by row", default_s)
        report("(b) tuned (admin resource), dry run", preview_s)
        report("(b) tuned (admin resource), import", tuned_s)
        report("(b) tuned, re-import of the same file", unchanged_s)
        print(f"database content identical: {same} ({len(tuned_dump)} rows compared)")
        ratio = default_s / tuned_s
        print(f"ratio tuned/default (speed-up): {ratio:.1f}x (goal >= {GOAL:.0f}x)")
    if not same or ratio < GOAL:
        sys.exit(1)


if __name__ == "__main__":
    main()
