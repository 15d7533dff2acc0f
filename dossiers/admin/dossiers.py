"""Read-only admin of dossiers, scoped by the one access rule (dossiers/access.py).

Changes go through the services (intake, routing, apologies); the admin only shows.
"""

from django.contrib import admin

from ..models import Dossier, DossierEvent


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    """A changelist that shows only what `Model.objects.visible_to(user)` lets the user see."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DossierEventInline(admin.TabularInline):
    model = DossierEvent
    fields = ("effective_at", "action", "from_status", "to_status", "actor", "unit", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ScopedReadOnlyAdmin):
    list_display = ("code", "procedure", "status", "receiving_unit", "current_unit", "received_at", "due_at")
    list_filter = ("status", "channel")
    search_fields = ("code",)
    list_select_related = ("procedure", "receiving_unit", "current_unit")
    date_hierarchy = "received_at"
    exclude = ("lookup_key",)
    inlines = [DossierEventInline]
    show_full_result_count = False
