"""The set-based SQL behind the KPI facts, for PostgreSQL and SQLite.

One statement aggregates three sources into (lead unit, procedure, local day) rows:
receptions by received day, finishes by finished day, signed apologies by issued day.
Working time comes from `KpiDay` positions plus the working seconds elapsed inside the
day, exactly as `WorkCalendar.position` counts them (province calendar, default hours).
"""

from dataclasses import dataclass

from django.db import connection

from ..calendar import DEFAULT_PERIODS
from ..models import Apology, Attachment, Dossier, KpiDay, KpiFact, Procedure
from .rules import DAY_SECONDS

UTC_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh
COLUMNS = (
    "received_counter",
    "received_online",
    "received_postal",
    "received_with_fee",
    "digitised",
    "received_full",
    "received_full_online",
    "received_partial",
    "received_partial_online",
    "finished",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "processing_seconds",
    "saved_seconds",
    "electronic_results",
    "finished_paper",
    "finished_paper_eresult",
    "finished_digitised",
    "apologies",
    "late_without_apology",
)
KEY = ("unit_id", "procedure_id", "day")
# Decision 766 §2.1: on time = the finish minus the clock time waiting for the citizen is by the
# appointment, with at most one supplement request — judged when the clock stops and stored
# (`timeliness_766`, dossiers.kpi.timeliness). The late table's partial index repeats it.
ON_TIME_766 = "(d.timeliness_766 IN ('early', 'on_time'))"


def _spans() -> list[tuple[int, int]]:
    return [(a.hour * 3600 + a.minute * 60, b.hour * 3600 + b.minute * 60) for a, b in DEFAULT_PERIODS]


@dataclass(frozen=True)
class Dialect:
    pg: bool

    @classmethod
    def current(cls) -> "Dialect":
        return cls(pg=connection.vendor == "postgresql")

    # Vietnam keeps UTC+7 all year, so local dates and times are integer arithmetic on the epoch
    # (several times cheaper than AT TIME ZONE on millions of rows).
    def local_epoch(self, col: str) -> str:
        """Seconds since 1970-01-01 00:00 local time (UTC+7) of a timestamp column, as an integer."""
        if self.pg:
            return f"(floor(date_part('epoch', {col}))::bigint + {UTC_OFFSET})"
        return f"(CAST(strftime('%%s', {col}) AS INTEGER) + {UTC_OFFSET})"

    def day(self, col: str) -> str:
        """The local (UTC+7, no daylight saving) date of a timestamp column."""
        return self.day_of_epoch(self.local_epoch(col)) if self.pg else f"date({col}, '+7 hours')"

    def day_of_epoch(self, e: str) -> str:
        """`day()` of a `local_epoch()` value."""
        return f"(DATE '1970-01-01' + ({e} / 86400)::int)" if self.pg else f"date({e}, 'unixepoch')"

    def position_of_epoch(self, e: str, days: str) -> str:
        """`position()` of a `local_epoch()` value."""
        s = f"(({e} %% 86400)::int)" if self.pg else f"({e} %% 86400)"
        in_day = " + ".join(self.greatest("0", f"{self.least(s, str(b))} - {a}") for a, b in _spans())
        return f"(COALESCE({days}.position, 0) + CASE WHEN {days}.is_working THEN {in_day} ELSE 0 END)"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    def position(self, col: str, days: str) -> str:
        """Working seconds from the epoch to `col`, `days` being the KpiDay row of its date."""
        return self.position_of_epoch(self.local_epoch(col), days)


def _t(model) -> str:
    return model._meta.db_table


def _b(expr: str) -> str:
    return f"CASE WHEN {expr} THEN 1 ELSE 0 END"


def _select(key: str, values: dict[str, str]) -> str:
    cols = ", ".join(f"{values.get(c, '0')} AS {c}" for c in COLUMNS)
    return f"SELECT d.lead_unit_id AS unit_id, d.procedure_id AS procedure_id, {key} AS day, {cols}"


