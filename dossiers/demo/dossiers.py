"""Demo dossiers: realistic dossiers of the past six months, made through the real services.

Each dossier is received with `dossier_receive` at a working hour in the past and then moved
with `dossier_transition`, every action back-dated after the one before, by the officer the
workflow allows: the clerk of the receiving centre, the specialist or leader of the unit
holding it. Where the demo staff has nobody for a unit (most agencies, the extra commune
centres), a demo officer without a password is added. Dossiers carry DEMO_NOTE, so running
the seed again tops up to `count` and never duplicates. Same `seed`, same day: same dossiers.
"""

import hashlib
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from ..calendar import WorkCalendar, compute_due
from ..calendar_store import calendar_for
from ..models import Attachment, Channel, Dossier, OutboxMessage, Procedure, Status, TimeUnit, Unit, UnitMembership
from ..roles import COUNTER_CLERK, SPECIALIST, UNIT_LEADER, roles_sync
from ..services.applicants import Applicant, applicant_clean
from ..services.events import event_record
from ..services.hooks import dossier_changes_unheard
from ..services.intake import dossier_receive, dossier_submit
from ..services.notify import outbox_hold
from ..services.routing import dossier_transition, result_attached
from . import catalogue, units
from .seed import DEMO_PROVINCE

DEMO_NOTE = "Hồ sơ mẫu (dữ liệu trình diễn)"
HOUR, DAY = 3600, 8 * 3600  # working seconds
WINDOW = 125 * DAY  # about six months of working days
# Commune centres that receive demo dossiers; the first one has the seeded commune staff.
DEMO_COMMUNES = ("Phường Nha Trang", "Phường Cam Ranh", "Phường Ninh Hòa", "Xã Diên Khánh", "Phường Phan Rang")
# Final statuses in per mille: most returned, some in progress or waiting, a few closed early.
STATUS_SHARES: dict[int, int] = {
    Status.RETURNED: 540,
    Status.DONE: 60,
    Status.PROCESSING: 120,
    Status.RECEIVED: 40,
    Status.SUPPLEMENT: 60,
    Status.PAYMENT: 30,
    Status.SUBMITTED: 50,
    Status.REFUSED: 40,
    Status.WITHDRAWN: 30,
    Status.STOPPED: 30,
}
LATE_SHARE = 0.12  # finished late, or open past the appointment

