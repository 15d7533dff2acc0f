"""The printed forms of Circular 03/2025/TT-VPCP (Mẫu 01–07): templates, QR codes, contexts.

Each dossier records the form version it was received under (`Dossier.form_version`); its
forms are rendered from `templates/print/<version dir>/`, so a later circular adds a new
directory and old dossiers keep printing as they were issued.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import segno
from django import forms
from django.http import Http404
from django.template.loader import select_template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from vietnam_provinces import Province, ProvinceCode

from .calendar import LOCAL_TZ
from .exports import local_naive, xlsx_write
from .models import (
    Dossier,
    DossierEvent,
    Procedure,
    RequiredDocument,
    ResultDelivery,
    Status,
    TimeUnit,
    Unit,
)
from .people import person_name
from .services.timing import calendar_day_validators
from .widgets import PlainSelect
from .wording import legal_time_text

DEFAULT_FORM_VERSION = "TT03/2025/TT-VPCP"
DEFAULT_TEMPLATE_DIR = "TT03-2025"
# Unit names end with the place they serve: "… tỉnh Khánh Hòa", "… phường Nha Trang".
PLACE_IN_NAME = re.compile(r"(?:tỉnh|thành phố|phường|xã|đặc khu)\s+(.+)$", re.IGNORECASE)
PROVINCE_PREFIX = re.compile(r"^(?:tỉnh|thành phố)\s+", re.IGNORECASE)

# "Số: …/<suffix>" of each form (ours: the circular leaves the suffix to the issuing body).
SUFFIXES = {
    "receipt": "TNHS",
    "supplement": "BSHS",
    "guidance": "HDHS",
    "refusal": "TCHS",
    "stop": "DGQ",
    "control": "KSHS",
}


def template_dir(form_version: str) -> str:
    """`TT03/2025/TT-VPCP` → `TT03-2025`: the directory of that circular's templates."""
    match = re.match(r"\s*(TT\d+)/(\d{4})", form_version or "")
    return f"{match[1]}-{match[2]}" if match else DEFAULT_TEMPLATE_DIR


def form_template(form: str, form_version: str = DEFAULT_FORM_VERSION):
    """The form's template for that version, falling back to the current circular's."""
    names = [f"print/{template_dir(form_version)}/{form}.html", f"print/{DEFAULT_TEMPLATE_DIR}/{form}.html"]
    return select_template(list(dict.fromkeys(names)))


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (no image file, no network)."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3))  # noqa: S308 - segno's own markup


def amount_text(value: Decimal) -> str:
    """10.0 → "10", 0.5 → "0,5" (Vietnamese decimal comma)."""
    return format(value.normalize(), "f").replace(".", ",")


def money_text(value: Decimal) -> str:
    """50000 → "50.000" (Vietnamese thousands separator)."""
    return f"{int(value):,}".replace(",", ".")


def processing_time_text(amount: Decimal | None, time_unit: str) -> str:
    if amount is None:
        return ""
    return f"{amount_text(amount)} {TimeUnit(time_unit).label}"


# Places --------------------------------------------------------------------------------------


def _province_name(code: int | None) -> str:
    if not code:
        return ""
    try:
        return PROVINCE_PREFIX.sub("", Province.from_code(ProvinceCode(code)).name)
    except (ValueError, KeyError, AttributeError):
        return ""


def place_of(unit: Unit | None) -> str:
    """Where the unit sits, for "<place>, ngày … tháng … năm …"."""
    while unit is not None:
        if place := _province_name(unit.province_code):
            return place
        if match := PLACE_IN_NAME.search(unit.name):
            return match[1].strip()
        unit = unit.parent
    return ""


def official_date(at: datetime) -> str:
    """`ngày 09 tháng 3 năm 2026`: days below 10 and months 1–2 take a leading zero (ND 30/2020)."""
    local = timezone.localtime(at, LOCAL_TZ)
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % {
        "day": f"{local.day:02d}",
        "month": month,
        "year": local.year,
    }


@dataclass(frozen=True)
class Header:
    """The block every form starts with: issuing body, motto, number, place and date."""

    parent_name: str
    issuer_name: str
    suffix: str
    number: str
    place_date: str


