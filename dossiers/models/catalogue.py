from decimal import Decimal

from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    MONTHS = "months", _("tháng")


# A working day counts as 8 working hours (ours, as provincial systems do).
HOURS_PER_WORKING_DAY = 8


class Field(models.Model):
    """Lĩnh vực: the sector a procedure belongs to."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, q: str):
        """By code, or by name with accents and case ignored, every word anywhere ("khai sinh
        dang ky"), and common words citizens use ("sổ đỏ", "giấy khai sinh": textsearch.SYNONYMS)."""
        from ..textsearch import Folded, all_words, phrases

        q = (q or "").strip()[:200]
        if not q:
            return self
        match = models.Q(national_code__icontains=q)
        for phrase in phrases(q):
            if phrase:
                match |= all_words("_folded_name", phrase)
        return self.alias(_folded_name=Folded("name")).filter(match)

    def for_unit(self, unit):
        """Procedures a unit decides, or of its level when it is a service centre."""
        if unit.kind == unit.Kind.CENTRE:
            return self.filter(level=unit.level)
        return self.filter(lead_agency=unit)

    def for_intake(self):
        """What receiving a dossier reads: lead agency, documents, routing template (with units).

        The related rows are ordered by position only: the models' default ordering starts
        with `procedure`, which joins the procedure table for an order the prefetch does not need.
        """
        return self.select_related("lead_agency").prefetch_related(
            models.Prefetch("documents", RequiredDocument.objects.order_by("position")),
            models.Prefetch("steps", RoutingStep.objects.select_related("unit").order_by("position")),
        )

    def with_details(self):
        return self.select_related("field", "lead_agency").prefetch_related("documents", "steps__unit")


class Procedure(models.Model):
    """Thủ tục hành chính, as published in the national database of procedures."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        COMMUNE = "commune", _("Cấp xã")

    class OnlineLevel(models.TextChoices):
        FULL = "full", _("Toàn trình")
        PARTIAL = "partial", _("Một phần")
        NONE = "none", _("Không trực tuyến")

    class ResultType(models.TextChoices):
        PAPER = "paper", _("Bản giấy")
        ELECTRONIC = "electronic", _("Bản điện tử")
        BOTH = "both", _("Bản giấy và bản điện tử")

    national_code = models.CharField(_("mã TTHC"), max_length=32, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=Level.choices)
    lead_agency = models.ForeignKey(
        "dossiers.Unit",
        verbose_name=_("cơ quan chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_procedures",
        help_text=_("Để trống với thủ tục cấp xã: UBND xã nơi tiếp nhận giải quyết."),
    )
    legal_processing_time = models.DecimalField(_("thời hạn theo luật"), max_digits=6, decimal_places=1)
    committed_processing_time = models.DecimalField(
        _("thời hạn tỉnh cam kết"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Thời hạn rút ngắn theo quyết định của tỉnh; để trống nếu giữ thời hạn luật định."),
    )
    shortening_decision = models.CharField(_("quyết định rút ngắn"), max_length=200, blank=True)
    time_unit = models.CharField(_("đơn vị thời gian"), max_length=16, choices=TimeUnit.choices)
    same_day = models.BooleanField(_("trả trong ngày"), default=False)
    supplement_resets_clock = models.BooleanField(_("bổ sung tính lại từ đầu"), default=False)
    online_level = models.CharField(
        _("mức trực tuyến"), max_length=16, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    online_url = models.URLField(
        _("địa chỉ nộp trực tuyến"),
        max_length=500,
        blank=True,
        help_text=_("Trang của thủ tục trên Cổng dịch vụ công, nơi người dân nộp hồ sơ trực tuyến."),
    )
    fee = models.DecimalField(_("phí, lệ phí (đồng)"), max_digits=12, decimal_places=0, default=Decimal(0))
    fee_note = models.CharField(_("ghi chú phí"), max_length=500, blank=True)
    result_type = models.CharField(
        _("hình thức kết quả"), max_length=16, choices=ResultType.choices, default=ResultType.PAPER
    )
    result_name = models.CharField(_("kết quả"), max_length=500, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["national_code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(legal_processing_time__gte=0), name="procedure_time_positive"),
            models.CheckConstraint(
                condition=models.Q(committed_processing_time__isnull=True)
                | models.Q(committed_processing_time__lte=models.F("legal_processing_time")),
                name="procedure_committed_not_longer_than_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.national_code} {self.name}"

    @property
    def processing_time(self) -> Decimal:
        """The time appointments use: the province's shortened time when it has one."""
        if self.committed_processing_time is None:
            return self.legal_processing_time
        return self.committed_processing_time

    @property
    def legal_working_hours(self) -> Decimal | None:
        """The legal time in working hours, where the unit allows a comparison."""
        if self.time_unit == TimeUnit.WORKING_HOURS:
            return self.legal_processing_time
        if self.time_unit == TimeUnit.WORKING_DAYS:
            return self.legal_processing_time * HOURS_PER_WORKING_DAY
        return None

    def step_budget_excess(self) -> Decimal | None:
        """How many hours the routing steps exceed the legal time by, if they do."""
        legal = self.legal_working_hours
        total = sum((s.budget_hours for s in self.steps.all()), Decimal(0))
        if legal is None or total <= legal:
            return None
        return total - legal


BLANK_FORM_EXTENSIONS = ["pdf", "doc", "docx", "odt"]


class RequiredDocument(models.Model):
    """Thành phần hồ sơ."""

    class CopyKind(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        CERTIFIED = "certified", _("Bản sao chứng thực")
        COPY = "copy", _("Bản photo")

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="documents"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    copy_kind = models.CharField(_("loại bản"), max_length=16, choices=CopyKind.choices, default=CopyKind.ORIGINAL)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    is_mandatory = models.BooleanField(_("bắt buộc"), default=True)
    blank_form = models.FileField(
        _("mẫu đơn, tờ khai để tải về"),
        upload_to="mau-don/%Y/",
        blank=True,
        validators=[FileExtensionValidator(BLANK_FORM_EXTENSIONS)],
        help_text=_("Tệp PDF, Word hoặc OpenDocument người dân tải về để điền trước khi nộp."),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "position"]
        constraints = [models.UniqueConstraint(fields=["procedure", "position"], name="document_position_unique")]

    def __str__(self) -> str:
        return self.name


class RoutingStep(models.Model):
    """One step of a procedure's routing template, with its time budget."""

    class Role(models.TextChoices):
        COUNTER_CLERK = "counter_clerk", _("Cán bộ một cửa")
        SPECIALIST = "specialist", _("Chuyên viên")
        UNIT_LEADER = "unit_leader", _("Lãnh đạo đơn vị")

    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=200)
    unit = models.ForeignKey(
        "dossiers.Unit",
        verbose_name=_("đơn vị thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Để trống: cơ quan chủ trì (hoặc bộ phận một cửa với bước tiếp nhận, trả kết quả)."),
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    budget_hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình xử lý")
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "position"], name="step_position_unique"),
            models.CheckConstraint(condition=models.Q(budget_hours__gt=0), name="step_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"
