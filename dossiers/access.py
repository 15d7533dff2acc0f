"""Who may see what and who may do what: the one access rule of the portal.

- An officer (counter clerk, specialist, unit leader) sees the dossiers that one of their units
  received, leads, holds or handled a step of — nothing else, not the units below theirs.
- Only the supervisor role sees a subtree: the same, for every unit at or below theirs.
- A superuser sees everything. A member of a unit with no staff role sees nothing.
- A citizen is never a user here. Anonymous, they reach one dossier by its code and lookup key
  (services.lookup); logged in with the electronic identity (citizens.identity), the dossiers whose
  applicant ID number is the one the identity provider verified (`applicant_dossiers`).

Acting needs a role in a unit: `Grant.acts_in(unit_id, roles)`. Every page, endpoint, export,
print, file download, kiosk and admin changelist reads through `Dossier.objects.visible_to(user)`
(and Unit / Apology / Petition / Rating `visible_to`, which are built from it), so a new surface
only has to call it — and add a row to the access matrix test (dossiers/tests/test_access.py).
"""

from dataclasses import dataclass

from django.db.models import BooleanField, F, Func, Q, Subquery

from .roles import COUNTER_CLERK, SPECIALIST, SUPERVISOR, UNIT_LEADER

OFFICERS = frozenset({COUNTER_CLERK, SPECIALIST, UNIT_LEADER})
# Petitions are handled by the specialists and leaders of the unit they are routed to.
PETITION_HANDLERS = frozenset({SPECIALIST, UNIT_LEADER})


@dataclass(frozen=True)
class Grant:
    """What one user may reach: their roles, their units, and (supervisors) the units below."""

    everything: bool = False
    roles: frozenset[str] = frozenset()
    units: frozenset[int] = frozenset()
    subtree: frozenset[int] = frozenset()

    def acts_in(self, unit_id: int | None, roles) -> bool:
        """Whether the user holds one of `roles` in the unit (superusers: everywhere)."""
        return self.everything or (bool(self.roles & set(roles)) and unit_id in self.units)

    def units_with(self, roles) -> frozenset[int]:
        """The user's units where one of `roles` lets them act."""
        return self.units if self.roles & set(roles) else frozenset()

    @property
    def sees(self) -> frozenset[int]:
        """The units whose dossiers the user sees (not meaningful for superusers)."""
        return self.units_with(OFFICERS) | self.subtree


NOBODY = Grant()


def grant_of(user) -> Grant:
    """The user's grant, computed once per user object (a request's `request.user`)."""
    if user is None or not user.is_authenticated:
        return NOBODY
    cached = getattr(user, "_access_grant", None)
    if cached is None:
        cached = user._access_grant = _grant(user)
    return cached


def grant_forget(user) -> None:
    """Drop the cached grant (after the user's roles or units changed)."""
    user.__dict__.pop("_access_grant", None)


def _grant(user) -> Grant:
    if user.is_superuser:
        return Grant(everything=True)
    roles = frozenset(user.groups.values_list("name", flat=True))
    units = frozenset(user.memberships.values_list("unit_id", flat=True))
    subtree = subtree_ids(units) if SUPERVISOR in roles else frozenset()
    return Grant(roles=roles, units=units, subtree=subtree)


def subtree_ids(unit_ids) -> frozenset[int]:
    """The units and every unit below them (one query per level of the tree)."""
    from .models import Unit

    ids = set(unit_ids)
    frontier = set(ids)
    while frontier:
        frontier = set(Unit.objects.filter(parent__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return frozenset(ids)


# -- reads: the querysets' `visible_to` are built from these ---------------------------------


def dossier_filter(units) -> Q:
    """Dossiers these units received, lead, hold or handled a step of."""
    from .models import DossierStep

    units = sorted(units)
    handled = DossierStep.objects.filter(unit__in=units, started_at__isnull=False).order_by().values("dossier")
    return (
        Q(receiving_unit__in=units)
        | Q(lead_unit__in=units)
        | Q(current_unit__in=units)
        | Q(AmongIds(F("pk"), Subquery(handled)))
    )


class AmongIds(Func):
    """`id IN (SELECT …)` for an uncorrelated subquery of ids; on PostgreSQL `id = ANY(ARRAY(SELECT …))`.

    The access rule's fourth branch (a step handled) used to be a correlated EXISTS: PostgreSQL then
    checks every dossier row by row (a scan of the whole table, 4 s for a clerk's list COUNT at 10M
    dossiers, issue 17). Written as ANY(ARRAY(…)), the subquery runs once (an InitPlan) and the
    primary key's index joins the three unit columns' indexes in one BitmapOr, so a small unit's
    dossiers are read off the indexes whatever the history's size."""

    arg_joiner = " IN "
    template = "%(expressions)s"
    output_field = BooleanField()
    conditional = True

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, arg_joiner=" = ANY(ARRAY(", template="%(expressions)s))")


def visible_dossiers(queryset, user):
    grant = grant_of(user)
    if grant.everything:
        return queryset
    if not grant.sees:
        return queryset.none()
    return queryset.filter(dossier_filter(grant.sees))


def applicant_dossiers(queryset, id_number: str):
    """A citizen's own dossiers: the applicant's ID number equals the one their identity provider
    verified (citizens.identity.Citizen.id_number); an empty number (not verified) matches nothing."""
    return queryset.filter(applicant_id_number=id_number) if id_number else queryset.none()


def visible_units(queryset, user):
    """The units whose dossiers the user sees: the pickers of lists, registers and KPIs."""
    grant = grant_of(user)
    return queryset if grant.everything else queryset.filter(pk__in=sorted(grant.sees))


def at_counter_of(queryset, user):
    """Dossiers received at a counter where the user is a clerk (the rating kiosk's scope)."""
    grant = grant_of(user)
    if grant.everything:
        return queryset
    return queryset.filter(receiving_unit__in=sorted(grant.units_with({COUNTER_CLERK})))


def visible_petitions(queryset, user):
    """Petitions routed to a unit where the user handles petitions, or (supervisors) below theirs."""
    grant = grant_of(user)
    if grant.everything:
        return queryset
    units = grant.units_with(PETITION_HANDLERS) | grant.subtree
    return queryset.filter(unit__in=sorted(units)) if units else queryset.none()


# -- writes ----------------------------------------------------------------------------------


def may_take(user, action, dossier) -> bool:
    """Whether the user may take a workflow action on the dossier: one of the action's roles in
    one of the units its `where` names (workflow.Action)."""
    grant = grant_of(user)
    return any(grant.acts_in(unit_id, action.roles) for unit_id in action_units(action, dossier))


def action_units(action, dossier) -> set[int]:
    if action.where == "receiving":
        return {dossier.receiving_unit_id}
    if action.where == "current":
        return {dossier.current_unit_id}
    return {dossier.receiving_unit_id, dossier.current_unit_id}


def may_handle_petition(user, petition) -> bool:
    return grant_of(user).acts_in(petition.unit_id, PETITION_HANDLERS)


def role_in_unit_sql(unit_column: str) -> str:
    """`Grant.acts_in(unit, {role})` as SQL, for the receipt's one prepared statement
    (services.intake.receiving_units). Parameters: the user's id, then the role's name."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from .models import UnitMembership

    memberships, group = UnitMembership._meta.db_table, Group._meta.db_table
    user_groups = get_user_model().groups.through._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {memberships} m JOIN {user_groups} ug ON ug.user_id = m.user_id "  # noqa: S608
        f"JOIN {group} g ON g.id = ug.group_id WHERE m.unit_id = {unit_column} AND m.user_id = %s AND g.name = %s)"
    )
