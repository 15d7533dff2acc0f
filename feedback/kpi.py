"""Feedback figures for Decision 766 group 5 (mức độ hài lòng), read by portal.kpis.

- `complained` (§5.4): dossiers with a "not satisfied" rating or a petition (not rejected)
  about them, once per dossier and group, dated by when the feedback came in; dossiers
  already counted late under 766 are left out, so none is subtracted twice.
- `petitions`, `petitions_on_time` (§5.2): petitions answered in the period, or still open at
  its end, and those answered by (or, open, still within) their deadline — the 15 working
  days from the latest transfer or information supplied, the clock waiting while the citizen
  holds the petition. Rejected petitions (not within the unit's competence) are not counted.
- `petitions_satisfied` (§5.3): of `petitions`, those neither handled late (answered after, or
  open past, their deadline) nor rated "not satisfied" by the petitioner — QĐ 766: (PAKN − those
  rated not satisfied or handled late) ÷ PAKN. `petitions_answered`: answered in the period.

The petitions are judged from their history (`PetitionEvent`), so a past period is judged at
its end, with the unit that held each petition then.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dossiers.calendar import LOCAL_TZ

from .models import Petition, PetitionEvent, PetitionStatus, Rating

# portal.kpis.GROUP_FIELD, seen from a rating's or petition's dossier.
GROUP_FIELD = {
    "unit": "dossier__lead_unit_id",
    "procedure": "dossier__procedure_id",
    "field": "dossier__procedure__field_id",
}
PETITION_FIGURES = ("petitions", "petitions_on_time", "petitions_answered", "petitions_satisfied")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    since = datetime.combine(start, time(0), LOCAL_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ)
    return since, until


def satisfaction_by_unit(*, unit_ids: list[int] | None, start: date, end: date, group_by: str) -> dict:
    """{group key: {"complained": n, "petitions": n, …}} over [start, end] (local dates, inclusive)."""
    out = complaints(unit_ids=unit_ids, start=start, end=end, group_by=group_by)
    if group_by != "day":  # per day only the complaints: a petition is judged at its period's end
        until = min(_bounds(start, end)[1], timezone.now())
        for key, values in petition_figures(unit_ids=unit_ids, start=start, until=until, group_by=group_by).items():
            out.setdefault(key, {"complained": 0}).update(values)
    return out


def complaints(*, unit_ids: list[int] | None, start: date, end: date, group_by: str) -> dict:
    since, until = _bounds(start, end)
    ratings = Rating.objects.not_satisfied().filter(created_at__gte=since, created_at__lt=until)
    petitions = Petition.objects.filter(dossier__isnull=False, received_at__gte=since, received_at__lt=until).exclude(
        status=PetitionStatus.REJECTED
    )
    if unit_ids is not None:
        ratings = ratings.filter(dossier__lead_unit_id__in=unit_ids)
        petitions = petitions.filter(dossier__lead_unit_id__in=unit_ids)
    seen = set()
    for qs, moment in ((ratings, "created_at"), (petitions, "received_at")):
        qs = qs.exclude(dossier__timeliness_766="late")  # already subtracted as late (766 §5.4)
        seen |= {(_key(row, group_by, moment), row["dossier_id"]) for row in _rows(qs, group_by, moment)}
    out: dict = {}
    for key, _dossier in seen:
        out.setdefault(key, {"complained": 0})["complained"] += 1
    return out


def _rows(qs, group_by: str, moment: str):
    return qs.values("dossier_id", moment, *([GROUP_FIELD[group_by]] if group_by in GROUP_FIELD else []))


def _key(row: dict, group_by: str, moment: str):
    if group_by == "day":
        return row[moment].astimezone(LOCAL_TZ).date()
    return row[GROUP_FIELD[group_by]]


# -- petitions (766 §5.2, §5.3) ----------------------------------------------------------------


@dataclass
class PetitionAt:
    """A petition as it stood at a moment, replayed from its history."""

    unit_id: int
    answer_by: datetime
    status: str = PetitionStatus.RECEIVED
    answered_at: datetime | None = None

    @property
    def with_citizen(self) -> bool:
        return self.status == PetitionStatus.INFO_REQUESTED


def petition_at(petition: Petition, events, until: datetime) -> PetitionAt:
    """Replay `events` (in order) up to `until`: unit, deadline, status, answer.

    Every (re)start of the clock — submit, transfer, information supplied — keeps the unit and
    the answer deadline on its event; a petition whose history has none (submitted before they
    were kept) never restarted, so its stored deadline is the one."""
    state = PetitionAt(unit_id=petition.unit_id, answer_by=petition.answer_by)
    for e in events:
        if e.at > until:
            break
        if "answer_by" in e.data:
            # Written by services.petitions._clock_data: an aware datetime's isoformat, which parses.
            answer_by = cast(datetime, parse_datetime(e.data["answer_by"]))
            state.answer_by, state.unit_id = answer_by, e.data.get("unit", state.unit_id)
        if e.to_status:
            state.status = e.to_status
        if e.action == "answer":
            state.answered_at = e.at
    return state


def _candidates(unit_ids, since: datetime, until: datetime):
    """Petitions received before the period's end and not answered before it began."""
    rejected_before = Exists(
        PetitionEvent.objects.filter(petition=OuterRef("pk"), action="reject", at__lt=since)
    )  # fmt: skip
    qs = Petition.objects.filter(received_at__lt=until).exclude(answered_at__lt=since).exclude(rejected_before)
    qs = qs.select_related("procedure").prefetch_related(
        Prefetch("events", PetitionEvent.objects.order_by("at", "id"), to_attr="history")
    )
    return (
        qs if unit_ids is None else qs.filter(Q(unit_id__in=unit_ids) | Q(events__data__unit__in=unit_ids)).distinct()
    )


def _judge(petition: Petition, state: PetitionAt, until: datetime) -> dict:
    if state.answered_at is not None:
        on_time = state.answered_at <= state.answer_by
        satisfied = on_time and petition.citizen_satisfied is not False
        return {"petitions": 1, "petitions_on_time": int(on_time), "petitions_answered": 1,
                "petitions_satisfied": int(satisfied)}  # fmt: skip
    # Open at the end: on time while within the deadline, or held by the citizen (the clock waits);
    # §5.3 counts it satisfied unless late (nobody can have rated an answer not given yet).
    open_on_time = int(state.with_citizen or until <= state.answer_by)
    return {"petitions": 1, "petitions_on_time": open_on_time, "petitions_satisfied": open_on_time}


def _petition_key(petition: Petition, state: PetitionAt, group_by: str):
    if group_by == "unit":
        return state.unit_id
    if group_by == "procedure":
        return petition.procedure_id
    return petition.procedure.field_id if petition.procedure else None


def petition_figures(*, unit_ids: list[int] | None, start: date, until: datetime, group_by: str) -> dict:
    """{group key: PETITION_FIGURES} for the period from `start` to `until` (its end, or now)."""
    since = _bounds(start, start)[0]
    out: dict = {}
    for petition in _candidates(unit_ids, since, until):
        state = petition_at(petition, petition.history, until)
        answered_before = state.answered_at is not None and state.answered_at < since
        rejected = state.status == PetitionStatus.REJECTED
        if answered_before or rejected:
            continue
        if unit_ids is not None and state.unit_id not in unit_ids:
            continue
        sums = out.setdefault(_petition_key(petition, state, group_by), dict.fromkeys(PETITION_FIGURES, 0))
        for name, n in _judge(petition, state, until).items():
            sums[name] += n
    return out