def header_for(unit: Unit | None, *, at: datetime | None, suffix: str = "", number="", place_unit=None) -> Header:
    """`place_unit`: where to take the place from when the issuer's name does not say (e.g. "Sở Tư pháp")."""
    parent = unit.parent.name.upper() if unit is not None and unit.parent is not None else ""
    when = official_date(at) if at else _("ngày … tháng … năm …")
    place = place_of(unit) or place_of(place_unit) or "……"
    return Header(
        parent_name=parent,
        issuer_name=unit.name.upper() if unit else "",
        suffix=suffix,
        number=str(number) if number else "……",
        place_date=f"{place}, {when}",
    )


# Documents tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    """One line of a documents table: the count goes in the column of its copy kind."""

    name: str
    original: int | str = ""
    certified: int | str = ""
    copy: int | str = ""


def document_row(name: str, copy_kind: str = "", count: int | str = "") -> DocumentRow:
    if copy_kind == RequiredDocument.CopyKind.CERTIFIED:
        return DocumentRow(name, certified=count)
    if copy_kind == RequiredDocument.CopyKind.COPY:
        return DocumentRow(name, copy=count)
    if copy_kind == RequiredDocument.CopyKind.ORIGINAL:
        return DocumentRow(name, original=count)
    return DocumentRow(name)


def _listed_document(item) -> DocumentRow:
    """An entry of `event.data["documents"]`: a name, or {"name", "copy_kind", "count"}."""
    if isinstance(item, dict):
        return document_row(str(item.get("name", "")), str(item.get("copy_kind", "")), item.get("count", ""))
    return document_row(str(item))


# Context builders ----------------------------------------------------------------------------


def dossier_for_print(user, code: str) -> Dossier:
    """The dossier if the user may see it, else 404 (the same answer as an unknown code)."""
    queryset = Dossier.objects.visible_to(user).select_related(
        "procedure", "receiving_unit__parent", "lead_unit__parent", "current_unit"
    )
    try:
        return queryset.get(code=code)
    except Dossier.DoesNotExist:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None


def last_event(dossier: Dossier, action: str) -> DossierEvent:
    """The latest event of that action; a form without its event does not exist (404)."""
    event = (
        dossier.events.filter(action=action).select_related("actor", "unit").order_by("-effective_at", "-id").first()
    )
    if event is None:
        raise Http404(_("Hồ sơ chưa có thao tác tương ứng với mẫu này."))
    return event


def _applicant(dossier: Dossier) -> dict:
    return {
        "name": dossier.applicant_name,
        "id_number": dossier.applicant_id_number,
        "id_label": dossier.applicant_id_label,
        "address": dossier.applicant_address,
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
    }


def _base(dossier: Dossier, form: str, event: DossierEvent, *, number="") -> dict:
    return {
        "form": form,
        "form_version": dossier.form_version or DEFAULT_FORM_VERSION,
        "dossier": dossier,
        "procedure": dossier.procedure,
        "applicant": _applicant(dossier),
        "event": event,
        "officer": person_name(event.actor),
        "header": header_for(dossier.receiving_unit, at=event.effective_at, suffix=SUFFIXES[form], number=number),
    }


def receipt_context(dossier: Dossier) -> dict:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    event = last_event(dossier, "receive")
    procedure = dossier.procedure
    url = dossier.public_url()
    # Same-day procedures read as on the public guide (dossiers.wording), not "1 ngày làm việc".
    legal = legal_time_text(procedure)
    committed = processing_time_text(procedure.committed_processing_time, procedure.time_unit)
    committed = "" if procedure.same_day else committed
    return _base(dossier, "receipt", event, number=dossier.register_line) | {
        "documents": [document_row(d.name, d.copy_kind, d.count) for d in dossier.documents.all()],
        "legal_time": legal,
        "committed_time": committed,
        "return_channels": [(label, value == dossier.result_delivery) for value, label in ResultDelivery.choices],
        "lookup_url": url,
        "qr": qr_svg(url),
    }


def supplement_context(dossier: Dossier) -> dict:
    """Mẫu 02 during processing: what to add or fix, and why."""
    return _requested_context(dossier, last_event(dossier, "request_supplement"))


def completion_context(dossier: Dossier) -> dict:
    """Mẫu 02 to an online applicant before reception: what to complete; the submission waits for it."""
    return _requested_context(dossier, last_event(dossier, "request_completion"))


def _requested_context(dossier: Dossier, event: DossierEvent) -> dict:
    listed = event.data.get("documents") or []
    rows = [_listed_document(item) for item in listed] or [document_row(event.reason)]
    unit = event.unit or dossier.current_unit
    return _base(dossier, "supplement", event) | {
        "documents": rows,
        "reason": event.reason,
        "contact_phone": unit.phone or dossier.receiving_unit.phone,
        "contact_unit": unit,
    }


