"""Online payment figures for Decision 766 group 4 — §4.2 dossiers paid online ÷ dossiers with a
fee, §4.1 procedures with a dossier paid online ÷ procedures with a dossier to pay — for the KPI
layer (portal.kpis) to read, like feedback.kpi for group 5.

Both figures are dated by the dossier's **received** day, as the facts' `received_with_fee` is
(docs/adr/0002), so the paid ones are a part of those with a fee. A dossier counts as paid online
when one of its payments went through, even if it was refunded later.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate

from dossiers.calendar import LOCAL_TZ
from dossiers.models import Dossier

from .models import Payment

# portal.kpis.GROUP_FIELD, seen from a dossier.
GROUP_FIELD = {"unit": "lead_unit_id", "procedure": "procedure_id", "field": "procedure__field_id"}


def _with_fee(unit_ids: list[int] | None, start: date, end: date):
    """Dossiers received from `start` to `end` (local dates, inclusive) whose recorded fee (after
    exemption) is > 0, as the facts' `received_with_fee` counts them, led by `unit_ids`."""
    since = datetime.combine(start, time(0), LOCAL_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ)
    dossiers = Dossier.objects.filter(received_at__gte=since, received_at__lt=until, fee__gt=0)
    return dossiers if unit_ids is None else dossiers.filter(lead_unit_id__in=unit_ids)


def paid_online(*, unit_ids: list[int] | None, start: date, end: date, group_by: str = "unit") -> dict:
    """{group key: {"with_fee": n, "paid_online": n}} over dossiers received from `start` to `end`
    (local dates, inclusive) whose recorded fee is > 0; keys as in portal.kpis (lead unit id,
    procedure id, field id, local date)."""
    dossiers = _with_fee(unit_ids, start, end)
    paid = Payment.objects.paid().filter(dossier=OuterRef("pk"))
    key = TruncDate("received_at", tzinfo=LOCAL_TZ) if group_by == "day" else None
    column = "key" if key is not None else GROUP_FIELD[group_by]
    rows = (
        dossiers.annotate(paid=Exists(paid), **({"key": key} if key is not None else {}))
        .values(column)
        .annotate(with_fee=Count("pk"), paid_online=Count("pk", filter=Q(paid=True)))
        .order_by()
    )
    return {row[column]: {"with_fee": row["with_fee"], "paid_online": row["paid_online"]} for row in rows}


def procedures_paid_online(*, unit_ids: list[int] | None, start: date, end: date) -> dict:
    """766 §4.1 over the scope: {"with_fee": procedures with at least one dossier of §4.2's (received
    from `start` to `end`, led by `unit_ids`, recorded fee > 0), "paid_online": those of them with
    at least one such dossier paid online (a payment went through, refunded later or not)}.

    Distinct procedures over the whole scope: not a sum over units (a procedure two units decide
    is one procedure), so it is read once per scope, as §3.1's share is."""
    paid = Payment.objects.paid().filter(dossier=OuterRef("pk"))
    return (
        _with_fee(unit_ids, start, end)
        .annotate(paid=Exists(paid))
        .aggregate(
            with_fee=Count("procedure", distinct=True),
            paid_online=Count("procedure", distinct=True, filter=Q(paid=True)),
        )
    )
