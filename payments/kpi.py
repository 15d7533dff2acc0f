"""Online payment figures for Decision 766 group 4 ("dossiers paid online ÷ dossiers with fees"),
for the KPI layer (portal.kpis) to read, like feedback.kpi for group 5.

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


def paid_online(*, unit_ids: list[int] | None, start: date, end: date, group_by: str = "unit") -> dict:
    """{group key: {"with_fee": n, "paid_online": n}} over dossiers received from `start` to `end`
    (local dates, inclusive) whose recorded fee is > 0; keys as in portal.kpis (lead unit id,
    procedure id, field id, local date)."""
    since = datetime.combine(start, time(0), LOCAL_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), LOCAL_TZ)
    # 766 §4.2 counts the dossiers whose recorded fee (after exemption) is > 0, as the facts do.
    dossiers = Dossier.objects.filter(received_at__gte=since, received_at__lt=until, fee__gt=0)
    if unit_ids is not None:
        dossiers = dossiers.filter(lead_unit_id__in=unit_ids)
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
