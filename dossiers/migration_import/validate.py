"""Validating history rows before anything is written: Vietnamese errors with line and column.

Each row is checked on its own (codes, references, applicant like the live intake, times,
a lifecycle that fits its status), then across rows: codes unique in the file and new to
the database, events referring to a dossier of the file, in time order, chained
(`from_status` = the previous `to_status`), nothing after a terminal status, and a dossier's
status equal to its last event's. Memory: one small record per dossier code.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..calendar import DEFAULT_PERIODS, FIRST_YEAR, LAST_YEAR, LOCAL_TZ, CalendarError, compute_due
from ..calendar_store import calendar_for
from ..clock import timeliness_of
from ..errors import InvalidInput
from ..models import CHANNEL_CODES, OPEN, TERMINAL, CalendarDay, Channel, Dossier, Procedure, Status, Timeliness, Unit
from ..services.applicants import applicant_clean
from ..services.codes import lookup_key_new
from .format import DOSSIER_COLUMNS, DOSSIERS, EVENT_COLUMNS, EVENTS, parse_time

MAX_ERRORS = 1000
IMPORT_MARK = "[Nhập lịch sử]"
NOTE_LENGTH = 500 - len(IMPORT_MARK) - 1
NEVER_RECEIVED = {Status.SUBMITTED, Status.REFUSED, Status.WITHDRAWN}
# Circular 03/2025/TT-VPCP replaced 01/2018 with Decree 118/2025 (in force 01/07/2025).
FORM_CHANGE = date(2025, 7, 1)
CODE_PATTERN = re.compile(r"(.+)-(\d{6})-(\d{4,9})")
TIMES = ("submitted_at", "received_at", "due_at", "finished_at", "returned_at")
ORDER = (("submitted_at", "received_at"), ("received_at", "finished_at"), ("finished_at", "returned_at"))
LABELS = {c.code: c.label for c in DOSSIER_COLUMNS} | {f"event.{c.code}": c.label for c in EVENT_COLUMNS}
FILE_LABELS = {DOSSIERS: _("Tệp hồ sơ"), EVENTS: _("Tệp sự kiện")}

REQUIRED = _("Thiếu giá trị «%(label)s».")
TOO_LONG = _("Dài quá %(n)s ký tự.")
DUPLICATE_IN_FILE = _("Mã hồ sơ «%(code)s» trùng với dòng %(line)s.")
EXISTS = _("Mã hồ sơ «%(code)s» đã có trong hệ thống.")
UNKNOWN_PROCEDURE = _("Không có thủ tục với mã «%(code)s».")
UNKNOWN_UNIT = _("Không có đơn vị với mã «%(code)s».")
UNKNOWN_USER = _("Không có tài khoản «%(code)s».")
UNKNOWN_DOSSIER = _("Không có hồ sơ mã «%(code)s» trong tệp hồ sơ.")
BAD_STATUS = _("Trạng thái «%(v)s» phải là số từ 1 đến 10.")
BAD_CHANNEL = _("Kênh nộp «%(v)s» không hợp lệ; dùng counter/online/postal hoặc 1/2/3.")
BAD_TIMELINESS = _("Tiến độ «%(v)s» không hợp lệ; dùng early/on_time/late (trước hạn/đúng hạn/quá hạn).")
OUT_OF_RANGE = _("Thời điểm nằm ngoài các năm %(first)s–%(last)s.")
IN_FUTURE = _("Thời điểm ở tương lai.")
NEED_SUBMITTED = _("Cần thời điểm nộp hoặc thời điểm tiếp nhận.")
NEED_RECEIVED = _("Hồ sơ ở trạng thái %(status)s phải có thời điểm tiếp nhận.")
NEED_FINISHED = _("Hồ sơ ở trạng thái %(status)s phải có thời điểm có kết quả.")
NEED_RETURNED = _("Hồ sơ đã trả kết quả phải có thời điểm trả kết quả.")
OPEN_WITH_END = _("Hồ sơ đang ở trạng thái %(status)s không thể có thời điểm kết thúc.")
RETURNED_ONLY = _("Chỉ hồ sơ ở trạng thái 10 (Đã trả kết quả) có thời điểm trả kết quả.")
BEFORE = _("Thời điểm này sớm hơn «%(other)s».")
NO_DUE = _("Không tính được ngày hẹn trả: %(e)s")
EVENT_BEFORE_SUBMISSION = _("Sự kiện trước thời điểm nộp hồ sơ.")
OUT_OF_ORDER = _("Sự kiện không theo thứ tự thời gian: sớm hơn sự kiện ở dòng %(line)s.")
AFTER_TERMINAL = _("Sự kiện sau khi hồ sơ đã kết thúc (trạng thái %(status)s, dòng %(line)s).")
FROM_MISMATCH = _("Trạng thái trước %(v)s khác trạng thái sau sự kiện ở dòng %(line)s (%(last)s).")
STATUS_MISMATCH = _("Trạng thái %(v)s khác trạng thái sau sự kiện cuối (dòng %(line)s của tệp sự kiện: %(last)s).")

CHANNELS = {str(code): channel for channel, code in CHANNEL_CODES.items()}  # KenhThucHien 1/2/3
CHANNELS |= {c.value: c.value for c in Channel} | {str(c.label).lower(): c.value for c in Channel}
TIMELINESS = {t.value: t.value for t in Timeliness} | {str(t.label).lower(): t.value for t in Timeliness}
APPLICANT_COLUMNS = {f"applicant.{part}": f"applicant_{part}" for part in ("name", "id_number", "phone", "email")}
APPLICANT_COLUMNS["applicant.address"] = "applicant_address"


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{FILE_LABELS[self.file]}, dòng {self.line}"
        label = LABELS.get(self.column if self.file == DOSSIERS else f"event.{self.column}")
        if self.column:
            where += f", cột {self.column}" + (f" ({label})" if label else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ProcedureRef:
    id: int
    lead_id: int | None
    amount: Decimal
    time_unit: str
    same_day: bool

    def start_data(self) -> str:
        return json.dumps(
            {"amount": str(self.amount), "time_unit": self.time_unit, "same_day": self.same_day, "imported": True}
        )


class References:
    """Procedures, units and accounts by their natural keys, loaded once per import."""

    def __init__(self):
        self.procedures = {
            p.national_code: ProcedureRef(p.pk, p.lead_agency_id, p.processing_time, p.time_unit, p.same_day)
            for p in Procedure.objects.all()
        }
        self.units = {u.code: u for u in Unit.objects.all()}
        self.units_by_id = {u.pk: u for u in self.units.values()}
        self.users = dict(get_user_model().objects.values_list("username", "pk"))
        self.own_days = set(CalendarDay.objects.filter(unit__isnull=False).values_list("unit_id", flat=True))
        self._calendars: dict = {}

    def procedure(self, code: str) -> ProcedureRef:
        return _found(self.procedures, code, UNKNOWN_PROCEDURE)

    def unit_id(self, code: str) -> int:
        return _found(self.units, code, UNKNOWN_UNIT).pk

    def user_id(self, username: str) -> int:
        return _found(self.users, username, UNKNOWN_USER)

    def calendar(self, unit_id: int):
        """The unit's calendar; units without days or hours of their own share the province's."""
        unit = self.units_by_id[unit_id]
        own = unit_id in self.own_days or unit.office_periods != DEFAULT_PERIODS
        key = unit_id if own else None
        if key not in self._calendars:  # calendar_for reads the version on every call
            self._calendars[key] = calendar_for(unit if own else None)
        return self._calendars[key]


def _found(table: dict, code: str, message):
    try:
        return table[code]
    except KeyError:
        raise ValueError(message % {"code": code}) from None


def parse_status(value: str) -> int:
    if value.isdigit() and 1 <= int(value) <= 10:
        return int(value)
    raise ValueError(BAD_STATUS % {"v": value})


def _choice(table: dict, message) -> Callable[[str], str]:
    def parse(value: str) -> str:
        try:
            return table[value.lower()]
        except KeyError:
            raise ValueError(message % {"v": value}) from None

    return parse


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise ValueError(TOO_LONG % {"n": limit})
        return value

    return parse


class Tracked:
    """What later rows need to know about a dossier of the file."""

    __slots__ = ("line", "status", "submitted_at", "last_at", "last_line", "last_status", "supplements")
    status: int | None  # None until the dossier's row is valid; then submitted_at is set too
    submitted_at: datetime | None
    last_at: datetime | None
    last_status: int | None

    def __init__(self, line: int):
        self.line, self.status, self.submitted_at = line, None, None
        self.last_at, self.last_line, self.last_status, self.supplements = None, 0, None, 0


class RowCheck:
    """One row's values, parsed column by column; every problem is reported."""

    def __init__(self, validator: "HistoryValidator", file: str, line: int, raw: dict):
        self.validator, self.file, self.line, self.raw = validator, file, line, raw
        self.failed = False

    def get(self, column: str, parse: Callable, *, optional: bool = False):
        value = self.raw.get(column, "")
        if value == "":
            if not optional:
                key = column if self.file == DOSSIERS else f"event.{column}"
                self.error(column, REQUIRED % {"label": LABELS[key]})
            return None
        try:
            return parse(value)
        except ValueError as e:
            self.error(column, str(e))
            return None

    def error(self, column: str, message) -> None:
        self.failed = True
        self.validator.add(self.file, self.line, column, message)


