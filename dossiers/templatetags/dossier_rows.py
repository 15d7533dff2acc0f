"""`{% dossier_rows rows columns %}`: the rows of the staff dossier tables, written in one pass.

As a template loop each row made about a dozen tag and filter calls (url, date, default, person) and
as many variable resolutions: half of a 200-row work queue page at 10M dossiers (issue 17). Here a
row is one `format_html`; the markup is the one templates/staff/_dossier_rows.html describes, its
header stays there.
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..people import person_name

register = template.Library()

DASH = "—"


@register.simple_tag
def dossier_rows(rows, columns: str) -> SafeString:
    """`columns`: "queue" (step, appointment with its badge, status) or "supervision" (who made it
    late, appointments, days over, apology, warning)."""
    cells = _supervision_cells if columns == "supervision" else _queue_cells
    return mark_safe("".join(_row(d, cells(d)) for d in rows))  # every part went through format_html


def _row(d, rest: SafeString) -> SafeString:
    unit = d.current_unit
    return format_html(
        '<tr data-code="{}"><td class="nowrap"><a href="{}">{}</a></td>'
        '<td>{} <span class="muted">({})</span></td><td>{}</td><td>{}</td>{}</tr>\n',
        d.code,
        reverse("staff:dossier", args=[d.code]),
        d.code,
        d.procedure.name,
        d.procedure.national_code,
        d.applicant_name,
        unit.short_name or unit.name,
        rest,
    )


def _queue_cells(d) -> SafeString:
    assignee = format_html('<br><span class="muted">{}</span>', person_name(d.assignee)) if d.assignee else ""
    badge = getattr(d, "badge", None)
    badge_html = format_html('<br><span class="badge {}">{}</span>', badge[0], badge[1]) if badge else ""
    return format_html(
        '<td>{}{}</td><td class="nowrap">{}{}</td><td>{}</td>',
        d.current_step_name or DASH,
        assignee,
        _when(d.due_at),
        badge_html,
        d.status_label,
    )


def _supervision_cells(d) -> SafeString:
    if d.late_unit:
        late = d.late_unit.short_name or d.late_unit.name
        if d.late_assignee:
            late = format_html('{}<br><span class="muted">{}</span>', late, person_name(d.late_assignee))
    else:
        late = DASH
    return format_html(
        '<td>{}</td><td class="nowrap">{}</td><td class="nowrap">{}</td><td class="n">{}</td>'
        '<td>{}</td><td><span class="badge {}">{}</span></td>',
        late,
        _when(d.due_at),
        _when(d.due_at_original),
        localize(d.days_overdue),
        d.apology_label,
        d.watch_badge,
        d.watch.label,
    )


def _when(instant) -> str:
    """As the template's `date:"d/m/Y H:i"` in the current time zone; a dash when there is none."""
    return timezone.localtime(instant).strftime("%d/%m/%Y %H:%M") if instant else DASH
