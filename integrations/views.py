"""The supervisors' page of the national portal sync: dead messages with a resend button, and
the sync rate per unit (Decision 766 §1.4). Scoped by the one access rule (dossiers/access.py):
a supervisor sees the messages of the dossiers they see, and the rates of their units."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dossiers.access import grant_of
from dossiers.calendar import LOCAL_TZ
from dossiers.models import Unit
from dossiers.roles import SUPERVISOR

from .models import SyncMessage, SyncStatus
from .national.outbox import NotDead, sync_enabled, sync_message_resend
from .national.rates import sync_rate

PAGE_SIZE = 50
RESENT = _("Đã đưa thông điệp của hồ sơ %(code)s vào hàng đợi gửi lại.")
NOT_DEAD = _("Thông điệp này không ở trạng thái gửi không thành công; không cần gửi lại.")


def _supervisor_only(user) -> None:
    grant = grant_of(user)
    if not (grant.everything or SUPERVISOR in grant.roles):
        raise PermissionDenied


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Từ ngày"), required=False)
    end = forms.DateField(label=_("Đến ngày"), required=False)

    def period(self, today) -> tuple:
        """[first, last] days, inclusive: the form's, or this month up to today."""
        first, last = today.replace(day=1), today
        if self.is_valid():
            first = self.cleaned_data["start"] or first
            last = self.cleaned_data["end"] or last
        return first, max(first, last)


def _bounds(first, last) -> tuple[datetime, datetime]:
    """The days as [start, end) in Vietnam's time."""
    return datetime.combine(first, time.min, LOCAL_TZ), datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ)


def _rates(user, first, last) -> list[tuple[Unit, object]]:
    grant = grant_of(user)
    unit_ids = None if grant.everything else grant.sees
    start, end = _bounds(first, last)
    rates = sync_rate(unit_ids=unit_ids, start=start, end=end)
    units = Unit.objects.filter(pk__in=sorted(rates)).order_by("code")
    return [(unit, rates[unit.pk]) for unit in units]


@require_GET
@login_required
def national_sync(request):
    _supervisor_only(request.user)
    visible = SyncMessage.objects.visible_to(request.user)
    dead = visible.dead().waiting_behind().select_related("dossier__receiving_unit").order_by("created_at", "id")
    form = PeriodForm(request.GET or None)
    first, last = form.period(timezone.localdate())
    context = {
        "enabled": sync_enabled(),
        "page": Paginator(dead, PAGE_SIZE).get_page(request.GET.get("page")),
        "pending": visible.filter(status=SyncStatus.PENDING).count(),
        "form": form,
        "first": first,
        "last": last,
        "rates": _rates(request.user, first, last),
    }
    return render(request, "integrations/national_sync.html", context)


@require_POST
@login_required
def national_sync_resend(request, message_id):
    _supervisor_only(request.user)
    message = get_object_or_404(
        SyncMessage.objects.visible_to(request.user).select_related("dossier"), message_id=message_id
    )
    try:
        sync_message_resend(message_id=message.pk, actor=request.user)
    except NotDead:
        messages.warning(request, NOT_DEAD)
    else:
        messages.success(request, RESENT % {"code": message.dossier.code})
    return redirect("integrations:national-sync")
