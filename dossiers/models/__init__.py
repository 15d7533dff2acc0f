from .apology import Apology
from .catalogue import Field, Procedure, RequiredDocument, RoutingStep, TimeUnit
from .dossier import (
    OPEN,
    TERMINAL,
    Attachment,
    Channel,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    IdempotencyRecord,
    IdType,
    OutboxMessage,
    Status,
    Timeliness,
    WatchLevel,
)
from .facts import KpiDay, KpiFact, KpiRollup, KpiWatermark  # noqa: F401  (KPI facts, docs/adr/0002)
from .units import ApiToken, Unit, UnitMembership
from .workdays import CalendarChange, CalendarDay, CalendarVersion

__all__ = [
    "Apology",
    "WatchLevel",
    "OPEN",
    "TERMINAL",
    "Attachment",
    "Channel",
    "IdType",
    "ClockEntry",
    "DailySequence",
    "Dossier",
    "DossierDocument",
    "DossierEvent",
    "DossierStep",
    "IdempotencyRecord",
    "OutboxMessage",
    "Status",
    "Timeliness",
    "TimeUnit",
    "ApiToken",
    "CalendarChange",
    "CalendarDay",
    "CalendarVersion",
    "Field",
    "Procedure",
    "RequiredDocument",
    "RoutingStep",
    "Unit",
    "UnitMembership",
]
