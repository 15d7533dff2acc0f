"""Admin for the catalogue (units, fields, procedures), the working calendar and API tokens.

Units, procedures and calendar days import and export as CSV or XLSX with a dry-run
preview (dossiers.resources). Calendar edits go through the calendar services so that
every change bumps the calendar version.
"""

from decimal import Decimal

from django.contrib import admin, messages
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportModelAdmin

from ..models import (
    ApiToken,
    CalendarChange,
    CalendarDay,
    Field,
    Procedure,
    RequiredDocument,
    RoutingStep,
    Unit,
    UnitMembership,
)
from ..resources import CalendarDayResource, ProcedureResource, UnitResource, plain_decimal
from ..services.calendar_days import calendar_day_remove, calendar_day_set
from ..services.tokens import api_token_revoke
from .formats import FILE_FORMATS, SpreadsheetExportMixin


class CatalogueImportExportAdmin(SpreadsheetExportMixin, ImportExportModelAdmin):
    """CSV and XLSX through the portal's spreadsheet writers (admin.formats)."""

    formats = FILE_FORMATS


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    fields = ("user", "title")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Unit)
class UnitAdmin(CatalogueImportExportAdmin):
    resource_classes = [UnitResource]
    list_display = ("code", "name", "kind", "level", "parent", "is_active")
    list_select_related = ("parent",)
    list_filter = ("kind", "level", "is_active")
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent",)
    inlines = [UnitMembershipInline]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    fields = ("position", "name", "copy_kind", "count", "is_mandatory", "blank_form")
    extra = 0


class RoutingStepInline(admin.TabularInline):
    model = RoutingStep
    fields = ("position", "name", "role", "unit", "budget_hours")
    autocomplete_fields = ("unit",)
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(CatalogueImportExportAdmin):
    resource_classes = [ProcedureResource]
    list_display = ("national_code", "name", "field", "level", "processing_time_display", "online_level")
    list_select_related = ("field",)
    list_filter = ("level", "online_level", "time_unit", "is_active", "field")
    search_fields = ("national_code", "name")
    autocomplete_fields = ("field", "lead_agency")
    readonly_fields = ("step_budget_summary",)
    inlines = [RequiredDocumentInline, RoutingStepInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # "dichvucong.gov.vn/…" typed bare

    @admin.display(description=gettext_lazy("thời hạn giải quyết"), ordering="legal_processing_time")
    def processing_time_display(self, procedure: Procedure) -> str:
        return f"{plain_decimal(procedure.processing_time)} {procedure.get_time_unit_display()}"

    @admin.display(description=gettext_lazy("tổng thời gian các bước"))
    def step_budget_summary(self, procedure: Procedure) -> str:
        if procedure.pk is None:
            return "–"
        total = sum((step.budget_hours for step in procedure.steps.all()), Decimal(0))
        legal = procedure.legal_working_hours
        if legal is None:
            return _("%(total)s giờ làm việc (thời hạn tính theo %(unit)s, không so sánh được)") % {
                "total": plain_decimal(total),
                "unit": procedure.get_time_unit_display(),
            }
        return _("%(total)s / %(legal)s giờ làm việc theo luật") % {
            "total": plain_decimal(total),
            "legal": plain_decimal(legal),
        }

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        excess = form.instance.step_budget_excess()  # the steps are saved only now
        if excess is not None:
            messages.warning(
                request,
                _("Tổng thời gian các bước xử lý vượt thời hạn theo luật %(excess)s giờ làm việc.")
                % {"excess": plain_decimal(excess)},
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(CatalogueImportExportAdmin):
    resource_classes = [CalendarDayResource]
    list_display = ("date", "unit", "is_working", "name", "document", "source")
    list_select_related = ("unit",)
    list_filter = ("is_working", "source", ("unit", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "document")
    date_hierarchy = "date"
    autocomplete_fields = ("unit",)
    readonly_fields = ("source",)
    actions = ["remove_days"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would skip the calendar version
        return actions

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change and {"date", "unit"} & set(form.changed_data):
            calendar_day_remove(row=CalendarDay.objects.get(pk=obj.pk), by=request.user)
        row = calendar_day_set(
            day=obj.date,
            unit=obj.unit,
            is_working=obj.is_working,
            name=obj.name,
            document=obj.document,
            by=request.user,
        )
        obj.pk, obj.source = row.pk, row.source

    def delete_model(self, request, obj):
        calendar_day_remove(row=obj, by=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for row in queryset:
            calendar_day_remove(row=row, by=request.user)

    @admin.action(description=gettext_lazy("Xóa các ngày đã chọn (cập nhật phiên bản lịch)"), permissions=["delete"])
    def remove_days(self, request, queryset):
        count = queryset.count()
        self.delete_queryset(request, queryset)
        messages.success(request, _("Đã xóa %(n)s ngày khỏi lịch làm việc.") % {"n": count})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarChange)
class CalendarChangeAdmin(ReadOnlyAdmin):
    list_display = ("version", "changed_at", "changed_by", "summary")
    list_select_related = ("changed_by",)
    fields = ("changed_at", "changed_by", "summary", "dates")

    @admin.display(description=gettext_lazy("phiên bản"), ordering="id")
    def version(self, change: CalendarChange) -> str:
        return f"v{change.pk}"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are made by `manage.py create_api_token` (the raw token is shown once); here they are
    listed and revoked (also `manage.py revoke_api_token`)."""

    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("prefix", "user__username")
    fields = ("prefix", "user", "created_at", "expires_at", "revoked_at")
    actions = ["revoke"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("dossiers.change_apitoken")

    @admin.action(description=gettext_lazy("Thu hồi các mã đã chọn"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = api_token_revoke(tokens=queryset)
        messages.success(request, _("Đã thu hồi %(n)s mã truy cập.") % {"n": count})
