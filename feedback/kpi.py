"""Feedback figures for the satisfaction KPI (Decision 766 group 5), read by portal.kpis.

`complained` counts the dossiers with a "not satisfied" rating or a petition (not
rejected) about them, once per dossier and group, dated by when the feedback came in.
"""

from datetime import date, datetime, time, timedelta

from dossiers.calendar import LOCAL_TZ

from .models import Petition, PetitionStatus, Rating

# portal.kpis.GROUP_FIELD, seen from a rating's or petition's dossier.
GROUP_FIELD = {
    "unit": "dossier__lead_unit_id",
    "procedure": "dossier__procedure_id",
    "field": "dossier__procedure__field_id",
}


def satisfaction_by_unit(*, unit_ids: list[int] | None, start: date, end: date, group_by: str) -> dict:
    """{group key: {"complained": n}} over feedback received from `start` to `end` (local dates, inclusive)."""
    since = datetime.combine(start, time(0), LOCAL_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ)
    ratings = Rating.objects.not_satisfied().filter(created_at__gte=since, created_at__lt=until)
    petitions = Petition.objects.filter(dossier__isnull=False, received_at__gte=since, received_at__lt=until).exclude(
        status=PetitionStatus.REJECTED
    )
    if unit_ids is not None:
        ratings = ratings.filter(dossier__lead_unit_id__in=unit_ids)
        petitions = petitions.filter(dossier__lead_unit_id__in=unit_ids)
    seen = set()
    for qs, moment in ((ratings, "created_at"), (petitions, "received_at")):
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
