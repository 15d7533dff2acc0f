"""Forms of the feedback pages: shape and length only; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.models import Unit

from .models import COMMENT_MAX, CONTENT_MAX, SCORES, SUBJECT_MAX, Petition
from .workflow import PETITION_ACTIONS

SATISFIED_CHOICES = [("yes", _("Hài lòng")), ("no", _("Không hài lòng"))]
SCORE_CHOICES = [("", _("Không đánh giá")), *SCORES]


def _score(label):
    return forms.TypedChoiceField(
        label=label, choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False, widget=forms.RadioSelect
    )


class RatingForm(forms.Form):
    satisfied = forms.ChoiceField(
        label=_("Ông/Bà có hài lòng với việc giải quyết hồ sơ không?"),
        choices=SATISFIED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn Hài lòng hoặc Không hài lòng.")},
    )
    attitude = _score(_("Thái độ phục vụ của cán bộ"))
    timeliness = _score(_("Thời gian giải quyết"))
    guidance = _score(_("Hướng dẫn, giải thích rõ ràng"))
    comment = forms.CharField(
        label=_("Góp ý (không bắt buộc)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
    )

    def rating_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "satisfied": data["satisfied"] == "yes",
            "criteria": {k: data[k] for k in ("attitude", "timeliness", "guidance")},
            "comment": data["comment"],
        }


class KioskRatingForm(forms.Form):
    """The counter tablet: one tap, satisfied or not."""

    satisfied = forms.ChoiceField(choices=SATISFIED_CHOICES)


class KioskStartForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=48)


def unit_choices():
    units = Unit.objects.filter(is_active=True).order_by("kind", "name").values_list("code", "name")
    return [("", _("Không rõ — gửi Trung tâm Phục vụ hành chính công tỉnh")), *units]


class PetitionForm(forms.Form):
    about = forms.ChoiceField(label=_("Phản ánh, kiến nghị về"), choices=Petition.About.choices)
    subject = forms.CharField(label=_("Tiêu đề"), max_length=SUBJECT_MAX)
    content = forms.CharField(
        label=_("Nội dung"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": CONTENT_MAX}),
    )
    unit_code = forms.ChoiceField(label=_("Cơ quan, đơn vị liên quan"), required=False)
    dossier_code = forms.CharField(label=_("Mã hồ sơ liên quan (nếu có)"), max_length=48, required=False)
    dossier_key = forms.CharField(
        label=_("Mã tra cứu hoặc số định danh trên giấy tiếp nhận"),
        max_length=32,
        required=False,
    )
    officer_name = forms.CharField(label=_("Cán bộ được phản ánh (nếu có)"), max_length=200, required=False)
    name = forms.CharField(label=_("Họ và tên"), max_length=200)
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label=_("Thư điện tử"), max_length=254, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_code"].choices = unit_choices()


class PetitionActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in PETITION_ACTIONS])
    text = forms.CharField(label=_("Nội dung"), required=False, max_length=5000, widget=forms.Textarea)
    publish = forms.BooleanField(label=_("Công khai câu trả lời trên cổng"), required=False)
    to_unit_code = forms.CharField(label=_("Chuyển đến đơn vị"), required=False, max_length=32)


class PetitionRatingForm(forms.Form):
    """The petitioner's opinion of the answer (766 §5.3)."""

    key = forms.CharField(max_length=16)
    satisfied = forms.ChoiceField(choices=SATISFIED_CHOICES)