def _ctes(where: str) -> str:
    """Per-dossier attachment and apology flags, computed once for both branches that use them."""
    scan, result = _b("kind = 'scan'"), _b("kind = 'result'")
    scope = f" WHERE dossier_id IN (SELECT d.id FROM {_t(Dossier)} d WHERE TRUE{where})" if where else ""
    files = f"SELECT dossier_id, MAX({scan}) AS scan, MAX({result}) AS result FROM {_t(Attachment)}{scope}"
    signed = f"SELECT DISTINCT dossier_id FROM {_t(Apology)} WHERE status = 'signed'"
    return f"WITH att AS ({files} GROUP BY dossier_id), ap AS ({signed}{scope.replace(' WHERE', ' AND', 1)}) "


def _received_values() -> dict[str, str]:
    online = "d.channel = 'online'"
    return {
        "received_counter": _b("d.channel = 'counter'"),
        "received_online": _b(online),
        "received_postal": _b("d.channel = 'postal'"),
        # 766 §4.2: the fee recorded on the dossier (exemptions applied), not the list price.
        "received_with_fee": _b("d.fee > 0"),
        "digitised": "COALESCE(att.scan, 0)",
        "received_full": _b("p.online_level = 'full'"),
        "received_full_online": _b(f"p.online_level = 'full' AND {online}"),
        "received_partial": _b("p.online_level = 'partial'"),
        "received_partial_online": _b(f"p.online_level = 'partial' AND {online}"),
    }


def _saved_seconds() -> str:
    """Legal minus committed time, in working seconds; calendar days and months are not working time."""
    per_unit = f"CASE p.time_unit WHEN 'working_hours' THEN 3600 WHEN 'working_days' THEN {DAY_SECONDS} ELSE 0 END"
    return f"CAST(ROUND((p.legal_processing_time - COALESCE(p.committed_processing_time, p.legal_processing_time)) * {per_unit}) AS BIGINT)"  # noqa: E501


# 766 §6.1 counts the procedures whose result is (also) issued on paper.
PAPER_RESULT = "p.result_type IN ('paper', 'both')"


def _finished_values(sql: Dialect) -> dict[str, str]:
    """Of a finished dossier `d` with local epochs `d.re` (received) and `d.fe` (finished)."""
    took = f"{sql.position_of_epoch('d.fe', 'kf')} - {sql.position_of_epoch('d.re', 'kr')} - d.waiting_seconds"
    return {
        "finished": "1",
        "finished_early": _b("d.timeliness_766 = 'early'"),
        "finished_on_time": _b("d.timeliness_766 = 'on_time'"),
        "finished_late": _b(f"NOT {ON_TIME_766}"),
        "processing_seconds": sql.greatest("0", took),
        "saved_seconds": _saved_seconds(),
        "electronic_results": "COALESCE(att.result, 0)",
        "finished_paper": _b(PAPER_RESULT),
        "finished_paper_eresult": _b(f"{PAPER_RESULT} AND att.result = 1"),
        "finished_digitised": _b("att.scan = 1 AND att.result = 1"),
        "late_without_apology": _b(f"NOT {ON_TIME_766} AND ap.dossier_id IS NULL"),
    }


