"""The staff work queues as a table: which dossiers each tab lists, who sees it, where each role lands.

Every queue is a filter over `Dossier.objects.visible_to(user)` (dossiers/access.py), so the
tabs' counts are one aggregate (`queue_counts`) and a queue never shows what the user may not see.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .access import OFFICERS, Grant, grant_of
from .models import RoutingStep, Status
from .models.dossier import OPEN_CODES, OPEN_RANGE, at_step_q
from .roles import COUNTER_CLERK, SPECIALIST, SUPERVISOR, UNIT_LEADER

STAFF = OFFICERS | {SUPERVISOR}


@dataclass(frozen=True)
class Context:
    user: object
    grant: Grant
    now: datetime
    soon: datetime

    def units(self, roles=OFFICERS) -> list[int]:
        return sorted(self.grant.units_with(roles))


def _open() -> Q:
    return Q(status__in=OPEN_CODES)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str | Promise  # gettext_lazy
    roles: frozenset[str]  # the tab is shown to users with one of these roles (superusers: every tab)
    where: Callable[[Context], Q]
    order: tuple[str, ...] = ("due_at", "id")
    # False: the tab lists open dossiers only, counted in the one aggregate over the open statuses.
    # True: its rows are outside them and pile up with the history (results never collected: 368k at
    # 10M dossiers), so it is counted by itself off its own index range, up to COUNT_CAP (models.dossier; queue_counts).
    apart: bool = False


QUEUES: tuple[Queue, ...] = (
    Queue(
        "pending",
        _("Chờ tiếp nhận"),
        frozenset({COUNTER_CLERK}),
        lambda c: Q(status=Status.SUBMITTED, receiving_unit__in=c.units({COUNTER_CLERK})),
        ("submitted_at", "id"),
    ),
    Queue(
        "done",
        _("Chờ trả kết quả"),
        frozenset({COUNTER_CLERK}),
        lambda c: Q(status=Status.DONE, current_unit__in=c.units({COUNTER_CLERK})),
        ("finished_at", "id"),
        apart=True,
    ),
    Queue(
        "my_step",
        _("Bước của tôi"),
        frozenset({SPECIALIST}),
        lambda c: (
            at_step_q(c.units({SPECIALIST}), RoutingStep.Role.SPECIALIST)
            & (Q(assignee__isnull=True) | Q(assignee=c.user))
        ),
    ),
    Queue(
        "to_sign",
        _("Chờ tôi phê duyệt, ký"),
        frozenset({UNIT_LEADER}),
        lambda c: at_step_q(c.units({UNIT_LEADER}), RoutingStep.Role.UNIT_LEADER),
    ),
    Queue("mine", _("Giao cho tôi"), OFFICERS, lambda c: _open() & Q(assignee=c.user)),
    # "open" as OPEN_RANGE: read off dossier_unit_open_due_idx in order (its comment says why).
    Queue("unit", _("Đơn vị tôi"), OFFICERS, lambda c: OPEN_RANGE & Q(current_unit__in=c.units())),
    Queue("soon", _("Sắp đến hạn"), STAFF, lambda c: _open() & Q(due_at__gte=c.now, due_at__lt=c.soon)),
    Queue("overdue", _("Quá hạn"), STAFF, lambda c: _open() & Q(due_at__lt=c.now)),
)
BY_KEY = {q.key: q for q in QUEUES}
# Where each role lands on the queue page: its real work first (a user with several roles
# lands on the first that applies).
LANDING = ((UNIT_LEADER, "to_sign"), (SPECIALIST, "my_step"), (COUNTER_CLERK, "pending"), (SUPERVISOR, "overdue"))


def queue_context(user, *, now, soon) -> Context:
    return Context(user=user, grant=grant_of(user), now=now, soon=soon)


def queues_for(ctx: Context) -> list[Queue]:
    if ctx.grant.everything:
        return list(QUEUES)
    return [q for q in QUEUES if q.roles & ctx.grant.roles]


def landing(ctx: Context, shown: list[Queue]) -> str:
    keys = {q.key for q in shown}
    for role, key in LANDING:
        if (ctx.grant.everything or role in ctx.grant.roles) and key in keys:
            return key
    return shown[0].key if shown else "mine"


@dataclass(frozen=True)
class TabCount:
    """A tab's figure: exact, or (a tab counted apart, past COUNT_CAP) a lower bound shown "10.000+"."""

    n: int
    exact: bool = True

    def __str__(self) -> str:
        return str(self.n) if self.exact else f"{number_format(self.n, force_grouping=True)}+"


def queue_counts(visible, ctx: Context, shown: list[Queue]) -> dict[str, TabCount]:
    """Every open tab's count in one aggregate over the visible open dossiers, and each tab `apart`
    by its own capped COUNT; the page's paginator reuses them (views.staff.home). On PostgreSQL the
    aggregate is one index-only scan of the open statuses' range of dossier_queue_access_idx (migration
    0019), which holds the columns of the access rule; "to return" (status 9) reads at most COUNT_CAP + 1
    entries of dossier_done_queue_idx. Before, one aggregate read every status-9 row of the history as
    well: 429k index entries at 10M dossiers, 85 ms a page (issue 17)."""
    together = [q for q in shown if not q.apart]
    counts = {}
    if together:
        active = visible.filter(status__in=OPEN_CODES)  # every such queue's statuses
        figures = active.aggregate(**{q.key: Count("pk", filter=q.where(ctx)) for q in together})
        counts = {key: TabCount(n) for key, n in figures.items()}
    for queue in shown:
        if queue.apart:
            counts[queue.key] = TabCount(*visible.filter(queue.where(ctx)).count_capped())
    return {q.key: counts[q.key] for q in shown}


def queue_dossiers(visible, ctx: Context, queue: Queue):
    return visible.filter(queue.where(ctx)).order_by(*queue.order)


# What a queue or search row shows (templates/staff/_dossier_rows.html, views.staff.due_badge): a
# 200-row page built ~1,000 full model instances of 50 columns, a third of its time (issue 17).
ROW_COLUMNS = (
    "code",
    "status",
    "applicant_name",
    "due_at",
    "paused_at",
    "procedure__name",
    "procedure__national_code",
    "current_unit__name",
    "current_unit__short_name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def queue_rows(dossiers):
    """The dossiers with what their row shows, and nothing more."""
    return dossiers.select_related("procedure", "current_unit", "assignee").with_current_step().only(*ROW_COLUMNS)
