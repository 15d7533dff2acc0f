"""The units' certificates, registered and retired by the administrator (never deleted)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dossiers.errors import InvalidInput

from .certificates import certificate_facts, unit_certificate_register
from .models import UnitCertificate

MAX_PKCS12_BYTES = 1024 * 1024


class UnitCertificateForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Tệp PKCS#12 (.p12, .pfx)"),
        required=False,
        help_text=_("Tệp chứa khóa và chứng thư của đơn vị; mật khẩu đặt trong biến môi trường ghi dưới đây."),
    )

    class Meta:
        model = UnitCertificate
        fields = ("unit", "label", "passphrase_env", "is_active")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            return cleaned
        upload = cleaned.get("upload")
        if upload is None:
            self.add_error("upload", _("Chọn tệp PKCS#12."))
        elif upload.size > MAX_PKCS12_BYTES:
            self.add_error("upload", _("Tệp PKCS#12 quá lớn."))
        elif cleaned.get("passphrase_env"):
            self.pkcs12 = upload.read()
            try:
                certificate_facts(pkcs12=self.pkcs12, passphrase_env=cleaned["passphrase_env"])
            except InvalidInput as exc:
                self.add_error("upload", str(exc.message))
        return cleaned


@admin.register(UnitCertificate)
class UnitCertificateAdmin(admin.ModelAdmin):
    form = UnitCertificateForm
    list_display = ("unit", "subject", "valid_from", "valid_to", "is_active")
    list_select_related = ("unit",)
    list_filter = ("is_active",)
    search_fields = ("unit__code", "unit__name", "subject", "fingerprint")
    autocomplete_fields = ("unit",)
    readonly_fields = (
        "subject",
        "issuer",
        "serial",
        "fingerprint",
        "valid_from",
        "valid_to",
        "created_at",
        "created_by",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("unit", "label", "upload", "passphrase_env", "is_active")
        return ("unit", "label", "passphrase_env", "is_active", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        # A registered certificate keeps its unit and key; it can only be relabelled or retired.
        return ("unit", "passphrase_env", *self.readonly_fields) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # signed documents refer to it; retire it instead (is_active)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = unit_certificate_register(
            unit=form.cleaned_data["unit"],
            pkcs12=form.pkcs12,
            passphrase_env=form.cleaned_data["passphrase_env"],
            label=form.cleaned_data.get("label", ""),
            actor=request.user,
        )
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)