FAMILY = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Huỳnh", 4),
    ("Hoàng", 2),
    ("Phan", 4),
    ("Võ", 4),
    ("Vũ", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1),
    ("Hồ", 2),
    ("Ngô", 1),
    ("Dương", 1),
    ("Lý", 1),
    ("Trương", 1),
    ("Đoàn", 1),
    ("Mai", 1),
    ("Cao", 1),
    ("Lương", 1),
)
MIDDLE = {
    False: ("Văn", "Văn", "Minh", "Đức", "Quốc", "Hữu", "Thanh", "Công", "Ngọc", "Xuân"),
    True: ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Phương", "Hồng"),
}
GIVEN = {
    False: (
        "An",
        "Bảo",
        "Dũng",
        "Hùng",
        "Khoa",
        "Long",
        "Nam",
        "Phúc",
        "Quang",
        "Sơn",
        "Tâm",
        "Thắng",
        "Trung",
        "Tuấn",
        "Việt",
        "Vinh",
        "Hải",
        "Hiếu",
        "Huy",
        "Khang",
        "Lộc",
        "Nhân",
        "Tài",
        "Toàn",
    ),
    True: (
        "Anh",
        "Chi",
        "Dung",
        "Giang",
        "Hà",
        "Hạnh",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "My",
        "Nga",
        "Ngân",
        "Nhung",
        "Oanh",
        "Phương",
        "Quỳnh",
        "Thảo",
        "Trang",
        "Trâm",
        "Tuyết",
        "Uyên",
        "Yến",
    ),
}
# Many women's names have two middle names: Nguyễn Thị Thu Hà.
SECOND_MIDDLE = ("Thu", "Ngọc", "Thanh", "Kim", "Mỹ", "Bích", "Hồng", "Phương")
MOBILE_PREFIXES = (
    "090",
    "093",
    "070",
    "076",
    "077",
    "078",
    "079",
    "091",
    "094",
    "088",
    "081",
    "082",
    "083",
    "084",
    "085",
    "096",
    "097",
    "098",
    "086",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
)
# CCCD numbers start with the province of birth (056 Khánh Hòa, 058 Ninh Thuận, …).
BIRTH_PROVINCES = ("056",) * 6 + ("058",) * 2 + ("054", "079", "001", "066", "052", "049")
STREETS = (
    "Trần Phú",
    "Lê Thánh Tôn",
    "Thống Nhất",
    "Hùng Vương",
    "Nguyễn Thị Minh Khai",
    "Yersin",
    "Lê Hồng Phong",
    "Quang Trung",
    "Nguyễn Trãi",
    "23 Tháng 10",
    "Phạm Văn Đồng",
    "Đường 2 Tháng 4",
)
HAMLETS = (
    "Thôn Phú Lộc",
    "Thôn Tân Phong",
    "Thôn Xuân Sơn",
    "Thôn Đông",
    "Thôn Tây",
    "Thôn Bình Khánh",
    "Thôn Phước Lương",
    "Thôn Hòa Bình",
    "Tổ dân phố 3",
    "Tổ dân phố 7",
)
REASONS = {
    "refuse": (
        "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
        "Người yêu cầu không đủ điều kiện theo quy định.",
        "Giấy tờ nộp trực tuyến không hợp lệ (bản chụp không đọc được).",
    ),
    "request_supplement": (
        "Bổ sung bản sao có chứng thực giấy tờ tùy thân của người ủy quyền.",
        "Bổ sung tờ khai có đủ chữ ký của các bên.",
        "Bổ sung giấy tờ chứng minh nơi cư trú.",
    ),
    "withdraw": ("Công dân có đơn xin rút hồ sơ.", "Người nộp đề nghị rút hồ sơ để hoàn thiện lại."),
    "complete_refused": (
        "Thửa đất không đủ điều kiện theo quy hoạch sử dụng đất được duyệt.",
        "Người yêu cầu không thuộc đối tượng được giải quyết theo quy định.",
    ),
    "stop": (
        "Quá thời hạn bổ sung nhưng công dân không bổ sung hồ sơ (Mẫu 05).",
        "Công dân không thực hiện nghĩa vụ tài chính trong thời hạn.",
    ),
}
OFFICER_TITLES = {COUNTER_CLERK: "Cán bộ tiếp nhận", SPECIALIST: "Chuyên viên", UNIT_LEADER: "Lãnh đạo đơn vị"}
ROLE_SLUGS = {COUNTER_CLERK: "tiepnhan", SPECIALIST: "chuyenvien", UNIT_LEADER: "lanhdao"}


@dataclass
class Move:
    """One action after reception: who takes it and how long after the previous one.

    The wait is `frac` of the dossier's processing time plus `secs` working seconds."""

    action: str
    who: str
    frac: float = 0.0
    secs: int = 0
    reason: str = ""
    approved: bool = True


@dataclass
class Plan:
    status: int
    procedure: Procedure
    centre: Unit
    channel: str
    applicant: Applicant
    moves: list[Move] = field(default_factory=list)
    idle: Move = field(default_factory=lambda: Move("idle", ""))
    age: float | None = None  # finished dossiers: how far back in the window they sit
    online_lead: int = 0  # real seconds between the online submission and the clerk's check


@dataclass
class World:
    """What every dossier of a run shares: the catalogue, centres, officers, the clock."""

    province: list[tuple[Procedure, int]]
    commune: list[tuple[Procedure, int]]
    centre: Unit
    communes: list[Unit]
    wards: list[tuple[str, int]]
    cal: WorkCalendar
    now: datetime
    limit: int
    officers: dict = field(default_factory=dict)
    officers_created: int = 0
    result_file: str = ""  # one stored demo PDF that every demo electronic result points to


def demo_dossiers_seed(*, count: int, seed: int = 2026) -> dict[str, int]:
    """Create demo dossiers until `count` of them exist; returns how many were created."""
    existing = Dossier.objects.filter(note=DEMO_NOTE).count()
    if existing >= count:
        return {"created": 0, "existing": existing, "officers_created": 0}
    # Invented dossiers: no partner system (the national portal's sync) hears of them.
    with transaction.atomic(), dossier_changes_unheard():
        world = _world()
        rng = random.Random(seed)
        plans = [_plan(status, rng, world) for status in _statuses(count, rng)]
        for plan in plans[existing:]:
            _create(plan, world)
        # Demo applicants have realistic but invented phone numbers: never text or mail them.
        outbox_hold(
            messages=OutboxMessage.objects.filter(dossier__note=DEMO_NOTE), reason="Dữ liệu trình diễn: không gửi"
        )
    return {"created": count - existing, "existing": existing, "officers_created": world.officers_created}


