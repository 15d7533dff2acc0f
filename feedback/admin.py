"""Read-only admin views of ratings and petitions (changes go through feedback.services)."""

from django.contrib import admin

from dossiers.admin.dossiers import ScopedReadOnlyAdmin as ReadOnlyAdmin

from .models import Petition, PetitionEvent, Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "unit", "satisfied", "attitude", "timeliness", "guidance", "source", "created_at")
    list_filter = ("satisfied", "source", "unit")
    search_fields = ("dossier__code", "comment")
    list_select_related = ("dossier", "unit")
    date_hierarchy = "created_at"


class PetitionEventInline(admin.TabularInline):
    model = PetitionEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdmin):
    list_display = ("code", "subject", "unit", "status", "received_at", "answer_by", "overdue_flagged_at")
    list_filter = ("status", "about", "unit")
    search_fields = ("code", "subject", "name", "phone", "email")
    list_select_related = ("unit",)
    date_hierarchy = "received_at"
    exclude = ("key",)
    inlines = [PetitionEventInline]
