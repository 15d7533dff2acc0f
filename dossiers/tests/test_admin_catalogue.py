"""Admin pages of the catalogue and the calendar, including import through the admin."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats import base_formats

from dossiers.models import ApiToken, CalendarChange, CalendarDay, Procedure, RoutingStep
from dossiers.resources import ProcedureResource
from dossiers.services.calendar_days import calendar_day_set

from .factories import (
    FieldFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    RoutingStepFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BUDGET_WARNING = "Tổng thời gian các bước xử lý vượt thời hạn theo luật"


def make_unit():
    return UnitFactory()


def make_field():
    return FieldFactory()


def make_procedure():
    procedure = ProcedureFactory()
    RequiredDocumentFactory(procedure=procedure, position=1)
    RoutingStepFactory(procedure=procedure, position=1)
    return procedure


def make_calendar_day():
    return calendar_day_set(day=date(2026, 4, 30), is_working=False, name="Ngày Giải phóng miền Nam")


def make_calendar_change():
    make_calendar_day()
    return CalendarChange.objects.get()


def make_api_token():
    return ApiToken.objects.create(user=UserFactory(), digest=ApiToken.digest_of("raw"), prefix="abcd1234")


MAKERS = [make_unit, make_field, make_procedure, make_calendar_day, make_calendar_change, make_api_token]


@pytest.mark.parametrize("make", MAKERS, ids=lambda make: make.__name__.removeprefix("make_"))
def test_does_show_the_changelist_and_change_page_when_a_superuser_opens_them(admin_client, make):
    obj = make()
    opts = obj._meta

    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))

    assert changelist.status_code == 200 and change.status_code == 200
    assert str(obj) in change.content.decode() or obj._meta.model_name in ("calendarchange", "apitoken")


def test_does_list_procedures_in_a_fixed_number_of_queries_when_there_are_many(
    admin_client, django_assert_max_num_queries
):
    field = FieldFactory()
    for _ in range(20):
        ProcedureFactory(field=field)

    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:dossiers_procedure_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model_name", ["unit", "procedure", "calendarday"])
def test_does_show_the_import_and_export_pages_when_a_superuser_opens_them(admin_client, model_name):
    for step in ("import", "export"):
        response = admin_client.get(reverse(f"admin:dossiers_{model_name}_{step}"))
        assert response.status_code == 200


def test_cannot_add_or_change_api_tokens_in_the_admin(admin_client):
    token = make_api_token()

    add = admin_client.get(reverse("admin:dossiers_apitoken_add"))
    change = admin_client.post(reverse("admin:dossiers_apitoken_change", args=[token.pk]), {"prefix": "changed"})

    assert add.status_code == 403
    token.refresh_from_db()
    assert change.status_code == 403 and token.prefix == "abcd1234"


def procedure_form(procedure: Procedure, *budgets: int) -> dict:
    data = {
        "national_code": procedure.national_code,
        "name": procedure.name,
        "field": procedure.field_id,
        "level": procedure.level,
        "lead_agency": procedure.lead_agency_id,
        "legal_processing_time": "1",  # 1 working day = 8 working hours
        "committed_processing_time": "",
        "shortening_decision": "",
        "time_unit": "working_days",
        "online_level": "partial",
        "fee": "0",
        "fee_note": "",
        "result_type": "paper",
        "result_name": "",
        "legal_basis": "",
        "is_active": "on",
    }
    for prefix, count in (("documents", 0), ("steps", len(budgets))):
        data |= {f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": 0}
        data |= {f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    for i, budget in enumerate(budgets):
        data |= {f"steps-{i}-position": i + 1, f"steps-{i}-name": f"Bước {i + 1}", f"steps-{i}-role": "specialist"}
        data |= {f"steps-{i}-unit": "", f"steps-{i}-budget_hours": budget}
    return data


def test_does_warn_about_the_step_budget_when_steps_exceed_the_legal_time(admin_client):
    procedure = ProcedureFactory()
    url = reverse("admin:dossiers_procedure_change", args=[procedure.pk])

    response = admin_client.post(url, procedure_form(procedure, 4, 6), follow=True)

    assert response.status_code == 200
    assert RoutingStep.objects.filter(procedure=procedure).count() == 2
    messages = [str(m) for m in response.context["messages"]]
    assert any(BUDGET_WARNING in m and "2 giờ" in m for m in messages), messages


def test_does_not_warn_about_the_step_budget_when_steps_fit_the_legal_time(admin_client):
    procedure = ProcedureFactory()
    url = reverse("admin:dossiers_procedure_change", args=[procedure.pk])

    response = admin_client.post(url, procedure_form(procedure, 4, 4), follow=True)

    assert RoutingStep.objects.filter(procedure=procedure).count() == 2
    assert not any(BUDGET_WARNING in str(m) for m in response.context["messages"])


def test_does_show_the_total_step_budget_against_the_legal_time_on_the_change_page(admin_client):
    procedure = ProcedureFactory(legal_processing_time=2)
    RoutingStepFactory(procedure=procedure, position=1, budget_hours=4)
    RoutingStepFactory(procedure=procedure, position=2, budget_hours=12)

    response = admin_client.get(reverse("admin:dossiers_procedure_change", args=[procedure.pk]))

    assert "16 / 16 giờ làm việc theo luật" in response.content.decode()


def calendar_form(**overrides) -> dict:
    return {"date": "30/04/2026", "unit": "", "is_working": "", "name": "Ngày Giải phóng", "document": ""} | overrides


def test_does_bump_the_calendar_version_when_a_day_is_added_in_the_admin(admin_client):
    response = admin_client.post(reverse("admin:dossiers_calendarday_add"), calendar_form())

    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert (day.date, day.source) == (date(2026, 4, 30), CalendarDay.Source.ADMIN)
    assert CalendarChange.objects.count() == 1


def test_does_move_the_day_when_its_date_is_changed_in_the_admin(admin_client):
    day = make_calendar_day()
    url = reverse("admin:dossiers_calendarday_change", args=[day.pk])

    admin_client.post(url, calendar_form(date="01/05/2026", name="Quốc tế Lao động"))

    assert list(CalendarDay.objects.values_list("date", "name")) == [(date(2026, 5, 1), "Quốc tế Lao động")]
    assert CalendarChange.objects.count() == 3  # set, removed, set


def test_does_bump_the_calendar_version_when_days_are_removed_with_the_bulk_action(admin_client):
    days = [make_calendar_day(), calendar_day_set(day=date(2026, 5, 1), is_working=False, name="Lao động")]
    versions_before = CalendarChange.objects.count()
    changelist = reverse("admin:dossiers_calendarday_changelist")

    response = admin_client.post(changelist, {"action": "remove_days", "_selected_action": [d.pk for d in days]})

    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert CalendarChange.objects.count() == versions_before + 2
    assert "delete_selected" not in admin_client.get(changelist).content.decode()


def test_does_bump_the_calendar_version_when_a_day_is_deleted_in_the_admin(admin_client):
    day = make_calendar_day()

    admin_client.post(reverse("admin:dossiers_calendarday_delete", args=[day.pk]), {"post": "yes"})

    assert not CalendarDay.objects.exists()
    assert CalendarChange.objects.first().dates == ["2026-04-30"]
    assert CalendarChange.objects.count() == 2


PROCEDURE_CSV = (
    "national_code,name,field,level,lead_agency,legal_processing_time,time_unit,documents,steps\n"
    "1.000001,Đăng ký khai sinh,HT,province,000.00.02.H56,5,working_days,Tờ khai|original|1,"
    "Tiếp nhận|counter_clerk||4; Thẩm định|specialist|000.00.02.H56|16\n"
)


def test_does_import_procedures_after_the_preview_when_the_admin_confirms(admin_client):
    FieldFactory(code="HT")
    UnitFactory(code="000.00.02.H56")
    upload = SimpleUploadedFile("thu-tuc.csv", PROCEDURE_CSV.encode(), content_type="text/csv")

    preview = admin_client.post(reverse("admin:dossiers_procedure_import"), {"import_file": upload, "format": "0"})

    assert preview.status_code == 200 and "confirm_form" in preview.context
    assert not Procedure.objects.exists()
    confirm = preview.context["confirm_form"].initial
    response = admin_client.post(reverse("admin:dossiers_procedure_process_import"), confirm)
    assert response.status_code == 302
    procedure = Procedure.objects.get()
    assert [s.budget_hours for s in procedure.steps.all()] == [4, 16]


def test_cannot_confirm_an_import_when_the_preview_finds_a_bad_row(admin_client):
    FieldFactory(code="HT")
    upload = SimpleUploadedFile("thu-tuc.csv", PROCEDURE_CSV.encode(), content_type="text/csv")

    preview = admin_client.post(reverse("admin:dossiers_procedure_import"), {"import_file": upload, "format": "0"})

    assert "confirm_form" not in preview.context
    page = preview.content.decode()
    assert "Cơ quan chủ trì (lead_agency)" in page and "000.00.02.H56" in page
    assert not Procedure.objects.exists()


def test_does_export_procedures_with_documents_and_steps_when_the_admin_downloads_csv(admin_client):
    procedure = ProcedureFactory(national_code="1.001193", lead_agency=UnitFactory(code="000.00.02.H56"))
    RequiredDocumentFactory(procedure=procedure, position=1, name="Tờ khai", copy_kind="original", count=1)
    RoutingStepFactory(procedure=procedure, position=1, name="Thẩm định", budget_hours=16)
    columns = ProcedureResource._meta.fields
    form = {"format": "0", "resource": "0"} | {f"procedureresource_{column}": "on" for column in columns}

    response = admin_client.post(reverse("admin:dossiers_procedure_export"), form)

    assert response.status_code == 200
    [row] = base_formats.CSV().create_dataset(response.content.decode("utf-8-sig")).dict
    assert (row["national_code"], row["lead_agency"]) == ("1.001193", "000.00.02.H56")
    assert (row["documents"], row["steps"]) == ("Tờ khai|original|1", "Thẩm định|specialist||16")
