"""Forms of the staff pages: input shapes only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Attachment, Channel, ReturnMethod, Unit

# InvalidInput.fields keys of the services → the intake form's fields.
SERVICE_FIELDS = {
    "applicant.name": "name",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
    "applicant.email": "email",
    "applicant.address": "address",
    "receiving_unit_code": "receiving_unit",
    "set_count": "set_count",
    "procedure_code": None,
    "documents": "documents",
    "competent_unit_code": "competent_unit",
}


class IntakeForm(forms.Form):
    """Reception at the counter (Mẫu 01); the documents are the procedure's checklist."""

    name = forms.CharField(label=_("Họ tên người nộp"), max_length=200)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"[0-9 ]{12,15}"}),
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
        self.fields["documents"].initial = [str(d.pk) for d in procedure.documents.all()]
        self.fields["name"].widget.attrs["autofocus"] = True

    def units(self) -> list[Unit]:
        return list(self.fields["receiving_unit"].queryset)

    def checked_documents(self) -> set[str]:
        return {str(v) for v in self["documents"].value() or ()}

    def add_service_errors(self, fields: dict) -> None:
        for key, message in fields.items():
            self.add_error(SERVICE_FIELDS.get(key), str(message))

    def applicant_data(self) -> dict:
        return {k: self.cleaned_data.get(k, "") for k in ("name", "id_number", "phone", "email", "address")}


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
    # return_result: the hand-over (services.handover checks it)
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
        if self.cleaned_data["action"] != "return_result":
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
