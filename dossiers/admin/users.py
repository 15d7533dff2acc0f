"""Staff accounts in the admin: roles by their Vietnamese names, unit membership on the user's
own page, and import/export of accounts (dossiers.user_resources; never a password)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from ..models import UnitMembership
from ..people import person_name
from ..roles import ROLE_LABELS, role_label
from ..user_resources import UserResource
from .catalogue import FILE_FORMATS

User = get_user_model()


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group) -> str:
        return role_label(group.name)


class RoleFilter(admin.SimpleListFilter):
    title = _("vai trò")
    parameter_name = "vai_tro"

    def lookups(self, request, model_admin):
        return list(ROLE_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


class MembershipInline(admin.TabularInline):
    """The units the officer works in, edited where the officer is."""

    model = UnitMembership
    fields = ("unit", "title")
    autocomplete_fields = ("unit",)
    extra = 1
    verbose_name = _("đơn vị công tác")
    verbose_name_plural = _("đơn vị công tác")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(ImportExportModelAdmin, BaseUserAdmin):
    resource_classes = [UserResource]
    formats = FILE_FORMATS
    inlines = [MembershipInline]
    list_display = ("username", "full_name", "email", "roles", "unit_codes", "is_active", "is_staff")
    list_filter = (RoleFilter, "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email", "units__code")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "units")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
            kwargs["label"] = _("vai trò")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("họ và tên"), ordering="last_name")
    def full_name(self, user) -> str:
        return person_name(user)

    @admin.display(description=_("vai trò"))
    def roles(self, user) -> str:
        return ", ".join(sorted(role_label(g.name) for g in user.groups.all()))

    @admin.display(description=_("đơn vị"))
    def unit_codes(self, user) -> str:
        return ", ".join(sorted(u.code for u in user.units.all()))


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    list_display = ("name", "label")

    @admin.display(description=_("tên vai trò"))
    def label(self, group) -> str:
        return role_label(group.name)
