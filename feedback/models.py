"""Citizen feedback: satisfaction ratings of finished dossiers and petitions (PAKN).

shared/docs/domain.md, "Citizen feedback". Ratings and petitions refer to dossiers,
units and procedures; the dossiers app never refers back.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.textsearch import Folded, fold

COMMENT_MAX = 1000
SUBJECT_MAX = 200
CONTENT_MAX = 5000
ANSWER_MAX = 5000
SCORES = [(n, str(n)) for n in range(1, 6)]


class RatingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ratings of the dossiers the user sees (dossiers/access.py)."""
        from dossiers.models import Dossier

        if user.is_superuser:
            return self
        return self.filter(dossier__in=Dossier.objects.visible_to(user).values("pk"))

    def not_satisfied(self):
        return self.filter(satisfied=False)

    def for_units(self, units):
        return self.filter(unit__in=units)


class Rating(models.Model):
    """Đánh giá mức độ hài lòng: one per finished dossier.

    The optional criteria are scores from 1 (very poor) to 5 (very good); the overall
    answer, satisfied or not, is what the satisfaction KPI counts (Decision 766 group 5).
    """

    class Source(models.TextChoices):
        QR = "qr", _("Mã QR trên giấy hẹn")
        LOOKUP = "lookup", _("Trang tra cứu hồ sơ")
        KIOSK = "kiosk", _("Máy đánh giá tại quầy")
        API = "api", _("Ứng dụng, tích hợp (API)")

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="ratings"
    )
    # The lead unit when rated, so that KPIs per unit need no join through the dossier.
    unit = models.ForeignKey("dossiers.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    satisfied = models.BooleanField(_("hài lòng"))
    attitude = models.PositiveSmallIntegerField(_("thái độ phục vụ"), choices=SCORES, null=True, blank=True)
    timeliness = models.PositiveSmallIntegerField(_("thời gian giải quyết"), choices=SCORES, null=True, blank=True)
    guidance = models.PositiveSmallIntegerField(_("hướng dẫn, giải thích"), choices=SCORES, null=True, blank=True)
    comment = models.CharField(_("góp ý"), max_length=COMMENT_MAX, blank=True)
    source = models.CharField(_("nguồn"), max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(_("đánh giá lúc"), default=timezone.now)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], name="rating_one_per_dossier"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{c}__isnull": True}) | models.Q(**{f"{c}__gte": 1, f"{c}__lte": 5}),
                    name=f"rating_{c}_1_to_5",
                )
                for c in ("attitude", "timeliness", "guidance")
            ),
        ]
        indexes = [models.Index(fields=["unit", "created_at"], name="rating_unit_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'+' if self.satisfied else '-'}"


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    REJECTED = "rejected", _("Từ chối xử lý")
    INFO_REQUESTED = "info_requested", _("Đề nghị bổ sung thông tin")
    ANSWERED = "answered", _("Đã trả lời")
    PUBLISHED = "published", _("Đã công khai trả lời")


# Waiting for the unit's answer.
PETITION_OPEN = (PetitionStatus.RECEIVED, PetitionStatus.INFO_REQUESTED)
# The petition is with the unit, its answer clock running (while the citizen is asked for more
# information the clock waits and the petition cannot be overdue: docs/rules-766.md).
PETITION_CLOCK_RUNNING = (PetitionStatus.RECEIVED,)


class PetitionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=PETITION_OPEN)

    def overdue(self, *, at=None):
        """Past the deadline of the stage it is in: the answer, then (if it is to be published) publishing."""
        at = at or timezone.now()
        return self.filter(
            models.Q(status__in=PETITION_CLOCK_RUNNING, answer_by__lt=at)
            | models.Q(status=PetitionStatus.ANSWERED, is_public=True, publish_by__lt=at)
        )

    def published(self):
        return self.filter(status=PetitionStatus.PUBLISHED)

    def visible_to(self, user):
        """Petitions routed to a unit where the user handles them (supervisors: their subtree)."""
        from dossiers.access import visible_petitions

        return visible_petitions(self, user)

    def search(self, q: str):
        q = (q or "").strip()[:100]
        if not q:
            return self
        folded = fold(q)  # accents and case ignored, as in the dossiers' search
        return self.alias(_subject=Folded("subject"), _content=Folded("content")).filter(
            models.Q(code__iexact=q) | models.Q(_subject__contains=folded) | models.Q(_content__contains=folded)
        )

    def for_list(self):
        return self.select_related("unit")


class Petition(models.Model):
    """Phản ánh, kiến nghị: about a procedure, a unit, an officer or a dossier, with its own clock."""

    Status = PetitionStatus

    class About(models.TextChoices):
        PROCEDURE = "procedure", _("Quy định, thủ tục hành chính")
        UNIT = "unit", _("Cơ quan, đơn vị")
        OFFICER = "officer", _("Cán bộ, công chức")
        DOSSIER = "dossier", _("Hồ sơ đã nộp")

    code = models.CharField(_("mã phản ánh"), max_length=24, unique=True)
    key = models.CharField(_("mã theo dõi"), max_length=16)
    subject = models.CharField(_("tiêu đề"), max_length=SUBJECT_MAX)
    content = models.TextField(_("nội dung"), max_length=CONTENT_MAX)
    about = models.CharField(_("phản ánh về"), max_length=16, choices=About.choices)
    procedure = models.ForeignKey(
        "dossiers.Procedure", verbose_name=_("thủ tục"), null=True, blank=True, on_delete=models.PROTECT
    )
    officer_name = models.CharField(_("cán bộ được phản ánh"), max_length=200, blank=True)
    # What the citizen typed; `dossier` is set when that code exists (never told back to the citizen).
    dossier_ref = models.CharField(_("mã hồ sơ liên quan"), max_length=48, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    unit = models.ForeignKey(
        "dossiers.Unit", verbose_name=_("đơn vị xử lý"), on_delete=models.PROTECT, related_name="petitions"
    )
    # The citizen (private: staff only, never published).
    name = models.CharField(_("họ tên"), max_length=200)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"), default=timezone.now)
    # Deadlines in working days of the unit's calendar (stored when the clock starts).
    reject_by = models.DateTimeField(_("hạn từ chối"))
    info_by = models.DateTimeField(_("hạn đề nghị bổ sung"))
    answer_by = models.DateTimeField(_("hạn trả lời"))
    publish_by = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), max_length=ANSWER_MAX, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    is_public = models.BooleanField(_("công khai trả lời"), default=False)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("cảnh báo quá hạn lúc"), null=True, blank=True)
    # The answer's 15 working days run from here: reception, the latest transfer to another
    # unit, or the latest information supplied by the citizen.
    clock_from = models.DateTimeField(_("thời hạn trả lời tính từ"), null=True, blank=True)
    # The petitioner's opinion of the answer (766 §5.3), from the follow-up page; None: not given.
    citizen_satisfied = models.BooleanField(_("người gửi hài lòng với trả lời"), null=True, blank=True)
    citizen_rated_at = models.DateTimeField(_("người gửi đánh giá lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "answer_by"], name="petition_queue_idx"),
            models.Index(fields=["-published_at"], name="petition_published_idx", condition=models.Q(is_public=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in PetitionStatus]), name="petition_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["answered", "published"]) | models.Q(answered_at__isnull=False),
                name="petition_answered_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False, is_public=True),
                name="petition_published_is_public",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in PETITION_OPEN

    @property
    def is_with_citizen(self) -> bool:
        return self.status == PetitionStatus.INFO_REQUESTED

    @property
    def is_rateable(self) -> bool:
        """Answered, and the petitioner has not yet said whether the answer satisfies them."""
        answered = self.status in (PetitionStatus.ANSWERED, PetitionStatus.PUBLISHED)
        return answered and self.citizen_satisfied is None

    @property
    def due_at(self):
        """The deadline of the stage it is in (None once nothing more is due, or while the
        citizen holds it: the answer clock waits for the information asked for)."""
        if self.is_with_citizen:
            return None
        if self.is_open:
            return self.answer_by
        if self.status == PetitionStatus.ANSWERED and self.is_public:
            return self.publish_by
        return None

    def is_overdue(self, at=None) -> bool:
        due = self.due_at
        return due is not None and due < (at or timezone.now())


class PetitionSequence(models.Model):
    """The last petition number issued on a day (codes PAKN-YYMMDD-NNNN are gapless)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class PetitionEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("petition events are append-only")

    def delete(self):
        raise TypeError("petition events are append-only")

    def public(self):
        return self.filter(is_public=True)


class PetitionEvent(models.Model):
    """The append-only history of a petition: who did what, when, and what was said."""

    petition = models.ForeignKey(Petition, verbose_name=_("phản ánh"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("thao tác"), max_length=32)
    from_status = models.CharField(_("từ trạng thái"), max_length=16, choices=PetitionStatus.choices, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=16, choices=PetitionStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)
    text = models.TextField(_("nội dung"), blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    # Shown to the citizen on the follow-up page (internal flags are not).
    is_public = models.BooleanField(_("công khai"), default=True)

    objects = PetitionEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("lịch sử phản ánh")
        verbose_name_plural = _("lịch sử phản ánh")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action} {self.at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("petition events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("petition events are append-only")