# -- the world -------------------------------------------------------------------------------


def _world() -> World:
    roles_sync()
    centre = Unit.objects.filter(code=units.unit_code(province_code=DEMO_PROVINCE, number=units.CENTRE_NUMBER)).first()
    if centre is None:
        raise ValueError("demo units are missing: run `manage.py seed_demo` first")
    codes = [e["national_code"] for e in catalogue.COMMUNE_PROCEDURES + catalogue.PROVINCE_PROCEDURES]
    procedures = list(
        Procedure.objects.active()
        .filter(national_code__in=codes)
        .select_related("lead_agency")
        .prefetch_related("documents", "steps")
        .order_by("national_code")
    )
    if not any(p.lead_agency_id for p in procedures) or all(p.lead_agency_id for p in procedures):
        raise ValueError("the demo catalogue is missing: run `manage.py seed_demo` first")
    cal, now = calendar_for(None), timezone.now()
    return World(
        province=[(p, _middle_steps(p)) for p in procedures if p.lead_agency_id],
        commune=[(p, _middle_steps(p)) for p in procedures if not p.lead_agency_id],
        centre=centre,
        communes=_commune_centres(),
        wards=list(Unit.objects.centres().filter(level=Unit.Level.COMMUNE).values_list("short_name", "ward_code")),
        cal=cal,
        now=now,
        limit=cal.position(now) - 60,
    )


def _middle_steps(procedure: Procedure) -> int:
    """Routing steps between reception and return: one transfer each."""
    return max(1, sum(1 for s in procedure.steps.all() if s.role != COUNTER_CLERK))


def _commune_centres() -> list[Unit]:
    centres = Unit.objects.centres().filter(level=Unit.Level.COMMUNE, province_code=DEMO_PROVINCE)
    by_name = {u.short_name: u for u in centres.filter(short_name__in=DEMO_COMMUNES)}
    chosen = [by_name[name] for name in DEMO_COMMUNES if name in by_name]
    return chosen or list(centres.order_by("code")[:4])


def _officer(world: World, unit: Unit, role: str):
    """The first officer of `unit` with `role`; a demo officer is added if there is none."""
    key = (unit.pk, role)
    if key not in world.officers:
        user = (
            get_user_model()
            .objects.filter(memberships__unit=unit, groups__name=role, is_active=True)
            .order_by("pk")
            .first()
        )
        if user is None:
            user = _demo_officer(unit, role)
            world.officers_created += 1
        world.officers[key] = user
    return world.officers[key]


def _demo_officer(unit: Unit, role: str):
    name, female = _person_name(random.Random(f"{unit.code}/{role}"))
    family, given = name.split(" ", 1)
    user, created = get_user_model().objects.get_or_create(
        username=f"demo.{ROLE_SLUGS[role]}.{unit.code}",
        defaults={"first_name": given, "last_name": family, "email": f"{ROLE_SLUGS[role]}.{unit.code}@motcua.example"},
    )
    if created:
        user.set_unusable_password()  # actors of the demo history; log in as the seeded staff
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    UnitMembership.objects.get_or_create(user=user, unit=unit, defaults={"title": OFFICER_TITLES[role]})
    return user


# -- planning --------------------------------------------------------------------------------


