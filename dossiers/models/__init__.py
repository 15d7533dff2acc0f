from .catalogue import Field, Procedure, RequiredDocument, RoutingStep
from .units import ApiToken, Unit, UnitMembership
from .workdays import CalendarChange, CalendarDay

__all__ = [
    "ApiToken",
    "CalendarChange",
    "CalendarDay",
    "Field",
    "Procedure",
    "RequiredDocument",
    "RoutingStep",
    "Unit",
    "UnitMembership",
]
