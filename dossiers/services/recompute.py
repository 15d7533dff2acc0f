"""Moving open dossiers' appointments after calendar changes (a holiday added, a day swapped).

Pending changes are handled together, because a recompute always uses the current
calendar: each moved dossier's timeline names the changes whose dates it spans.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..calendar import LOCAL_TZ
from ..models import CalendarChange, Dossier
from .clock_sync import dossier_clock_sync
from .events import event_record
from .lookup import public_answers_forget_on_commit


def _span(change: CalendarChange) -> tuple[date, date] | None:
    days = [date.fromisoformat(d) for d in change.dates]
    return (min(days), max(days)) if days else None


def affected_dossiers(changes):
    """Open dossiers whose clock spans one of the changed dates."""
    match = Q(pk__in=[])
    for first, last in filter(None, map(_span, changes)):
        match |= Q(received_at__date__lt=last + timedelta(days=1), late3_at__date__gte=first)
    return Dossier.objects.open().filter(match)


def calendar_recompute_pending() -> int:
    """Recompute the dossiers touched by every pending change; returns how many moved."""
    changes = list(CalendarChange.objects.filter(recomputed_at=None).order_by("id"))
    if not changes:
        return 0
    ids = affected_dossiers(changes).values_list("pk", flat=True)
    moved = sum(dossier_recompute(dossier_id=pk, changes=changes) for pk in ids.iterator())
    CalendarChange.objects.filter(pk__in=[c.pk for c in changes]).update(recomputed_at=timezone.now())
    return moved


@transaction.atomic
def dossier_recompute(*, dossier_id: int, changes: list[CalendarChange]) -> bool:
    """Recompute one dossier under its row lock; record on its timeline what moved and why."""
    dossier = Dossier.objects.select_for_update().select_related("procedure", "lead_unit").get(pk=dossier_id)
    before, now = dossier.due_at, timezone.now()
    dossier_clock_sync(dossier=dossier, at=now)
    public_answers_forget_on_commit(dossier.code)  # the explanation names the calendar even if the date stays
    if dossier.due_at == before:
        return False
    spans = [c for c in changes if (s := _span(c)) and dossier.received_at.astimezone(LOCAL_TZ).date() <= s[1]]
    reason = _("Lịch làm việc thay đổi: %(changes)s") % {
        "changes": "; ".join(f"v{c.version} {c.summary}" for c in spans or changes)
    }
    event_record(
        dossier=dossier,
        action="calendar_recompute",
        actor=None,
        at=now,
        reason=reason,
        data={
            "changes": [c.pk for c in spans],
            "before": before.isoformat() if before else None,
            "after": dossier.due_at.isoformat() if dossier.due_at else None,
        },
    )
    return True