def _statuses(count: int, rng: random.Random) -> list[int]:
    """`count` final statuses in STATUS_SHARES proportions (each at least once), shuffled."""
    total = sum(STATUS_SHARES.values())
    quotas = {s: share * count // total for s, share in STATUS_SHARES.items()}
    by_remainder = sorted(STATUS_SHARES, key=lambda s: -(STATUS_SHARES[s] * count % total))
    for s in by_remainder[: count - sum(quotas.values())]:
        quotas[s] += 1
    for s in STATUS_SHARES if count >= len(STATUS_SHARES) else ():
        if quotas[s] == 0:
            quotas[s], quotas[Status.RETURNED] = 1, quotas[Status.RETURNED] - 1
    statuses = [s for s, n in quotas.items() for _ in range(n)]
    rng.shuffle(statuses)
    return statuses


def _plan(status: int, rng: random.Random, world: World) -> Plan:
    commune_level = rng.random() < 0.6
    procedure, middle = rng.choice(world.commune if commune_level else world.province)
    centre = rng.choice(world.communes) if commune_level else world.centre
    plan = Plan(
        status=status,
        procedure=procedure,
        centre=centre,
        channel=_channel(status, procedure, rng),
        applicant=_applicant(rng, centre if commune_level else None, world),
    )
    late = rng.random() < LATE_SHARE
    plan.moves = _timed(_path(status, rng, middle=middle, fee=procedure.fee > 0), rng, status=status, late=late)
    plan.idle = _idle(status, rng, late=late, used=sum(m.frac for m in plan.moves))
    if status in (Status.RETURNED, Status.DONE, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED):
        plan.age = rng.random()
    if plan.channel == Channel.ONLINE:
        plan.online_lead = rng.randint(10 * 60, 40 * 3600)
        if status not in (Status.SUBMITTED, Status.REFUSED):
            plan.moves.insert(0, Move("accept", "clerk"))
    return plan


def _channel(status: int, procedure: Procedure, rng: random.Random) -> str:
    if status == Status.SUBMITTED:
        return Channel.ONLINE
    online = procedure.online_level != Procedure.OnlineLevel.NONE
    draw = rng.random()
    if online and (draw < 0.35 or (status == Status.REFUSED and draw < 0.7)):
        return Channel.ONLINE
    return Channel.POSTAL if draw > 0.95 else Channel.COUNTER


def _path(status: int, rng: random.Random, *, middle: int, fee: bool) -> list[tuple[str, str]]:
    """The actions after reception that end in `status`, with who takes each."""
    transfers = [("transfer", "clerk")] + [("transfer", "specialist")] * (middle - 1)
    pause = [("request_supplement", "specialist"), ("supplement_received", "clerk")] if rng.random() < 0.15 else []
    if fee and rng.random() < 0.3:
        pause += [("request_payment", "specialist"), ("payment_received", "clerk")]
    partial = transfers[: rng.randint(1, middle)]
    paths: dict[int, list[tuple[str, str]]] = {
        Status.SUBMITTED: [],
        Status.RECEIVED: [],
        Status.REFUSED: [("refuse", "clerk")],
        Status.PROCESSING: partial + pause,
        Status.SUPPLEMENT: partial + [("request_supplement", "specialist")],
        Status.PAYMENT: partial + [("request_payment", "specialist")],
        Status.WITHDRAWN: transfers[: rng.randint(0, middle)] + [("withdraw", "clerk")],
        Status.STOPPED: partial + [("request_supplement", "specialist"), ("stop", "leader")],
        Status.DONE: transfers[:1] + pause + transfers[1:] + [("complete", "leader")],
        Status.RETURNED: transfers[:1] + pause + transfers[1:] + [("complete", "leader"), ("return_result", "clerk")],
    }
    return paths[status]


def _timed(path: list[tuple[str, str]], rng: random.Random, *, status: int, late: bool) -> list[Move]:
    """Spread the processing time over the actions that use the clock."""
    if status in (Status.DONE, Status.RETURNED):
        share = rng.uniform(1.08, 1.6) if late else rng.uniform(0.3, 0.92)
    else:
        share = rng.uniform(0.1, 0.7)
    moves = [_move(action, who, rng) for action, who in path]
    clocked = [m for m in moves if m.frac < 0]  # marked by _move: weights to normalise
    weights = sum(-m.frac for m in clocked) or 1
    for m in clocked:
        m.frac = -m.frac / weights * share
    return moves


def _move(action: str, who: str, rng: random.Random) -> Move:
    """A move with its wait: fixed seconds, or a negative weight of the processing time."""
    reason = rng.choice(REASONS[action]) if action in REASONS else ""
    if action == "transfer" and who == "clerk":
        return Move(action, who, frac=rng.uniform(0.01, 0.05), secs=rng.randint(10 * 60, HOUR), reason=reason)
    if action in ("supplement_received", "payment_received", "return_result", "stop"):
        days = {"supplement_received": (1, 6), "payment_received": (0.2, 2), "return_result": (0.05, 3)}
        low, high = days.get(action, (10, 20))
        return Move(action, who, secs=int(rng.uniform(low, high) * DAY), reason=reason)
    if action == "refuse":
        return Move(action, who, secs=rng.randint(10 * 60, 2 * HOUR), reason=reason)
    approved = action != "complete" or rng.random() < 0.95
    if not approved:  # a refusal after the receipt is a reasoned result
        reason = rng.choice(REASONS["complete_refused"])
    return Move(action, who, frac=-rng.uniform(0.5, 2), reason=reason, approved=approved)


def _idle(status: int, rng: random.Random, *, late: bool, used: float) -> Move:
    """The time from the last action until now, for dossiers still open (`used`: clock so far)."""
    if status == Status.SUBMITTED:
        return Move("idle", "")
    if status in (Status.SUPPLEMENT, Status.PAYMENT):  # the clock is paused
        return Move("idle", "", secs=int(rng.uniform(0.2, 8) * DAY))
    if status in (Status.RECEIVED, Status.PROCESSING):
        # Overdue ones are past the appointment by 10–80 % of the processing time.
        target = rng.uniform(1.1, 1.8) if late else rng.uniform(used, max(used, 0.85))
        return Move("idle", "", frac=max(0.0, target - used))
    return Move("idle", "", secs=rng.randint(0, 2 * DAY))


def _person_name(rng: random.Random) -> tuple[str, bool]:
    female = rng.random() < 0.52
    family = rng.choices([f for f, _w in FAMILY], weights=[w for _f, w in FAMILY])[0]
    middle = rng.choice(MIDDLE[female])
    if female and rng.random() < 0.3:
        middle = f"Thị {rng.choice(SECOND_MIDDLE)}"
    return f"{family} {middle} {rng.choice(GIVEN[female])}", female


def _applicant(rng: random.Random, commune: Unit | None, world: World) -> Applicant:
    name, female = _person_name(rng)
    born = rng.randint(1950, 2006)
    century = (0 if born < 2000 else 2) + (1 if female else 0)
    id_number = f"{rng.choice(BIRTH_PROVINCES)}{century}{born % 100:02d}{rng.randrange(10**6):06d}"
    phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    ward = commune.short_name if commune and rng.random() < 0.85 else rng.choice(world.wards)[0]
    place = f"{rng.randint(1, 320)} {rng.choice(STREETS)}" if ward.startswith("Phường") else rng.choice(HAMLETS)
    email = f"{_ascii(name.split()[-1])}.{_ascii(name.split()[0])}{born % 100:02d}@example.com"
    return applicant_clean(
        name=name,
        id_number=id_number,
        phone=phone,
        email=email if rng.random() < 0.3 else "",
        address=f"{place}, {ward}, tỉnh Khánh Hòa",
    )


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


# -- creating --------------------------------------------------------------------------------


def _create(plan: Plan, world: World) -> Dossier:
    if plan.status == Status.SUBMITTED:
        at = world.now - timedelta(seconds=plan.online_lead + plan.idle.secs)
        return _receive(plan, world, at=at, submit_only=True)
    cal = world.cal
    start = _start(plan, world, _budget_estimate(plan.procedure))
    budget = _budget(plan.procedure, cal, start)
    start = _start(plan, world, budget)
    positions = _fit(_positions(plan.moves, start, budget), start, world.limit)
    due = start + _budget(plan.procedure, cal, start)  # the appointment from where the dossier does start
    positions = _supplement_in_time(plan.moves, positions, start, due - 60)
    first = cal.instant(start)
    online = plan.channel == Channel.ONLINE
    received_at = first - timedelta(seconds=plan.online_lead) if online else first
    # Refusal (Mẫu 03) comes before a receipt: a refused dossier is never received, whatever its channel.
    dossier = _receive(plan, world, at=received_at, submit_only=online or plan.status == Status.REFUSED)
    for move, pos in zip(plan.moves, positions, strict=True):
        actor, at = _actor(move, dossier, world), cal.instant(pos)
        if move.action == "complete" and not result_attached(dossier):
            _attach_result(dossier, actor, at, world)
        dossier = dossier_transition(
            dossier_id=dossier.pk, action=move.action, actor=actor, reason=move.reason, at=at, approved=move.approved
        )
    return dossier


DEMO_PDF = b"%PDF-1.4\n% Ket qua giai quyet mau (du lieu trinh dien)\n%%EOF\n"


def _attach_result(dossier: Dossier, actor, at, world: World) -> None:
    """The electronic result the procedure issues, uploaded when it was signed (back-dated, as the
    actions are; `attachment_add` would date it now, before the result it belongs to)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    if not world.result_file:
        world.result_file = default_storage.save("demo/ket-qua-mau.pdf", ContentFile(DEMO_PDF))
    Attachment.objects.create(
        dossier=dossier,
        kind=Attachment.Kind.RESULT,
        file=world.result_file,
        original_name="ket-qua.pdf",
        content_type="application/pdf",
        size=len(DEMO_PDF),
        sha256=hashlib.sha256(DEMO_PDF).hexdigest(),
        uploaded_by=actor,
        uploaded_at=at,
    )
    data = {"kind": Attachment.Kind.RESULT, "name": "ket-qua.pdf", "size": len(DEMO_PDF)}
    event_record(dossier=dossier, action="attach", actor=actor, at=at, data=data, is_public=False)


def _receive(plan: Plan, world: World, *, at, submit_only: bool) -> Dossier:
    return (dossier_submit if submit_only else dossier_receive)(
        procedure=plan.procedure,
        receiving_unit=plan.centre,
        applicant=plan.applicant,
        actor=_officer(world, plan.centre, COUNTER_CLERK),
        channel=plan.channel,
        received_at=at,
        note=DEMO_NOTE,
    )


def _actor(move: Move, dossier: Dossier, world: World):
    if move.who == "clerk":
        return _officer(world, dossier.receiving_unit, COUNTER_CLERK)
    return _officer(world, dossier.current_unit, SPECIALIST if move.who == "specialist" else UNIT_LEADER)


def _budget_estimate(procedure: Procedure) -> int:
    """The processing time in working seconds, before the calendar is asked."""
    amount = float(procedure.processing_time)
    per_unit: dict[str, float] = {
        TimeUnit.WORKING_HOURS: HOUR,
        TimeUnit.CALENDAR_DAYS: DAY * 5 / 7,
        TimeUnit.MONTHS: 22 * DAY,
    }
    return max(HOUR, int(amount * per_unit.get(procedure.time_unit, DAY)))


def _budget(procedure: Procedure, cal, start: int) -> int:
    """The working seconds from `start` to the appointment the deadline engine gives."""
    at = cal.instant(start)
    due = compute_due(cal, at, procedure.processing_time, procedure.time_unit, same_day=procedure.same_day)
    return max(HOUR // 2, cal.position(due) - start)


def _positions(moves: list[Move], start: int, budget: int) -> list[int]:
    positions, pos = [], start
    for move in moves:
        pos += max(60, int(move.frac * budget) + move.secs)
        positions.append(pos)
    return positions


def _supplement_in_time(moves: list[Move], positions: list[int], start: int, deadline: int) -> list[int]:
    """A supplement is asked for within the processing time (services.routing): when a late plan puts
    the request past `deadline`, the moves up to it are squeezed before it and the rest keep their gaps."""
    asked = next((i for i, m in enumerate(moves) if m.action == "request_supplement"), None)
    if asked is None or positions[asked] <= deadline:
        return positions
    early = _fit(positions[: asked + 1], start, deadline)
    moved = positions[asked] - early[-1]
    return early + [p - moved for p in positions[asked + 1 :]]


def _span(plan: Plan, budget: int) -> int:
    ends = _positions([*plan.moves, plan.idle], 0, budget)
    return ends[-1] if ends else 0


def _start(plan: Plan, world: World, budget: int) -> int:
    """Open dossiers end their idle time now; finished ones sit somewhere in the window."""
    span = _span(plan, budget)
    back = span if plan.age is None else span + int(plan.age * max(0, WINDOW - span))
    return world.limit - back


def _fit(positions: list[int], start: int, limit: int) -> list[int]:
    """Squeeze the actions before `limit` (never in the future), keeping their order."""
    if not positions or positions[-1] <= limit:
        return positions
    scale = (limit - start) / (positions[-1] - start)
    return [start + int((p - start) * scale) for p in positions]