def refusal_context(dossier: Dossier) -> dict:
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    event = last_event(dossier, "refuse")
    return _base(dossier, "refusal", event) | {
        "reason": event.reason,
        "contact_phone": dossier.receiving_unit.phone,
    }


def stop_context(dossier: Dossier) -> dict:
    """Mẫu 05: Thông báo dừng giải quyết hồ sơ, signed by the competent authority."""
    event = last_event(dossier, "stop")
    stage = dossier.steps.filter(started_at__isnull=False).select_related("unit").order_by("position").last()
    procedure = dossier.procedure
    context = _base(dossier, "stop", event)
    context["header"] = header_for(
        dossier.lead_unit, at=event.effective_at, suffix=SUFFIXES["stop"], place_unit=dossier.receiving_unit
    )
    return context | {
        "reason": event.reason,
        "stage": stage,
        "status_before": Status(event.from_status).label if event.from_status else "",
        "fee": money_text(procedure.fee) if procedure.fee else "",
        "fee_note": procedure.fee_note,
        "authority": dossier.lead_unit,
    }


def control_context(dossier: Dossier) -> dict:
    """Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ, one row per hand-over."""
    event = last_event(dossier, "receive")
    steps = list(dossier.steps.select_related("unit", "giver", "receiver").order_by("position"))
    agencies = [s.unit for s in steps if s.unit_id != dossier.receiving_unit_id]
    coordinating = list({u.pk: u for u in agencies if u.pk != dossier.lead_unit_id}.values())
    rows = [
        {
            "step": s,
            "giver": person_name(s.giver),
            "receiver": person_name(s.receiver),
            "result": s.get_timeliness_display() if s.timeliness else "",
        }
        for s in steps
    ]
    return _base(dossier, "control", event) | {"rows": rows, "lead": dossier.lead_unit, "coordinating": coordinating}


# Mẫu 02 as guidance at intake: no dossier exists, only what the clerk typed. -----------------


def _ids(raw: str) -> list[int]:
    return [int(part) for part in (raw or "").split(",") if part.strip().isdigit()]


def own_unit(user) -> Unit | None:
    """The centre the user serves (the first of theirs), else any unit of theirs: the issuer of their forms."""
    units = sorted(user.units.select_related("parent"), key=lambda u: (u.kind != Unit.Kind.CENTRE, u.code))
    return units[0] if units else None


def guidance_context(user, params, *, applicant: dict) -> dict:
    """`params`: the procedure and the missing documents' ids; `applicant`: as the clerk typed it."""
    procedure = Procedure.objects.filter(national_code=params.get("procedure", "")).first()
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục."))
    missing = list(procedure.documents.filter(pk__in=_ids(params.get("missing", ""))).order_by("position"))
    unit = own_unit(user)
    return {
        "form": "guidance",
        "form_version": DEFAULT_FORM_VERSION,
        "procedure": procedure,
        "applicant": {key: applicant.get(key, "") for key in ("name", "address", "phone", "email")},
        "documents": [document_row(d.name, d.copy_kind, d.count) for d in missing],
        "missing": missing,
        "unit": unit,
        "officer": person_name(user),
        "contact_phone": unit.phone if unit else "",
        "header": header_for(unit, at=timezone.now(), suffix=SUFFIXES["guidance"]),
    }


# Mẫu 07: the register ------------------------------------------------------------------------

REGISTER_PAGE_SIZE = 50
REGISTER_COLUMNS = (
    gettext_lazy("STT"),
    gettext_lazy("Mã hồ sơ"),
    gettext_lazy("Tên thủ tục hành chính"),
    gettext_lazy("Số lượng hồ sơ (bộ)"),
    gettext_lazy("Tên cá nhân, tổ chức"),
    gettext_lazy("Địa chỉ, số điện thoại"),
    gettext_lazy("Cơ quan chủ trì giải quyết"),
    gettext_lazy("Ngày, tháng, năm nhận hồ sơ"),
    gettext_lazy("Ngày, tháng, năm hẹn trả kết quả"),
    gettext_lazy("Ngày, tháng, năm chuyển hồ sơ đến cơ quan giải quyết"),
    gettext_lazy("Ngày, tháng, năm nhận kết quả từ cơ quan giải quyết"),
    gettext_lazy("Ngày, tháng, năm trả kết quả cho cá nhân, tổ chức"),
    gettext_lazy("Ký nhận"),
    gettext_lazy("Ghi chú"),
)


