"""Staff roles as Django groups, with the permissions each one needs."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

COUNTER_CLERK = "counter_clerk"
SPECIALIST = "specialist"
UNIT_LEADER = "unit_leader"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (COUNTER_CLERK, SPECIALIST, UNIT_LEADER, SUPERVISOR, ADMIN)
# What people call each role; the groups keep the codes above, which the code checks.
ROLE_LABELS = {
    COUNTER_CLERK: _("Cán bộ một cửa"),
    SPECIALIST: _("Chuyên viên xử lý"),
    UNIT_LEADER: _("Lãnh đạo đơn vị"),
    SUPERVISOR: _("Giám sát"),
    ADMIN: _("Quản trị hệ thống"),
}


def role_label(code: str) -> str:
    """The Vietnamese name of a role group (a group that is no role keeps its own name)."""
    return str(ROLE_LABELS.get(code, code))


_CATALOGUE = ("unit", "field", "procedure", "requireddocument", "routingstep", "calendarday")
VIEW_CATALOGUE = tuple(f"dossiers.view_{m}" for m in _CATALOGUE)

# Permission codenames ("app_label.codename") granted to each group.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    COUNTER_CLERK: VIEW_CATALOGUE,
    SPECIALIST: VIEW_CATALOGUE,
    UNIT_LEADER: VIEW_CATALOGUE,
    SUPERVISOR: (*VIEW_CATALOGUE, "dossiers.view_dossier"),
    ADMIN: tuple(
        f"dossiers.{action}_{m}"
        for m in (*_CATALOGUE, "unitmembership", "apitoken", "calendarchange")
        for action in ("view", "add", "change", "delete")
    ),
}


def extend_role_permissions(extra: dict[str, tuple[str, ...]]) -> None:
    """Let other modules (and apps) add the permissions of their models to roles."""
    for role, perms in extra.items():
        PERMISSIONS[role] = tuple(dict.fromkeys(PERMISSIONS.get(role, ()) + tuple(perms)))


@transaction.atomic
def roles_sync() -> dict[str, Group]:
    """Create the role groups and set exactly their permissions (idempotent)."""
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = PERMISSIONS.get(role, ())
        perms = Permission.objects.filter(
            content_type__app_label__in={p.split(".")[0] for p in wanted},
            codename__in={p.split(".")[1] for p in wanted},
        )
        group.permissions.set([p for p in perms if f"{p.content_type.app_label}.{p.codename}" in wanted])
        groups[role] = group
    return groups


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(user.groups.values_list("name", flat=True))
