"""Forms of the staff pages: input shapes only; the rules live in the services."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import workflow
from ..models import Attachment, Channel, IdType, ResultDelivery, ReturnMethod, Unit


class GroupedUnits(forms.models.ModelChoiceIterator):
    """Units as option groups: the centres by level, then each agency with its departments."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for label, units in unit_groups(self.queryset.select_related("parent")):
            yield (label, [self.choice(unit) for unit in units])


def unit_groups(units) -> list[tuple[str, list[Unit]]]:
    groups: dict[str, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: (_group_key(u), u.kind != Unit.Kind.AGENCY, u.name)):
        groups.setdefault(_group_label(unit), []).append(unit)
    return list(groups.items())


def _group_key(unit: Unit) -> tuple:
    if unit.kind == Unit.Kind.CENTRE:
        return (0, unit.level != Unit.Level.PROVINCE, "")
    agency = unit.parent if unit.kind == Unit.Kind.DEPARTMENT and unit.parent else unit
    return (1, 0, agency.name)


def _group_label(unit: Unit) -> str:
    if unit.kind == Unit.Kind.CENTRE:
        return str(_("Trung tâm cấp tỉnh") if unit.level == Unit.Level.PROVINCE else _("Trung tâm cấp xã"))
    agency = unit.parent if unit.kind == Unit.Kind.DEPARTMENT and unit.parent else unit
    return agency.name


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker by code, grouped (GroupedUnits) and filterable as one types (select-filter.js)."""

    iterator = GroupedUnits

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        attrs = {"data-filterable": "", "data-filter-placeholder": _("Gõ tên đơn vị để lọc…")}
        kwargs.setdefault("widget", forms.Select(attrs=attrs))
        super().__init__(queryset=Unit.objects.none(), **kwargs)

    def label_from_instance(self, unit: Unit) -> str:
        return unit.name


# InvalidInput.fields keys of the services → the intake form's fields.
SERVICE_FIELDS = {
    "applicant.name": "name",
    "applicant.id_type": "id_type",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
    "applicant.email": "email",
    "applicant.address": "address",
    "receiving_unit_code": "receiving_unit",
    "set_count": "set_count",
    "result_delivery": "result_delivery",
    "procedure_code": None,
    "documents": "documents",
    "fee": "fee",
    "fee_exempt_reason": "fee_exempt_reason",
    "competent_unit_code": "competent_unit",
}


class IntakeForm(forms.Form):
    """Reception at the counter (Mẫu 01); the documents are the procedure's checklist."""

    name = forms.CharField(label=_("Họ tên người nộp"), max_length=200)
    # Not required: a form without it (a page opened before the field existed) means CCCD, as before.
    id_type = forms.ChoiceField(
        label=_("Loại giấy tờ tùy thân"), choices=IdType.choices, initial=IdType.CCCD, required=False
    )
    # The number's rule depends on the type (services.applicants); staff.js switches the keypad.
    id_number = forms.CharField(
        label=_("Số giấy tờ tùy thân"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    channel = forms.ChoiceField(label=_("Kênh nộp"), choices=Channel.choices, initial=Channel.COUNTER)
    set_count = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=20, initial=1)
    result_delivery = forms.ChoiceField(
        label=_("Công dân nhận kết quả"),
        choices=ResultDelivery.choices,
        initial=ResultDelivery.COUNTER,
        widget=forms.RadioSelect,
        required=False,  # a form without it (opened before the field existed): the counter, as before
    )
    receiving_unit = forms.ModelChoiceField(label=_("Nơi tiếp nhận"), queryset=Unit.objects.none(), empty_label=None)
    # Decree 118/2025: a commune-level procedure filed elsewhere goes to the commune of the applicant's address.
    competent_unit = forms.ModelChoiceField(
        label=_("Xã, phường có thẩm quyền giải quyết (theo địa chỉ người nộp)"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Nơi tiếp nhận (nếu là UBND xã có thẩm quyền)"),
    )
    documents = forms.MultipleChoiceField(
        label=_("Giấy tờ đã nhận"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # What the dossier owes (766 §4.2 counts those with a fee > 0); the rules are services.fees'.
    fee = forms.DecimalField(label=_("Phí, lệ phí phải nộp (đồng)"), required=False, decimal_places=0, max_digits=12)
    fee_exempt_reason = forms.CharField(label=_("Lý do miễn, giảm phí"), required=False, max_length=300)

    def __init__(self, *args, procedure, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.fields["receiving_unit"].queryset = units
        if procedure.level == procedure.Level.COMMUNE:
            communes = Unit.objects.filter(level=Unit.Level.COMMUNE, is_active=True).order_by("name")
            self.fields["competent_unit"].queryset = communes
        else:
            del self.fields["competent_unit"]
        self.fields["documents"].choices = [(str(d.pk), d.name) for d in procedure.documents.all()]
        # Only the mandatory ones start ticked: an optional document is ticked when handed in.
        self.fields["documents"].initial = [str(d.pk) for d in procedure.documents.all() if d.is_mandatory]
        self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["fee"].initial = procedure.fee

    def clean_id_type(self) -> str:
        return self.cleaned_data["id_type"] or IdType.CCCD

    def clean_result_delivery(self) -> str:
        return self.cleaned_data["result_delivery"] or ResultDelivery.COUNTER

    def error_summary(self) -> list[dict]:
        """The wrong fields in the order of the page, each with the anchor of its input."""
        rows: list[dict[str, object]] = [
            {"anchor": "#intake-errors", "label": "", "message": e} for e in self.non_field_errors()
        ]
        for name, field in self.fields.items():
            for message in self.errors.get(name, ()):
                anchor = "#documents" if name == "documents" else f"#{self[name].id_for_label}"
                rows.append({"anchor": anchor, "label": field.label, "message": message})
        return rows

    def focus_first_error(self) -> None:
        """Mark the wrong inputs (aria-invalid) and move the page's focus to the first one."""
        wrong = [name for name in self.fields if name in self.errors and name != "documents"]
        for name in wrong:
            self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}_error"})
        if wrong:
            self.fields["name"].widget.attrs.pop("autofocus", None)
            self.fields[wrong[0]].widget.attrs["autofocus"] = True

    def units(self) -> list[Unit]:
        field = cast(forms.ModelChoiceField, self.fields["receiving_unit"])  # declared so above
        return [] if field.queryset is None else list(field.queryset)

    def checked_documents(self) -> set[str]:
        return {str(v) for v in self["documents"].value() or ()}

    def add_service_errors(self, fields: dict) -> None:
        for key, message in fields.items():
            self.add_error(SERVICE_FIELDS.get(key), str(message))

    def fee_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("fee", "fee_exempt_reason")}

    def applicant_data(self) -> dict:
        keys = ("name", "id_type", "id_number", "phone", "email", "address")
        return {k: self.cleaned_data.get(k, "") for k in keys}


class AssignForm(forms.Form):
    assignee = forms.CharField(max_length=150)
    reason = forms.CharField(required=False, max_length=2000)
    version = forms.IntegerField(required=False, min_value=1)


class ActionForm(forms.Form):
    action = forms.CharField(max_length=32)
    reason = forms.CharField(
        label=_("Lý do"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    to_unit = forms.CharField(required=False, max_length=32)
    version = forms.IntegerField(required=False, min_value=1)
    documents = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    # complete: the result approves the request or refuses it with reasons
    outcome = forms.ChoiceField(choices=(("approved", ""), ("refused", "")), required=False)
    # an action asking for the hand-over (return_result) (services.handover checks it)
    return_method = forms.ChoiceField(choices=ReturnMethod.choices, required=False)
    by_proxy = forms.BooleanField(required=False)
    recipient_name = forms.CharField(required=False, max_length=200)
    recipient_id_number = forms.CharField(required=False, max_length=20)
    tracking_number = forms.CharField(required=False, max_length=64)
    result_url = forms.CharField(required=False, max_length=500)
    # the second step of an action the page asks to confirm
    confirmed = forms.BooleanField(required=False)

    def clean_documents(self) -> list[str]:
        """One missing document per line (printed on the Mẫu 02 request)."""
        return [line.strip() for line in self.cleaned_data["documents"].splitlines() if line.strip()]

    def approved(self) -> bool:
        return self.cleaned_data.get("outcome") != "refused"

    def handover(self) -> dict | None:
        action = workflow.ACTIONS.get(self.cleaned_data["action"])
        if action is None or workflow.HANDOVER not in action.asks:
            return None
        return {
            "method": self.cleaned_data["return_method"] or ReturnMethod.COUNTER,
            "by_proxy": self.cleaned_data["by_proxy"],
            **{k: self.cleaned_data[k] for k in ("recipient_name", "recipient_id_number")},
            **{k: self.cleaned_data[k] for k in ("tracking_number", "result_url")},
        }


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại tệp"), choices=Attachment.Kind.choices, initial=Attachment.Kind.SCAN)
    # Emptiness, size and type are the service's rules (services.attachments).
    file = forms.FileField(
        label=_("Tệp (PDF, JPEG, PNG)"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
