"""The sync rate: the share of a unit's dossier changes the national portal has acknowledged
(Decision 766 §1.4 scores only the data synced to the portal). For the KPI layer and the
supervisors' sync page; `integrations.sync_rate` is the entry point."""

from dataclasses import dataclass

from django.db.models import Count, Q

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