def _dossiers(sql: Dialect, where: str) -> str:
    """Receptions and finishes in one pass over the dossiers: each received dossier gives a row
    on its received day (k = 0) and, once finished, one on its finished day (k = 1); the joins
    (procedure, files, apology, calendar days) are made once per dossier."""
    received, finished = _received_values(), _finished_values(sql)

    def column(c: str) -> str:
        if c in received:
            return f"CASE WHEN k.k = 0 THEN {received[c]} ELSE 0 END AS {c}"
        return f"CASE WHEN k.k = 1 THEN {finished[c]} ELSE 0 END AS {c}" if c in finished else f"0 AS {c}"

    day = f"CASE WHEN k.k = 0 THEN {sql.day_of_epoch('d.re')} ELSE {sql.day_of_epoch('d.fe')} END"
    # Each timestamp turned into local seconds once per dossier; OFFSET 0 keeps PostgreSQL from
    # folding the subquery back in (and computing them again at every use).
    columns = "d.id, d.lead_unit_id, d.procedure_id, d.channel, d.timeliness_766, d.fee, d.waiting_seconds"
    fence = " OFFSET 0" if sql.pg else ""
    dossiers = (
        f"SELECT {columns}, d.finished_at, {sql.local_epoch('d.received_at')} AS re,"
        f" {sql.local_epoch('d.finished_at')} AS fe FROM {_t(Dossier)} d"
        f" WHERE d.received_at IS NOT NULL{where}{fence}"
    )
    return (
        f"SELECT d.lead_unit_id AS unit_id, d.procedure_id AS procedure_id, {day} AS day,"
        f" {', '.join(column(c) for c in COLUMNS)} FROM ({dossiers}) d"
        f" JOIN {_t(Procedure)} p ON p.id = d.procedure_id"
        f" LEFT JOIN att ON att.dossier_id = d.id"
        f" LEFT JOIN ap ON ap.dossier_id = d.id"
        f" LEFT JOIN {_t(KpiDay)} kr ON kr.day = {sql.day_of_epoch('d.re')}"
        f" LEFT JOIN {_t(KpiDay)} kf ON kf.day = {sql.day_of_epoch('d.fe')}"
        " CROSS JOIN (SELECT 0 AS k UNION ALL SELECT 1 AS k) k"
        " WHERE k.k = 0 OR d.finished_at IS NOT NULL"
    )


def _apologies(sql: Dialect, where: str) -> str:
    return (
        f"{_select(sql.day('a.issued_at'), {'apologies': '1'})} FROM {_t(Apology)} a"
        f" JOIN {_t(Dossier)} d ON d.id = a.dossier_id"
        f" WHERE a.status = 'signed' AND a.issued_at IS NOT NULL AND d.received_at IS NOT NULL{where}"
    )


def values_sql(rows: list[tuple]) -> tuple[str, list]:
    """`VALUES (%s, …), …` for a batch of equally long rows (e.g. (lead unit, procedure) pairs),
    with its parameters."""
    one = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    return "VALUES " + ", ".join([one] * len(rows)), [x for row in rows for x in row]


def pairs_where(values: str) -> str:
    return f" AND (d.lead_unit_id, d.procedure_id) IN ({values})"


def aggregate_sql(sql: Dialect, where: str = "") -> str:
    """SELECT unit_id, procedure_id, day, <COLUMNS> — the facts, optionally for some pairs."""
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COLUMNS)
    union = f"{_dossiers(sql, where)} UNION ALL {_apologies(sql, where)}"
    grouped = f"SELECT unit_id, procedure_id, day, {sums} FROM ({union}) x GROUP BY unit_id, procedure_id, day"
    return _ctes(where) + grouped


def insert_sql(select: str) -> str:
    cols = ", ".join(KEY + COLUMNS)
    return f"INSERT INTO {_t(KpiFact)} ({cols}) {select}"


def upsert_sql(select: str, values: str) -> str:
    """PostgreSQL: write only what differs, drop the keys of these pairs that vanished; returns the
    (unit, day) of every fact row written or dropped."""
    cols = ", ".join(KEY + COLUMNS)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)
    old = ", ".join(f"f.{c}" for c in COLUMNS)
    new = ", ".join(f"EXCLUDED.{c}" for c in COLUMNS)
    table = _t(KpiFact)
    return (
        f"WITH fresh AS ({select}),"
        f" up AS (INSERT INTO {table} AS f ({cols}) SELECT {cols} FROM fresh"
        f" ON CONFLICT (unit_id, procedure_id, day) DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM ({new})"
        " RETURNING f.unit_id, f.day),"
        f" gone AS (DELETE FROM {table} f WHERE (f.unit_id, f.procedure_id) IN ({values})"
        " AND NOT EXISTS (SELECT 1 FROM fresh x WHERE x.unit_id = f.unit_id AND x.procedure_id = f.procedure_id"
        " AND x.day = f.day) RETURNING f.unit_id, f.day)"
        " SELECT unit_id, day FROM up UNION SELECT unit_id, day FROM gone"
    )
