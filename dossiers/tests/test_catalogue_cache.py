"""The receipt's catalogue bundle comes from a per-process cache keyed by the catalogue version:
a warm receipt reads no catalogue table, and every change (admin, model save/delete, import)
bumps the version in its own transaction, so the next receipt sees it."""

import pytest
import tablib
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.models import Dossier, Procedure, ReferenceVersion, RequiredDocument, RoutingStep
from dossiers.resources import ProcedureResource
from dossiers.services.catalogue import catalogue_changed
from dossiers.tests.conftest import local
from dossiers.tests.test_admin_catalogue import procedure_form
from dossiers.tests.test_api_dossiers import BODY, bearer
from dossiers.tests.test_import_export import dataset_of, procedure_row

pytestmark = pytest.mark.django_db

CATALOGUE_TABLES = [m._meta.db_table for m in (Procedure, RequiredDocument, RoutingStep)]


@pytest.fixture
def post(client, world):
    headers = bearer(world["clerk"])

    def call(**changes):
        return client.post("/api/v1/dossiers", BODY | changes, content_type="application/json", **headers)

    return call


def catalogue_version() -> int:
    return ReferenceVersion.objects.get(pk=1).catalogue


def steps_of(response) -> list[str]:
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    return list(dossier.steps.order_by("position").values_list("name", flat=True))


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_not_read_the_catalogue_when_the_process_has_received_the_procedure_before(post):
    post()  # loads the bundle into the cache
    with CaptureQueriesContext(connection) as queries:
        response = post()
    assert response.status_code == 201, response.content
    read = [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in CATALOGUE_TABLES)]
    assert read == []


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_refuse_the_next_receipt_when_the_admin_deactivates_the_procedure(post, world, admin_client):
    assert post().status_code == 201
    before = catalogue_version()
    procedure = world["procedure"]
    form = procedure_form(procedure)
    del form["is_active"]

    response = admin_client.post(reverse("admin:dossiers_procedure_change", args=[procedure.pk]), form)

    assert response.status_code == 302
    assert catalogue_version() > before
    refused = post()
    assert refused.status_code == 422 and "procedure_code" in refused.json()["fields"]


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_lay_out_the_steps_saved_since_the_last_receipt(post, world):
    assert steps_of(post()) == ["Tiếp nhận", "Thẩm định", "Ký duyệt", "Trả kết quả"]
    before = catalogue_version()

    world["procedure"].steps.filter(name="Ký duyệt").delete()
    step = world["procedure"].steps.get(name="Thẩm định")
    step.name = "Thẩm định hồ sơ"
    step.save()

    assert catalogue_version() >= before + 2
    assert steps_of(post()) == ["Tiếp nhận", "Thẩm định hồ sơ", "Trả kết quả"]


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_lay_out_the_imported_steps_when_an_import_replaces_them(post, world):
    assert len(steps_of(post())) == 4
    before = catalogue_version()
    procedure = world["procedure"]
    row = procedure_row(
        procedure.national_code,
        field=procedure.field.code,
        steps="Tiếp nhận|counter_clerk||4; Thẩm định|specialist|000.00.02.H56|16",
    )

    result = ProcedureResource().import_data(dataset_of(row), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert catalogue_version() > before
    assert steps_of(post()) == ["Tiếp nhận", "Thẩm định"]


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_set_the_imported_processing_time_when_an_import_changes_only_the_procedure(post, world):
    first = post()
    assert first.status_code == 201, first.content
    procedure = world["procedure"]
    row = procedure_row(procedure.national_code, field=procedure.field.code, committed_processing_time="2")
    del row["documents"], row["steps"]  # the procedure's bulk update alone, its details kept
    data = tablib.Dataset([*row.values()], headers=[*row])

    result = ProcedureResource().import_data(data, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    second = post()
    assert second.status_code == 201, second.content
    assert second.json()["due_at"] < first.json()["due_at"]
    assert len(steps_of(second)) == 4


@time_machine.travel(local(2026, 3, 9, 10, 0), tick=False)
def test_does_refuse_the_next_receipt_when_a_bulk_update_deactivates_the_procedure(post, world):
    assert post().status_code == 201
    before = catalogue_version()

    Procedure.objects.filter(pk=world["procedure"].pk).update(is_active=False)  # no signals
    catalogue_changed()  # what every bulk writer of the catalogue calls after its write

    assert catalogue_version() > before
    refused = post()
    assert refused.status_code == 422 and "procedure_code" in refused.json()["fields"]