class HistoryValidator:
    """Turns raw rows into rows ready for the database, or errors; never writes."""

    def __init__(self, refs: References, *, now: datetime, max_errors: int = MAX_ERRORS):
        self.refs, self.now, self.max_errors = refs, now, max_errors
        self.errors: list[RowError] = []
        self.dossiers: dict[str, Tracked] = {}
        self.sequences: dict[tuple[int, date], int] = {}
        self.unreadable = False  # a file could not be read as a table: its rows are unknown

    @property
    def full(self) -> bool:
        return len(self.errors) >= self.max_errors

    def add(self, file: str, line: int, column: str, message) -> None:
        if not self.full:
            self.errors.append(RowError(file, line, column, str(message)))

    # -- dossiers --------------------------------------------------------------------------
    def clean_dossiers(self, rows: Iterable[tuple[int, dict]]) -> Iterator[dict]:
        for line, raw in rows:
            if self.full:
                return
            values = self._dossier(RowCheck(self, DOSSIERS, line, raw))
            if values is not None:
                yield values

    def check_existing(self, batch: list[dict]) -> None:
        """Codes of the batch already in the database (one query per batch)."""
        lines = {row["code"]: row["_line"] for row in batch}
        for code in Dossier.objects.filter(code__in=list(lines)).values_list("code", flat=True):
            self.add(DOSSIERS, lines[code], "code", EXISTS % {"code": code})

    def _new_code(self, line: int) -> Callable[[str], str]:
        def parse(code: str) -> str:
            _text(48)(code)
            if code in self.dossiers:
                raise ValueError(DUPLICATE_IN_FILE % {"code": code, "line": self.dossiers[code].line})
            self.dossiers[code] = Tracked(line)
            return code

        return parse

    def _dossier(self, check: RowCheck) -> dict | None:
        refs = self.refs
        values = {
            "code": check.get("code", self._new_code(check.line)),
            "procedure": check.get("procedure_code", refs.procedure),
            "receiving_unit_id": check.get("receiving_unit_code", refs.unit_id),
            "lead_unit_id": check.get("lead_unit_code", refs.unit_id, optional=True),
            "channel": check.get("channel", _choice(CHANNELS, BAD_CHANNEL), optional=True) or Channel.COUNTER,
            "status": check.get("status", parse_status),
            "timeliness": check.get("timeliness", _choice(TIMELINESS, BAD_TIMELINESS), optional=True),
            "note": check.get("note", _text(NOTE_LENGTH), optional=True) or "",
        }
        values |= {name: check.get(name, self._time, optional=True) for name in TIMES}
        values |= self._applicant(check)
        if not check.failed:
            for column, message in self._lifecycle_problems(values):
                check.error(column, message)
        if check.failed:
            return None
        return self._complete(check, values)

    def _applicant(self, check: RowCheck) -> dict:
        raw = check.raw
        try:
            applicant = applicant_clean(
                name=str(raw.get("applicant_name", "")),
                id_number=str(raw.get("applicant_id_number", "")),
                phone=str(raw.get("applicant_phone", "")),
                email=str(raw.get("applicant_email", "")),
                address=str(raw.get("applicant_address", "")),
            )
        except InvalidInput as e:
            for field, message in e.fields.items():
                check.error(APPLICANT_COLUMNS[field], message)
            return {}
        return {f"applicant_{part}": getattr(applicant, part) for part in ("name", "id_number", "phone", "email")} | {
            "applicant_address": applicant.address
        }

    def _time(self, value) -> datetime:
        moment = parse_time(value)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ValueError(OUT_OF_RANGE % {"first": FIRST_YEAR, "last": LAST_YEAR})
        if moment > self.now:
            raise ValueError(IN_FUTURE)
        return moment

    def _lifecycle_problems(self, v: dict) -> Iterator[tuple[str, str | Promise]]:
        status = v["status"]
        label = f"{status} ({Status(status).label})"
        if v["submitted_at"] is None and v["received_at"] is None:
            yield "submitted_at", NEED_SUBMITTED
        if v["received_at"] is None and status not in NEVER_RECEIVED:
            yield "received_at", NEED_RECEIVED % {"status": label}
        if v["finished_at"] is None and status in (Status.DONE, Status.RETURNED):
            yield "finished_at", NEED_FINISHED % {"status": label}
        if v["returned_at"] is None and status == Status.RETURNED:
            yield "returned_at", NEED_RETURNED
        if v["finished_at"] is not None and status in OPEN:
            yield "finished_at", OPEN_WITH_END % {"status": label}
        if v["returned_at"] is not None and status != Status.RETURNED:
            yield "returned_at", RETURNED_ONLY
        yield from self._order_problems(v)

    def _order_problems(self, v: dict) -> Iterator[tuple[str, str | Promise]]:
        for earlier, later in (*ORDER, ("received_at", "due_at")):
            if v[earlier] is not None and v[later] is not None and v[later] < v[earlier]:
                yield later, BEFORE % {"other": LABELS[earlier]}

    def _complete(self, check: RowCheck, v: dict) -> dict | None:
        """The row as the database stores it: defaults, computed due time, marker, sequence."""
        procedure: ProcedureRef = v.pop("procedure")
        status, received = v["status"], v["received_at"]
        v["lead_unit_id"] = v["lead_unit_id"] or procedure.lead_id or v["receiving_unit_id"]
        if v["due_at"] is None and received is not None:
            try:
                cal = self.refs.calendar(v["lead_unit_id"])
                v["due_at"] = compute_due(
                    cal, received, procedure.amount, procedure.time_unit, same_day=procedure.same_day
                )
            except CalendarError as e:
                check.error("due_at", NO_DUE % {"e": e})
                return None
        if v["timeliness"] is None:
            end = v["finished_at"]
            v["timeliness"] = timeliness_of(end, v["due_at"]) if end and v["due_at"] else ""
        tracked = self.dossiers[v["code"]]
        submitted: datetime = v["submitted_at"] or received  # NEED_SUBMITTED refused a row with neither
        tracked.status, tracked.submitted_at = status, submitted
        legacy_form = submitted.astimezone(LOCAL_TZ).date() < FORM_CHANGE
        in_lead = status in (Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT, Status.STOPPED)
        return v | {
            "_line": check.line,
            "_start": procedure.start_data(),
            "procedure_id": procedure.id,
            "lookup_key": lookup_key_new(),
            "current_unit_id": v["lead_unit_id"] if in_lead else v["receiving_unit_id"],
            "submitted_at": submitted,
            "due_at_original": v["due_at"],
            "form_version": "TT01/2018/TT-VPCP" if legacy_form else "TT03/2025/TT-VPCP",
            "register_line": self._sequence(v["code"], v["receiving_unit_id"]),
            "note": f"{v['note']} {IMPORT_MARK}".strip(),
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _sequence(self, code: str, receiving_unit_id: int) -> int | None:
        """Advance the daily sequence a live code `<unit code>-YYMMDD-NNNN` would come from."""
        match = CODE_PATTERN.fullmatch(code)
        unit = self.refs.units.get(match.group(1)) if match else None
        if match is None or not unit:
            return None
        try:
            day = datetime.strptime(match.group(2), "%y%m%d").date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            return None
        number, key = int(match.group(3)), (unit.pk, day)
        self.sequences[key] = max(self.sequences.get(key, 0), number)
        return number if unit.pk == receiving_unit_id else None

    # -- events ----------------------------------------------------------------------------
    def clean_events(self, rows: Iterable[tuple[int, dict]]) -> Iterator[dict]:
        for line, raw in rows:
            if self.full:
                return
            values = self._event(RowCheck(self, EVENTS, line, raw))
            if values is not None:
                yield values

    def _known(self, code: str) -> Tracked:
        return _found(self.dossiers, code, UNKNOWN_DOSSIER)

    def _event(self, check: RowCheck) -> dict | None:
        refs = self.refs
        tracked = check.get("code", self._known)
        v = {
            "code": check.raw.get("code"),
            "action": check.get("action", _text(32)),
            "from_status": check.get("from_status", parse_status, optional=True),
            "to_status": check.get("to_status", parse_status, optional=True),
            "effective_at": check.get("effective_at", self._time),
            "actor_id": check.get("actor_username", refs.user_id, optional=True),
            "unit_id": check.get("unit_code", refs.unit_id, optional=True),
            "reason": str(check.raw.get("reason", "")),
        }
        if check.failed or tracked.status is None:  # a bad dossier row is reported already
            return None
        for column, message in self._chain_problems(tracked, v):
            check.error(column, message)
        # Move on even past a bad event, so that one mistake is reported once, not at every later row.
        tracked.last_at = max(tracked.last_at or v["effective_at"], v["effective_at"])
        tracked.last_line, tracked.last_status = check.line, v["to_status"] or tracked.last_status
        tracked.supplements += v["action"] == "request_supplement"
        if check.failed:
            return None
        return v | {"_line": check.line, "recorded_at": self.now, "is_public": True}

    def _chain_problems(self, tracked: Tracked, v: dict) -> Iterator[tuple[str, str | Promise]]:
        at, last = v["effective_at"], tracked.last_status
        if at < tracked.submitted_at:
            yield "effective_at", EVENT_BEFORE_SUBMISSION
        if tracked.last_at is not None and at < tracked.last_at:
            yield "effective_at", OUT_OF_ORDER % {"line": tracked.last_line}
        if last in TERMINAL:
            yield "code", AFTER_TERMINAL % {"status": last, "line": tracked.last_line}
        elif v["from_status"] is not None and last is not None and v["from_status"] != last:
            yield "from_status", FROM_MISMATCH % {"v": v["from_status"], "line": tracked.last_line, "last": last}

    def finish(self) -> None:
        """A dossier's status must be where its events leave it."""
        for tracked in self.dossiers.values():
            if self.full:
                return
            if tracked.last_status is not None and tracked.status not in (None, tracked.last_status):
                mismatch = {"v": tracked.status, "line": tracked.last_line, "last": tracked.last_status}
                self.add(DOSSIERS, tracked.line, "status", STATUS_MISMATCH % mismatch)


__all__ = ["HistoryValidator", "IMPORT_MARK", "MAX_ERRORS", "References", "RowError"]
