"""Recording the audit trail and the clock ledger (append-only)."""

from django.utils import timezone

from ..models import ClockEntry, DossierEvent


def event_new(
    *,
    dossier,
    action: str,
    actor,
    at,
    from_status=None,
    to_status=None,
    reason: str = "",
    data: dict | None = None,
    unit=None,
    is_public: bool = True,
) -> DossierEvent:
    """An event not yet saved (to insert several in one statement with bulk_create)."""
    return DossierEvent(
        dossier=dossier,
        action=action,
        actor=actor if actor and actor.is_authenticated else None,
        unit=unit or dossier.current_unit,
        effective_at=at,
        recorded_at=timezone.now(),
        reason=reason,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        is_public=is_public,
    )


def event_record(**kwargs) -> DossierEvent:
    """Append one event; the arguments are `event_new`'s."""
    event = event_new(**kwargs)
    event.save(force_insert=True)
    return event


def clock_new(*, dossier, kind: str, at, data: dict | None = None) -> ClockEntry:
    return ClockEntry(dossier=dossier, kind=kind, at=at, recorded_at=timezone.now(), data=data or {})


def clock_record(*, dossier, kind: str, at, data: dict | None = None) -> ClockEntry:
    entry = clock_new(dossier=dossier, kind=kind, at=at, data=data)
    entry.save(force_insert=True)
    return entry
