"""Supervision: overdue and at-risk dossiers, late ones without an apology, counts by unit.

Supervisors see their units' subtree, unit leaders their units, superusers everything
(`Dossier.objects.visible_to`). The list is exported as a streamed CSV or XLSX.
"""

from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, TextChoices
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import exports
from ..calendar_store import calendar_for, due_soon_bound
from ..models import OPEN, Channel, Dossier, Field, Procedure, Unit, WatchLevel
from ..services.watch import level_at
from .forms import UnitChoiceField

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ApologyFlags(TypedDict):
    """What `DossierQuerySet.with_apology_state()` annotates."""

    has_signed_apology: bool
    has_draft_apology: bool


PAGE_SIZE = 50


class View(TextChoices):
    AT_RISK = "risk", _("Quá hạn và sắp đến hạn")
    LATE_NO_APOLOGY = "late_no_apology", _("Trễ hạn chưa xin lỗi")
    APOLOGY_AFTER_DUE = "apology_after_due", _("Xin lỗi sau ngày hẹn")


class ApologyState(TextChoices):
    NONE = "none", _("Chưa có")
    DRAFT = "draft", _("Chờ lãnh đạo ký")
    SIGNED = "signed", _("Đã ký, đã gửi")


def holder_units(user, visible):
    """The units a list can be filtered by: every unit of the user's scope, and every unit holding
    one of the open dossiers they see (the agencies' departments that process a centre's dossiers)."""
    units = Unit.objects.filter(is_active=True)
    if user.is_superuser:
        return units
    holders = visible.filter(status__in=OPEN).values("current_unit")
    return units.filter(Q(pk__in=units.visible_to(user).values("pk")) | Q(pk__in=holders))


class SupervisionFilter(forms.Form):
    view = forms.ChoiceField(label=_("Xem"), choices=View.choices, required=False)
    unit = UnitChoiceField(label=_("Đơn vị đang giữ"), required=False, empty_label=_("Tất cả"))
    procedure = forms.ModelChoiceField(
        label=_("Thủ tục"),
        queryset=Procedure.objects.only("pk", "national_code", "name").order_by("national_code"),
        to_field_name="national_code",
        required=False,
        empty_label=_("Tất cả"),
    )
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("Tất cả"),
    )
    channel = forms.ChoiceField(label=_("Kênh nộp"), choices=[("", _("Tất cả")), *Channel.choices], required=False)
    min_days = forms.IntegerField(
        label=_("Đang quá hạn từ (ngày làm việc)"), min_value=1, max_value=999, required=False
    )
    apology = forms.ChoiceField(
        label=_("Xin lỗi, hẹn lại"), choices=[("", _("Tất cả")), *ApologyState.choices], required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()  # an invalid field shows its error; the valid ones still filter
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


# -- the question each list asks (the QuerySet methods of Dossier) ------------------------------


def scoped(visible, filters: dict):
    """The filters that also apply to the counts by unit."""
    for key, lookup in (("unit", "current_unit"), ("procedure", "procedure"), ("field", "procedure__field")):
        if key in filters:
            visible = visible.filter(**{lookup: filters[key]})
    if "channel" in filters:
        visible = visible.filter(channel=filters["channel"])
    return visible


def supervision_queryset(visible, filters: dict, *, now, cal):
    queryset = scoped(visible, filters).with_apology_state()
    view = filters.get("view") or View.AT_RISK
    if view == View.LATE_NO_APOLOGY:
        queryset = queryset.late_without_timely_apology(at=now)
    elif view == View.APOLOGY_AFTER_DUE:
        queryset = queryset.apologised_after_due()
    else:
        queryset = queryset.at_risk(at=now, cal=cal)
    if "min_days" in filters:
        queryset = queryset.overdue_by(days=filters["min_days"], at=now, cal=cal)
    queryset = queryset.in_apology_state(filters.get("apology"))
    return queryset.select_related("procedure", "current_unit", "late_unit", "late_assignee").order_by("due_at", "id")


# -- one row -------------------------------------------------------------------------------------


def days_overdue(d: Dossier, cal, now) -> int:
    """Whole working days past the appointment: until now if open, until the result if finished."""
    end = now if d.is_open else (d.finished_at or d.returned_at or now)
    if d.due_at is None or d.due_at >= end:
        return 0
    return (cal.position(end) - cal.position(d.due_at)) // cal.day_seconds


def apology_state(d: "WithAnnotations[Dossier, ApologyFlags]") -> ApologyState:
    if d.has_signed_apology:
        return ApologyState.SIGNED
    return ApologyState.DRAFT if d.has_draft_apology else ApologyState.NONE


def with_row_facts(dossiers, *, now, cal):
    """Attach what the page and the exports show beyond the columns."""
    for d in dossiers:
        d.days_overdue = days_overdue(d, cal, now)
        d.apology_state = apology_state(d)
        d.apology_label = d.apology_state.label
        d.watch = watch_now(d, now)
        yield d


def watch_now(d: Dossier, now) -> WatchLevel:
    """The flag the watch job sets, or the one it will set on its next run (it runs every few minutes)."""
    level = d.watch_level
    if d.is_open:
        level = max(level, level_at(d, now))
    return WatchLevel(level)


WATCH_BADGES = {WatchLevel.NONE: "ok", WatchLevel.DUE_SOON: "soon"}  # overdue levels: "late"


# -- the page ------------------------------------------------------------------------------------


@require_GET
@login_required
def supervision(request):
    now, cal = timezone.now(), calendar_for(None)
    visible = Dossier.objects.visible_to(request.user)
    form = SupervisionFilter(request.GET or None, units=holder_units(request.user, visible))
    filters = form.filters()
    queryset = supervision_queryset(visible, filters, now=now, cal=cal)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _export(queryset, export, now=now, cal=cal)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(with_row_facts(page.object_list, now=now, cal=cal))
    for d in rows:
        d.watch_badge = WATCH_BADGES.get(d.watch, "late")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "view": filters.get("view") or View.AT_RISK,
        "views": View.choices,
        "page": page,
        "rows": rows,
        "counts": scoped(visible, filters).counts_by_unit(at=now, soon=due_soon_bound(now, cal=cal)),
        "query": query.urlencode(),
        "now": now,
    }
    return render(request, "supervision/list.html", context)


def _export(queryset, kind: str, *, now, cal):
    dossiers = with_row_facts(queryset.iterator(chunk_size=exports.CHUNK_SIZE), now=now, cal=cal)
    rows = (exports.supervision_row(d) for d in dossiers)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    if kind == "csv":
        return exports.csv_response(exports.SUPERVISION_COLUMNS, rows, filename=f"giam-sat-{stamp}.csv")
    return exports.xlsx_response(
        exports.SUPERVISION_COLUMNS, rows, filename=f"giam-sat-{stamp}.xlsx", title=str(_("Giám sát hồ sơ"))
    )