def register_units(user):
    """Centres whose register the user may pick: those of their access grant (dossiers/access.py).

    Built from the grant, not from the dossiers they see: no scan of the history, and an agency
    officer is not offered the centres that merely sent them dossiers."""
    return Unit.objects.centres().visible_to(user).order_by("code")


class RegisterFilter(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Nơi tiếp nhận"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("Tất cả"),
        widget=PlainSelect,
    )
    date_from = forms.DateField(
        label=gettext_lazy("Nhận từ ngày"),
        input_formats=["%d/%m/%Y"],
        required=False,
        widget=forms.TextInput,
        validators=calendar_day_validators(),
    )
    date_to = forms.DateField(
        label=gettext_lazy("đến ngày"),
        input_formats=["%d/%m/%Y"],
        required=False,
        widget=forms.TextInput,
        validators=calendar_day_validators(),
    )
    procedure = forms.ModelChoiceField(
        label=gettext_lazy("Thủ tục"),
        queryset=Procedure.objects.only("pk", "national_code", "name"),
        to_field_name="national_code",
        required=False,
        empty_label=gettext_lazy("Tất cả"),
        widget=PlainSelect,
    )
    status = forms.TypedChoiceField(
        label=gettext_lazy("Trạng thái"),
        choices=[("", gettext_lazy("Tất cả")), *Status.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        unit.queryset = register_units(user)
        # The options from two columns, not ~700 model instances (a superuser's picker; issue 17).
        rows = unit.queryset.values_list("code", "name")
        unit.choices = [("", unit.empty_label), *((code, f"{name} ({code})") for code, name in rows)]
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs.update(placeholder="dd/mm/yyyy", inputmode="numeric")


REGISTER_ORDER = ("received_at", "id")


def register_queryset(visible, cleaned: dict):
    """The visible received dossiers matching the filter, in the order they were received
    (REGISTER_ORDER; per centre the index dossier_register_unit_idx serves it)."""
    queryset = (
        visible.received_between(cleaned.get("date_from"), cleaned.get("date_to"))
        .select_related("procedure", "lead_unit", "receiving_unit")
        .order_by(*REGISTER_ORDER)
    )
    if cleaned.get("unit"):
        queryset = queryset.filter(receiving_unit=cleaned["unit"])
    if cleaned.get("procedure"):
        queryset = queryset.filter(procedure=cleaned["procedure"])
    if cleaned.get("status"):
        queryset = queryset.filter(status=cleaned["status"])
    return queryset


def register_note(dossier: Dossier) -> str:
    return " · ".join(part for part in (str(dossier.status_label), dossier.note) if part)


REGISTER_DATES = ("received_at", "due_at", "transferred_at", "finished_at", "returned_at")


def _day_and_time(instant: datetime | None) -> tuple[str, str]:
    if instant is None:
        return "", ""
    local = timezone.localtime(instant, LOCAL_TZ)
    return local.strftime("%d/%m/%Y"), local.strftime("%H:%M")


def register_line(number: int, dossier: Dossier) -> dict:
    """One line of the register page, its dates already as text (one pass in Python, not ten
    template filters a row)."""
    return {
        "number": number,
        "dossier": dossier,
        "dates": [_day_and_time(getattr(dossier, name)) for name in REGISTER_DATES],
        "note": register_note(dossier),
    }


def register_row(number: int, dossier: Dossier) -> list:
    """One line of the register as spreadsheet values (the HTML page renders its own)."""
    address_phone = ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p)
    return [
        number,
        dossier.code,
        dossier.procedure.name,
        dossier.set_count,
        dossier.applicant_name,
        address_phone,
        dossier.lead_unit.name,
        local_naive(dossier.received_at),
        local_naive(dossier.due_at),
        local_naive(dossier.transferred_at),
        local_naive(dossier.finished_at),
        local_naive(dossier.returned_at),
        "",
        register_note(dossier),
    ]


def register_xlsx(queryset, file) -> None:
    """Write the register into `file` (the shared spreadsheet writer), streaming rows."""
    rows = (register_row(n, dossier) for n, dossier in enumerate(queryset.iterator(chunk_size=2000), start=1))
    xlsx_write(file, REGISTER_COLUMNS, rows, title=_("Sổ theo dõi hồ sơ"))
