"""Seeding the demo: a real province's units, the catalogue and staff (idempotent).

Every row is keyed by its natural key (unit code, field code, national code, position,
username), so running the seed again updates in place and creates nothing twice.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_noop
from vietnam_provinces import Province, ProvinceCode

from ..models import Field, Procedure, RequiredDocument, RoutingStep, Unit, UnitMembership
from ..models.catalogue import HOURS_PER_WORKING_DAY, TimeUnit
from ..roles import ADMIN, roles_sync
from ..services.catalogue import catalogue_changed
from . import catalogue, units

DEMO_PROVINCE = 56
# Labels of the seed report; the command translates them when it prints.
PROVINCE_UNITS = gettext_noop("Đơn vị cấp tỉnh")
COMMUNE_CENTRES = gettext_noop("Trung tâm cấp xã")
FIELDS = gettext_noop("Lĩnh vực")
PROCEDURES = gettext_noop("Thủ tục hành chính")


@dataclass
class SeedResult:
    """How many rows of each kind were created and how many already existed."""

    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    def count(self, label: str, *, created: bool, n: int = 1) -> None:
        # Touch both counters so that labels keep the order they were first seen in.
        self.created[label] += n if created else 0
        self.existing[label] += 0 if created else n

    def labels(self) -> list[str]:
        return list(self.created)


@dataclass(frozen=True)
class DemoStaff:
    user: User
    role: str
    unit: Unit
    created: bool


def demo_province(*, province_code: int) -> Province:
    """The province from `vietnam-provinces`; ValueError for an unknown code."""
    return Province.from_code(ProvinceCode(province_code))


def _upsert_unit(result: SeedResult, *, code: str, defaults: dict) -> Unit:
    unit, created = Unit.objects.update_or_create(code=code, defaults=defaults)
    result.count(PROVINCE_UNITS, created=created)
    return unit


@transaction.atomic
def demo_units_seed(*, province_code: int = DEMO_PROVINCE) -> SeedResult:
    """The provincial centre, one centre per commune, and the main agencies with departments."""
    province = demo_province(province_code=province_code)
    result = SeedResult()
    centre = _upsert_unit(
        result,
        code=units.unit_code(province_code=province_code, number=units.CENTRE_NUMBER),
        defaults=units.centre_fields(province),
    )
    _communes_seed(result, province=province, centre=centre)
    for _key, number, name, short_name, departments in units.AGENCIES:
        agency = _upsert_unit(
            result,
            code=units.unit_code(province_code=province_code, number=number),
            defaults=_agency_fields(province, name=name, short_name=short_name),
        )
        for position, department in enumerate(departments, start=1):
            _upsert_unit(
                result,
                code=units.unit_code(province_code=province_code, number=position, agency=number),
                defaults=_agency_fields(province, name=department, short_name=department, parent=agency),
            )
    return result


def _agency_fields(province: Province, *, name: str, short_name: str, parent: Unit | None = None) -> dict:
    """An agency (no parent) or one of its departments."""
    return {
        "name": name.format(province=units.province_label(province)),
        "short_name": short_name,
        "kind": Unit.Kind.DEPARTMENT if parent else Unit.Kind.AGENCY,
        "level": Unit.Level.PROVINCE,
        "province_code": int(province.code),
        "parent": parent,
    }


def _communes_seed(result: SeedResult, *, province: Province, centre: Unit) -> None:
    """One bulk upsert for the province's communes (Khánh Hòa has 65)."""
    province_code = int(province.code)
    rows = [
        Unit(
            code=units.commune_code(province_code=province_code, ward_code=int(ward.code)),
            parent=centre,
            **units.commune_fields(ward, province),
        )
        for ward in units.communes(province)
    ]
    existing = set(Unit.objects.filter(code__in=[r.code for r in rows]).values_list("code", flat=True))
    Unit.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "short_name", "kind", "level", "parent", "province_code", "ward_code", "address"],
    )
    catalogue_changed()  # a bulk write sends no signal
    result.count(COMMUNE_CENTRES, created=True, n=len(rows) - len(existing))
    result.count(COMMUNE_CENTRES, created=False, n=len(existing))


@transaction.atomic
def demo_catalogue_seed(*, province_code: int = DEMO_PROVINCE) -> SeedResult:
    """Fields and common procedures of both levels, with documents and routing templates.

    Run after demo_units_seed: province-level procedures name their lead agency.
    """
    province = demo_province(province_code=province_code)
    result = SeedResult()
    fields = {}
    for code, name in catalogue.FIELDS:
        fields[code], created = Field.objects.update_or_create(code=code, defaults={"name": name})
        result.count(FIELDS, created=created)
    agencies = _agencies_by_key(province_code=province_code)
    decision = catalogue.SHORTENING_DECISION.format(province=units.province_label(province))
    for level, entries in (
        (Procedure.Level.COMMUNE, catalogue.COMMUNE_PROCEDURES),
        (Procedure.Level.PROVINCE, catalogue.PROVINCE_PROCEDURES),
    ):
        for entry in entries:
            procedure, created = Procedure.objects.update_or_create(
                national_code=entry["national_code"],
                defaults=_procedure_fields(entry, level=level, field=fields[entry["field"]], agencies=agencies)
                | {"shortening_decision": decision if entry.get("committed") else ""},
            )
            result.count(PROCEDURES, created=created)
            _documents_seed(procedure, entry["documents"])
            _steps_seed(procedure, routing_template(procedure, site_visit=entry.get("site_visit", False)))
    return result


