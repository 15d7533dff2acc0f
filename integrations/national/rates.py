"""The sync rate: the share of a unit's dossier changes the national portal has acknowledged
(Decision 766 §1.4 scores only the data synced to the portal). For the KPI layer and the
supervisors' sync page; `integrations.sync_rate` is the entry point. `sync_figures` gives the
same counts to the 766 score (portal.kpis), keyed as the dashboard groups dossiers."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from dossiers.calendar import LOCAL_TZ

from ..models import SyncMessage, SyncStatus


@dataclass(frozen=True)
class SyncRate:
    changes: int  # creations and status changes of the unit's dossiers in the period
    acknowledged: int  # of which the portal has acknowledged (so far)
    dossiers: int  # dossiers with a change in the period
    dossiers_synced: int  # of which every change in the period is acknowledged

    @property
    def rate(self) -> float | None:
        """Acknowledged changes in percent (2 decimals); None with no change to sync."""
        return round(100.0 * self.acknowledged / self.changes, 2) if self.changes else None


def sync_rate(*, unit_ids, start, end) -> dict[int, SyncRate]:
    """Per receiving unit among `unit_ids` (None: every unit), the changes made in [start, end)
    (aware datetimes) and how many the portal acknowledged. A unit with no change is absent.
    Only changes made while sync was on have messages: with it off nothing is counted."""
    messages = SyncMessage.objects.filter(changed_at__gte=start, changed_at__lt=end)
    if unit_ids is not None:
        messages = messages.filter(dossier__receiving_unit__in=sorted(unit_ids))
    unsent = ~Q(status=SyncStatus.SENT)
    rows = (
        messages.values("dossier__receiving_unit")
        .annotate(
            changes=Count("pk"),
            acknowledged=Count("pk", filter=Q(status=SyncStatus.SENT)),
            dossiers=Count("dossier", distinct=True),
            unsynced=Count("dossier", distinct=True, filter=unsent),
        )
        .order_by()
    )
    return {
        row["dossier__receiving_unit"]: SyncRate(
            changes=row["changes"],
            acknowledged=row["acknowledged"],
            dossiers=row["dossiers"],
            dossiers_synced=row["dossiers"] - row["unsynced"],
        )
        for row in rows
    }


# portal.kpis.GROUP_FIELD, seen from a message (its dossier's lead unit, procedure, field).
GROUP_FIELD = {
    "unit": "dossier__lead_unit_id",
    "procedure": "dossier__procedure_id",
    "field": "dossier__procedure__field_id",
}


def sync_figures(*, unit_ids: list[int] | None, start: date, end: date, group_by: str = "unit") -> dict:
    """766 §1.4 for the KPI layer: {group key: {"changes": n, "acknowledged": n}} over the messages
    of changes made from `start` to `end` (local dates, inclusive), acknowledged as of the call.

    Unlike `sync_rate` (the sync page, by receiving unit), a change counts for its dossier's
    **lead** unit, as every other 766 figure does, so a commune's score holds its dossiers filed at
    the provincial centre; keys as in portal.kpis (lead unit id, procedure id, field id, and for
    "day" the local date of the change). A group without a change is absent."""
    since = datetime.combine(start, time(0), LOCAL_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ)
    messages = SyncMessage.objects.filter(changed_at__gte=since, changed_at__lt=until)
    if unit_ids is not None:
        messages = messages.filter(dossier__lead_unit__in=sorted(unit_ids))
    if group_by == "day":
        messages, column = messages.annotate(key=TruncDate("changed_at", tzinfo=LOCAL_TZ)), "key"
    else:
        column = GROUP_FIELD[group_by]
    rows = (
        messages.values(column)
        .annotate(changes=Count("pk"), acknowledged=Count("pk", filter=Q(status=SyncStatus.SENT)))
        .order_by()
    )
    return {row[column]: {"changes": row["changes"], "acknowledged": row["acknowledged"]} for row in rows}
