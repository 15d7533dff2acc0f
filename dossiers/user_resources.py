"""Staff accounts to and from CSV/XLSX (django-import-export), for the admin's user page.

Columns: username, last_name, first_name, email, is_active, is_staff, roles (names or codes,
separated by ";"), units (unit codes, ";"). Passwords are never exported and never imported:
a new account gets an unusable password (the administrator sets one, or the officer uses
"forgot password"). As every resource here (StrictModelResource), an import is all or
nothing, and each bad row is reported with its line and the Vietnamese column name.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from .models import Unit
from .resources import OncePerFileResource
from .roles import ROLE_LABELS, ROLES, role_label
from .textsearch import fold

SEPARATOR = ";"


def _parts(value) -> list[str]:
    return [part.strip() for part in str(value or "").split(SEPARATOR) if part.strip()]


class RolesWidget(widgets.ManyToManyWidget):
    """Roles by their Vietnamese name (accents and case ignored) or their code."""

    def __init__(self):
        super().__init__(Group, separator=SEPARATOR, field="name")

    def clean(self, value, row=None, **kwargs):
        by_label = {fold(str(label)): code for code, label in ROLE_LABELS.items()}
        names = _parts(value)
        codes = [name if name in ROLES else by_label.get(fold(name)) for name in names]
        unknown = [name for name, code in zip(names, codes, strict=True) if code is None]
        if unknown:
            known = "; ".join(str(label) for label in ROLE_LABELS.values())
            raise ValueError(
                _("Không có vai trò «%(names)s»; dùng: %(known)s.") % {"names": ", ".join(unknown), "known": known}
            )
        groups = list(Group.objects.filter(name__in=codes))
        if len(groups) < len(set(codes)):
            raise ValueError(_("Chưa tạo nhóm quyền cho các vai trò (chạy seed_demo hoặc roles_sync)."))
        return groups

    def render(self, value, obj=None, **kwargs):
        return f"{SEPARATOR} ".join(role_label(g.name) for g in value.all()) if value is not None else ""


class UnitsWidget(widgets.ManyToManyWidget):
    """Units by code: the memberships of the officer (their titles are kept)."""

    def __init__(self):
        super().__init__(Unit, separator=SEPARATOR, field="code")

    def clean(self, value, row=None, **kwargs):
        codes = _parts(value)
        units = list(Unit.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {u.code for u in units})
        if unknown:
            raise ValueError(_("Không có đơn vị với mã «%(codes)s».") % {"codes": ", ".join(unknown)})
        return units

    def render(self, value, obj=None, **kwargs):
        return f"{SEPARATOR} ".join(u.code for u in value.order_by("code")) if value is not None else ""


class UserResource(OncePerFileResource):
    roles = fields.Field(attribute="groups", column_name="roles", widget=RolesWidget())
    units = fields.Field(attribute="units", column_name="units", widget=UnitsWidget())
    extra_labels = {"roles": gettext_lazy("vai trò"), "units": gettext_lazy("đơn vị")}
    repeated_key = gettext_lazy("Tên đăng nhập trùng với dòng %(n)s.")

    class Meta:
        model = get_user_model()
        import_id_fields = ("username",)
        # Never `password`, `is_superuser`, `last_login`: an import gives no one the keys.
        fields = ("username", "last_name", "first_name", "email", "is_active", "is_staff", "roles", "units")
        export_order = fields
        skip_unchanged = True
        use_transactions = True

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("groups", "units").order_by("username")

    def init_instance(self, row=None):
        user = super().init_instance(row)
        user.set_unusable_password()  # a new account: no password until one is set
        return user

    def row_errors(self, instance, row) -> dict[str, list[str]]:
        errors = {}
        for name in ("roles", "units"):  # saved after the row; checked with it, so a bad one is a row error
            if self.fields[name].column_name in row:
                try:
                    self.fields[name].clean(row)
                except ValueError as e:
                    errors[name] = [str(e)]
        return errors