def _agencies_by_key(*, province_code: int) -> dict[str, Unit]:
    codes = {key: units.unit_code(province_code=province_code, number=n) for key, n, *_rest in units.AGENCIES}
    by_code = Unit.objects.in_bulk(codes.values(), field_name="code")
    return {key: by_code[code] for key, code in codes.items()}


def _procedure_fields(entry: dict, *, level: str, field: Field, agencies: dict[str, Unit]) -> dict:
    committed = entry.get("committed")
    return {
        "name": entry["name"],
        "field": field,
        "level": level,
        "lead_agency": agencies[entry["lead"]] if "lead" in entry else None,
        "legal_processing_time": Decimal(entry["legal"]),
        "committed_processing_time": Decimal(committed) if committed else None,
        "time_unit": entry["unit"],
        "same_day": entry.get("same_day", False),
        "online_level": entry["online"],
        "online_url": catalogue.ONLINE_SERVICE_URL if entry["online"] != "none" else "",
        "fee": Decimal(entry.get("fee", 0)),
        "fee_note": entry.get("fee_note", ""),
        "result_type": entry["result_type"],
        "result_name": entry["result_name"],
        "legal_basis": entry["legal_basis"],
        "is_active": True,
    }


def _documents_seed(procedure: Procedure, documents: tuple) -> None:
    for position, (name, copy_kind, count, *mandatory) in enumerate(documents, start=1):
        RequiredDocument.objects.update_or_create(
            procedure=procedure,
            position=position,
            defaults={"name": name, "copy_kind": copy_kind, "count": count, "is_mandatory": all(mandatory)},
        )
    procedure.documents.filter(position__gt=len(documents)).delete()


def _steps_seed(procedure: Procedure, steps: list[tuple[str, str, Decimal]]) -> None:
    for position, (name, role, hours) in enumerate(steps, start=1):
        RoutingStep.objects.update_or_create(
            procedure=procedure,
            position=position,
            defaults={"name": name, "role": role, "budget_hours": hours, "unit": None},
        )
    procedure.steps.filter(position__gt=len(steps)).delete()


def template_hours(procedure: Procedure) -> Decimal:
    """The working hours the routing steps share: the committed time where there is one."""
    amount = procedure.processing_time
    if procedure.time_unit == TimeUnit.WORKING_HOURS:
        return amount
    if procedure.time_unit == TimeUnit.WORKING_DAYS:
        return amount * HOURS_PER_WORKING_DAY
    # Calendar days: about five working days in seven.
    return Decimal(int(amount * 5 / 7) * HOURS_PER_WORKING_DAY)


def _half_hours(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def _whole_hours(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def routing_template(procedure: Procedure, *, site_visit: bool = False) -> list[tuple[str, str, Decimal]]:
    """Receive, appraise (and visit the site), sign, return: budgets summing to the time."""
    total = template_hours(procedure)
    if total <= HOURS_PER_WORKING_DAY:
        receive = give_back = _half_hours(total / 8)
        sign = _half_hours(total / 4)
    else:
        receive = Decimal(4 if total >= 80 else 2)
        give_back = Decimal(2)
        sign = max(Decimal(4), _whole_hours(total * Decimal("0.15")))
    appraise = total - receive - give_back - sign
    middle = [(*catalogue.APPRAISE, appraise)]
    if site_visit and total > HOURS_PER_WORKING_DAY:
        visit = _whole_hours(appraise / 3)
        middle = [(*catalogue.APPRAISE, appraise - visit), (*catalogue.SITE_VISIT, visit)]
    return [(*catalogue.RECEIVE, receive), *middle, (*catalogue.SIGN, sign), (*catalogue.RETURN, give_back)]


@transaction.atomic
def demo_staff_seed(*, password: str, province_code: int = DEMO_PROVINCE) -> list[DemoStaff]:
    """Demo users with their role groups and units; the password is for demos only."""
    groups = roles_sync()
    where = _staff_units(province_code=province_code)
    staff = []
    for username, family, given, role, place, title in units.STAFF:
        user, created = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "first_name": given,
                "last_name": family,
                "email": f"{username}@motcua.example",
                "is_active": True,
                "is_staff": role in units.ADMIN_SITE_ROLES,
                "is_superuser": role == ADMIN,
            },
        )
        _password_set(user, password=password)
        user.groups.set([groups[role]])
        UnitMembership.objects.update_or_create(user=user, unit=where[place], defaults={"title": title})
        staff.append(DemoStaff(user=user, role=role, unit=where[place], created=created))
    return staff


def _password_set(user, *, password: str) -> None:
    # Checking first keeps a re-run from rewriting the hash (a new salt every time).
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])


def _staff_units(*, province_code: int) -> dict[str, Unit]:
    centre_code = units.unit_code(province_code=province_code, number=units.CENTRE_NUMBER)
    first_ward = next(iter(units.communes(demo_province(province_code=province_code))))
    places = {
        "centre": Unit.objects.get(code=centre_code),
        "commune": Unit.objects.get(
            code=units.commune_code(province_code=province_code, ward_code=int(first_ward.code))
        ),
    }
    return places | _agencies_by_key(province_code=province_code)
