import re
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.IntegerChoices):
    """The national sync codes (shared/docs/domain.md)."""

    SUBMITTED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT = 5, _("Yêu cầu bổ sung giấy tờ")
    PAYMENT = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    DONE = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


TERMINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# The clock is over once the result is ready or the dossier is closed.
FINISHED = TERMINAL | {Status.DONE}
OPEN = frozenset(Status) - FINISHED


class Channel(models.TextChoices):
    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")


class IdType(models.TextChoices):
    """The applicant's identity document: a Vietnamese citizen's CCCD, a passport (foreigners,
    Vietnamese abroad) or another one (e.g. a residence card). Rules: services.applicants."""

    CCCD = "cccd", _("Căn cước công dân (CCCD)")
    PASSPORT = "passport", _("Hộ chiếu")
    OTHER = "other", _("Giấy tờ khác")


ID_NUMBER_LABELS: dict[str, str | Promise] = {
    IdType.CCCD: _("Số định danh cá nhân"),
    IdType.PASSPORT: _("Số hộ chiếu"),
    IdType.OTHER: _("Số giấy tờ tùy thân"),
}


class ResultDelivery(models.TextChoices):
    """How the citizen chose, at intake, to receive the result (Mẫu 01, item 6)."""

    COUNTER = "counter", _("Tại Bộ phận Một cửa")
    POSTAL = "postal", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")


# The National Public Service Portal's channel codes (KenhThucHien): 1 counter, 2 online, 3 postal.
CHANNEL_CODES: dict[str, int] = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}


class ReturnMethod(models.TextChoices):
    """How the result was handed over (Mẫu 01, item 6: at the counter, by post, online)."""

    COUNTER = "counter", _("Tại Bộ phận Một cửa")
    POSTAL = "postal", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Trực tuyến (kết quả điện tử)")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class WatchLevel(models.IntegerChoices):
    NONE = 0, _("Trong hạn")
    DUE_SOON = 1, _("Sắp đến hạn")
    OVERDUE = 2, _("Quá hạn")
    OVERDUE_2X = 3, _("Quá hạn trên 2 lần thời hạn")
    OVERDUE_3X = 4, _("Quá hạn trên 3 lần thời hạn")


OPEN_CODES = [1, 2, 4, 5, 6]
# The same set as a range, for the watch indexes and statements only: the planner cannot prove
# `status IN (…)` from it, so no other open-dossier index (dossier_open_due_idx) competes with
# a watch level's own (services/watch.py).
OPEN_RANGE = models.Q(status__lte=6) & ~models.Q(status=3)
OPEN_RANGE_SQL = "{t}status <= 6 AND {t}status <> 3"


def apologies_of_state(status: str):
    """The dossier's apologies in that status, for a subquery (`OuterRef("pk")`)."""
    from .apology import Apology

    return Apology.objects.filter(dossier=models.OuterRef("pk"), status=status)


def timely_apology():
    """A signed apology issued before the first appointment (Decree 118/2025: before it passes)."""
    return apologies_of_state("signed").filter(issued_at__lte=models.OuterRef("due_at_original"))


def late_q(at) -> models.Q:
    """Open past the appointment, or finished late."""
    return models.Q(status__in=OPEN, due_at__lt=at) | models.Q(timeliness=Timeliness.LATE)


# Counts that would otherwise read a whole history (the API list, the "to return" tab) stop here:
# exact up to this many (`DossierQuerySet.count_capped`; issue 17).
COUNT_CAP = 10_000

# The staff search's exact lookups (`DossierQuerySet.search`): a whole code as `db.numbering` writes
# it (`<unit code>-YYMMDD-NNNN`), and a whole name folded (`textsearch.fold`), two words or more.
WHOLE_CODE = re.compile(r"[0-9A-Z.]+-[0-9]{6}-[0-9]{4,}")
WHOLE_NAME = re.compile(r"[a-z]+(?: [a-z]+)+")


class DossierQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN)

    def finished(self):
        return self.filter(status__in=FINISHED)

    def overdue(self, *, at=None):
        """Open and past the appointment, exactly at `at` (default: now)."""
        return self.open().filter(due_at__lt=at or timezone.now())

    def due_between(self, start, end):
        return self.open().filter(due_at__gte=start, due_at__lt=end)

    def due_within(self, *, working_days: int, at=None):
        """Open and due in the next `working_days` working days (not yet overdue)."""
        from ..calendar_store import calendar_for

        at = at or timezone.now()
        cal = calendar_for(None)
        return self.due_between(at, cal.instant(cal.position(at) + working_days * cal.day_seconds))

    def not_overdue(self, *, at=None):
        """Everything `overdue(at=at)` leaves out: finished, without an appointment, or not yet due."""
        return self.exclude(models.Q(status__in=OPEN, due_at__lt=at or timezone.now()))

    def due_before(self, at):
        return self.filter(due_at__lt=at)

    def at_unit(self, code: str):
        """Held by, or received at, the unit of that code (the API's `unit` filter)."""
        return self.filter(models.Q(current_unit__code=code) | models.Q(receiving_unit__code=code))

    def received_between(self, first=None, last=None):
        """Received on the local days `first` to `last` (both included; either may be None)."""
        from ..calendar import LOCAL_TZ

        def start(day):
            return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)

        received = self.filter(received_at__isnull=False)
        if first:
            received = received.filter(received_at__gte=start(first))
        if last:
            received = received.filter(received_at__lt=start(last + timedelta(days=1)))
        return received

    # -- supervision: the question each of its lists asks
    def late(self, *, at):
        """Open past the appointment at `at`, or finished late."""
        return self.filter(late_q(at))

    def late_without_timely_apology(self, *, at):
        """Late, and no signed apology came before the first appointment (Decree 118/2025)."""
        return self.late(at=at).exclude(models.Exists(timely_apology()))

    def apologised_after_due(self):
        """With a signed apology issued after the appointment had passed."""
        return self.filter(models.Exists(apologies_of_state("signed").filter(issued_after_due=True)))

    def at_risk(self, *, at, cal):
        """Open and overdue, or due within the due-soon window (`calendar_store.due_soon_bound`)."""
        from ..calendar_store import due_soon_bound

        return self.open().filter(due_at__lt=due_soon_bound(at, cal=cal))

    def overdue_by(self, *, days: int, at, cal):
        """Open, the appointment at least `days` working days past at `at`."""
        bound = cal.instant(max(cal.position(at) - days * cal.day_seconds, 1))
        return self.open().filter(due_at__lte=bound)

    def with_apology_state(self):
        """`has_signed_apology`, `has_draft_apology`: the supervision's apology column."""
        return self.annotate(
            has_signed_apology=models.Exists(apologies_of_state("signed")),
            has_draft_apology=models.Exists(apologies_of_state("draft")),
        )

    def in_apology_state(self, state: str | None):
        """`signed`, `draft` (waiting for the head's signature), `none`; needs `with_apology_state()`."""
        if state == "signed":
            return self.filter(has_signed_apology=True)
        if state == "draft":
            return self.filter(has_signed_apology=False, has_draft_apology=True)
        if state == "none":
            return self.filter(has_signed_apology=False, has_draft_apology=False)
        return self

    def counts_by_unit(self, *, at, soon) -> list[dict]:
        """Overdue, due soon (before `soon`) and late-without-apology per unit holding the dossiers: one query."""
        is_open = models.Q(status__in=OPEN)
        return list(
            self.values("current_unit", "current_unit__code", "current_unit__name")
            .annotate(
                overdue=models.Count("pk", filter=is_open & models.Q(due_at__lt=at)),
                due_soon=models.Count("pk", filter=is_open & models.Q(due_at__gte=at, due_at__lt=soon)),
                late_no_apology=models.Count("pk", filter=late_q(at) & ~models.Exists(timely_apology())),
            )
            .filter(models.Q(overdue__gt=0) | models.Q(due_soon__gt=0) | models.Q(late_no_apology__gt=0))
            .order_by("current_unit__code")
        )

    def assigned_to(self, user):
        return self.open().filter(assignee=user)

    def held_by(self, units):
        return self.open().filter(current_unit__in=units)

    def awaiting_reception(self, units):
        """Online submissions (status 1) waiting for a clerk of these centres."""
        return self.filter(status=Status.SUBMITTED, receiving_unit__in=units)

    def awaiting_return(self, units):
        """Result ready (9): no longer open, but the counter still has to hand it over."""
        return self.filter(status=Status.DONE, current_unit__in=units)

    def visible_to(self, user):
        """The dossiers the user may see: the one access rule (dossiers/access.py)."""
        from ..access import visible_dossiers

        return visible_dossiers(self, user)

    def of_applicant(self, id_number: str):
        """A logged-in citizen's own dossiers, by their verified ID number (dossiers/access.py)."""
        from ..access import applicant_dossiers

        return applicant_dossiers(self, id_number)

    def at_counter_of(self, user):
        """Received at a counter where the user is a clerk (the rating kiosk)."""
        from ..access import at_counter_of

        return at_counter_of(self, user)

    def search(self, q: str):
        """The staff search box: a code, a name (accents and case ignored), an ID number or a phone.

        A whole dossier code, or a whole name of two words or more that someone has (folded: "tran
        thi my linh"), finds exactly those dossiers, newest first, through a B-tree (the code's
        unique index, `dossier_name_fold_idx`): what the page then reads does not grow with the
        history (bench/bench_search.py at 1M and 10M). Otherwise — a part of a name or a code, a
        number — one filter whose branches each have their index on PostgreSQL (trigram GIN on
        upper(code) and motcua_fold(applicant_name), B-tree on the ID number, trigram on the phone).
        Two statements at most: whether the exact match exists (cheap), then the rows."""
        from ..textsearch import Folded, fold

        q = (q or "").strip()[:100]
        if not q:
            return self
        folded = fold(q)
        named = self.alias(_folded_name=Folded("applicant_name"))
        # Whether a whole code exists is asked of every dossier, not only the visible ones: one probe of
        # the unique index either way, and it answers nothing but the (empty) visible result. Asked of
        # the visible ones, a code at another unit fell through to the trigram search: 310 ms at 10M.
        if WHOLE_CODE.fullmatch(q.upper()) and Dossier.objects.filter(code=q.upper()).exists():
            return self.filter(code=q.upper())
        if WHOLE_NAME.fullmatch(folded) and named.filter(_folded_name=folded).exists():
            return named.filter(_folded_name=folded)
        digits = "".join(ch for ch in q if ch in "0123456789")
        match = models.Q(code__icontains=q)
        if folded:
            match |= models.Q(_folded_name__contains=folded)
        if len(digits) >= 6:
            match |= models.Q(applicant_id_number=digits) | models.Q(applicant_phone__endswith=digits[-9:])
        if re.fullmatch(r"[0-9A-Za-z ./-]{4,24}", q):  # a CCCD, a passport or another document's number
            match |= models.Q(applicant_id_number="".join(q.split()).upper())
        return named.filter(match)

    def count_capped(self) -> tuple[int, bool]:
        """(count, exact): exact up to COUNT_CAP, reading at most COUNT_CAP + 1 rows; past it
        (COUNT_CAP, False). An exact COUNT of a busy centre's dossiers read 3.3M rows at 10M (4 s)."""
        counted = self.order_by()[: COUNT_CAP + 1].count()
        return min(counted, COUNT_CAP), counted <= COUNT_CAP

    def for_list(self):
        return self.select_related("procedure", "current_unit", "receiving_unit", "assignee").with_current_step()

    def with_current_step(self):
        """`current_step_name`: the step being worked on (Mẫu 06's open row), for the queues."""
        current = DossierStep.objects.filter(dossier=models.OuterRef("pk")).in_progress().order_by("-position")
        return self.annotate(current_step_name=models.Subquery(current.values("name")[:1]))

    def for_page(self):
        """What the dossier page shows: the dossier, its steps, trail, documents, files, apologies."""
        return self.select_related(
            "procedure", "receiving_unit", "lead_unit", "current_unit", "assignee"
        ).prefetch_related(
            "steps__unit",
            "steps__giver",
            "steps__receiver",
            "events__actor",
            "events__unit",
            "documents",
            "attachments",
            "apologies__unit",
        )


class Dossier(models.Model):
    """Hồ sơ TTHC: one application, from submission to the returned result."""

    code = models.CharField(_("mã hồ sơ"), max_length=48, unique=True)
    lookup_key = models.CharField(_("mã tra cứu"), max_length=16)
    procedure = models.ForeignKey(
        "dossiers.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers"
    )
    receiving_unit = models.ForeignKey(
        "dossiers.Unit", verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="received_dossiers"
    )
    lead_unit = models.ForeignKey(
        "dossiers.Unit", verbose_name=_("cơ quan chủ trì"), on_delete=models.PROTECT, related_name="led_dossiers"
    )
    current_unit = models.ForeignKey(
        "dossiers.Unit", verbose_name=_("đơn vị đang giữ"), on_delete=models.PROTECT, related_name="held_dossiers"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    channel = models.CharField(_("kênh nộp"), max_length=8, choices=Channel.choices, default=Channel.COUNTER)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, default=Status.SUBMITTED)
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=200)
    # A database default too: rows written by SQL (imports, benches) are CCCD unless they say otherwise.
    applicant_id_type = models.CharField(
        _("loại giấy tờ"), max_length=8, choices=IdType.choices, default=IdType.CCCD, db_default=IdType.CCCD
    )
    applicant_id_number = models.CharField(_("số giấy tờ tùy thân"), max_length=20)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    set_count = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)
    result_delivery = models.CharField(
        _("nhận kết quả"),
        max_length=8,
        choices=ResultDelivery.choices,
        default=ResultDelivery.COUNTER,
        db_default=ResultDelivery.COUNTER,
    )
    form_version = models.CharField(_("mẫu biểu áp dụng"), max_length=32, default="TT03/2025/TT-VPCP")
    register_line = models.PositiveIntegerField(_("số thứ tự trong sổ"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), default=timezone.now)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    due_at_original = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("chuyển cơ quan giải quyết lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    waiting_seconds = models.PositiveIntegerField(_("thời gian chờ công dân (giây làm việc)"), default=0)
    # Decision 766 §2.1 subtracts the *clock* time spent waiting for the citizen, not the working
    # time: the closed waits, in seconds (dossiers.kpi.timeliness; docs/rules-766.md).
    waiting_clock_seconds = models.PositiveIntegerField(
        _("thời gian chờ công dân (giây đồng hồ)"), default=0, db_default=0
    )
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("số lần hẹn lại"), default=0)
    timeliness = models.CharField(_("tiến độ"), max_length=8, choices=Timeliness.choices, blank=True)
    # The same finish judged as the national portal does (Decision 766 §2.1), set when the clock stops.
    timeliness_766 = models.CharField(
        _("tiến độ theo Quyết định 766"),
        max_length=8,
        choices=Timeliness.choices,
        blank=True,
        default="",
        db_default="",
    )
    # The fee due for this dossier, set at reception from the procedure's list price less any
    # exemption or reduction (766 group 4 counts the dossiers with a fee > 0).
    fee = models.DecimalField(
        _("phí, lệ phí phải nộp (đồng)"), max_digits=12, decimal_places=0, default=Decimal(0), db_default=Decimal(0)
    )
    fee_exempt_reason = models.CharField(
        _("lý do miễn, giảm phí"), max_length=300, blank=True, default="", db_default=""
    )
    # Watch thresholds, derived from the clock; the watch job raises `watch_level` as they pass.
    soon_at = models.DateTimeField(_("sắp đến hạn từ"), null=True, blank=True)
    late2_at = models.DateTimeField(_("quá 2 lần thời hạn luật định từ"), null=True, blank=True)
    late3_at = models.DateTimeField(_("quá 3 lần thời hạn luật định từ"), null=True, blank=True)
    watch_level = models.PositiveSmallIntegerField(
        _("mức cảnh báo"), choices=WatchLevel.choices, default=WatchLevel.NONE
    )
    late_unit = models.ForeignKey(
        "dossiers.Unit",
        verbose_name=_("đơn vị làm trễ hạn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="late_dossiers",
    )
    late_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ làm trễ hạn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="late_dossiers",
    )
    result_approved = models.BooleanField(_("kết quả chấp thuận"), null=True, blank=True)
    # The hand-over of the result (return_result): how, to whom (the applicant or a proxy, with ID), and the
    # postal tracking number or the electronic result's link.
    return_method = models.CharField(_("hình thức trả kết quả"), max_length=8, choices=ReturnMethod.choices, blank=True)
    return_recipient_name = models.CharField(_("người nhận kết quả"), max_length=200, blank=True)
    return_recipient_id_number = models.CharField(_("số giấy tờ tùy thân người nhận"), max_length=20, blank=True)
    return_by_proxy = models.BooleanField(_("nhận thay (ủy quyền)"), default=False)
    return_tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=64, blank=True)
    return_result_url = models.URLField(_("đường dẫn kết quả điện tử"), max_length=500, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # `id` last: a queue page (unit, status, ORDER BY due_at, id) is read off the index in order.
            models.Index(fields=["current_unit", "status", "due_at", "id"], name="dossier_queue_idx"),
            # On PostgreSQL the staff search also has pg_trgm GIN indexes on upper(code), upper(applicant_name)
            # and applicant_phone (migration 0009: not expressible here for SQLite).
            models.Index(fields=["receiving_unit", "-submitted_at"], name="dossier_received_idx"),
            models.Index(
                fields=["due_at"], name="dossier_open_due_idx", condition=models.Q(status__in=[1, 2, 4, 5, 6])
            ),
            # The "Đơn vị tôi" tab (queues.QUEUES): a unit's open dossiers by appointment, read in order.
            # dossier_queue_idx has the status between unit and date (five ranges to sort together), and
            # the planner preferred dossier_open_due_idx, filtering 15k rows of other units for a page at
            # 10M (13 ms against 0.7 ms). The tab and this predicate say "open" as OPEN_RANGE, which the
            # planner cannot turn into that index's `status IN (…)` (issue 17).
            models.Index(
                fields=["current_unit", "due_at", "id"], name="dossier_unit_open_due_idx", condition=OPEN_RANGE
            ),
            # One per watch level: the open dossiers not yet flagged at that level, so a watch run
            # with nothing new reads next to nothing however many dossiers are open (services/watch.py).
            *(
                models.Index(
                    fields=[column],
                    name=f"dossier_watch{level}_idx",
                    # `column IS NOT NULL` is implied only by this level's statement (`column < now`),
                    # so the planner cannot take another level's smaller index and filter it whole.
                    condition=OPEN_RANGE & models.Q(watch_level__lt=level, **{f"{column}__isnull": False}, **floor),
                )
                for level, column, floor in (
                    (1, "soon_at", {}),
                    (2, "due_at", {}),
                    # 2×/3× overdue: among those already flagged overdue
                    (3, "late2_at", {"watch_level__gte": 2}),
                    (4, "late3_at", {"watch_level__gte": 2}),
                )
            ),
            models.Index(fields=["applicant_id_number"], name="dossier_id_number_idx"),
            models.Index(fields=["received_at", "id"], name="dossier_register_idx"),
            # A centre's register (printing.register_queryset) in its order, a keyset page at a time.
            models.Index(
                fields=["receiving_unit", "received_at", "id"],
                name="dossier_register_unit_idx",
                condition=models.Q(received_at__isnull=False),
            ),
            models.Index(fields=["-submitted_at", "-id"], name="dossier_newest_idx"),
            # "Chờ trả kết quả": results waiting at a counter pile up with the history (results never
            # collected). Its count and its first page in order, with the access rule's other columns
            # included, off this index alone (queues.queue_counts; issue 17).
            models.Index(
                fields=["current_unit", "finished_at", "id"],
                include=["receiving_unit", "lead_unit"],
                name="dossier_done_queue_idx",
                condition=models.Q(status=9),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__gte=1, status__lte=10), name="dossier_status_code"),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="dossier_fee_not_negative"),
            models.CheckConstraint(
                # Submitted, refused at the counter or withdrawn before reception: never received.
                condition=models.Q(status__in=[1, 3, 7]) | models.Q(received_at__isnull=False),
                name="dossier_received_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def is_overdue(self, at=None) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < (at or timezone.now())

    @property
    def status_label(self) -> str:
        """The status in words, in the active language (a plain str, as the API's schemas read it)."""
        return str(Status(self.status).label)

    @property
    def applicant_id_label(self) -> str | Promise:
        """What the applicant's number is called on forms: "Số định danh cá nhân", "Số hộ chiếu"…"""
        return ID_NUMBER_LABELS.get(self.applicant_id_type, ID_NUMBER_LABELS[IdType.OTHER])

    @property
    def channel_code(self) -> int:
        """KenhThucHien of the National Public Service Portal."""
        return CHANNEL_CODES[self.channel]

    @property
    def supplements_make_late(self) -> bool:
        """Decision 766 counts a dossier with more than one supplement request as late, whatever
        its legal timeliness (the KPI's full classification lives in dossiers.kpi)."""
        return self.supplement_count > 1

    def public_url(self) -> str:
        """The citizen's lookup link, printed on the receipt and in its QR code."""
        return f"{settings.PORTAL_PUBLIC_BASE_URL}/tra-cuu/{self.code}/?key={self.lookup_key}"


class DossierDocument(models.Model):
    """A document handed in with the dossier (the receipt's checklist)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey("dossiers.RequiredDocument", null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    copy_kind = models.CharField(_("loại bản"), max_length=16)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)

    class Meta:
        verbose_name = _("giấy tờ đã nộp")
        verbose_name_plural = _("giấy tờ đã nộp")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Attachment(models.Model):
    """A digitised document: a scan of what was handed in, or the electronic result."""

    class Kind(models.TextChoices):
        SCAN = "scan", _("Bản số hóa giấy tờ")
        RESULT = "result", _("Kết quả điện tử")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class StepQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(started_at__isnull=False, finished_at=None)


def at_step_q(units, role: str) -> models.Q:
    """Open dossiers whose step in progress is at one of `units` for `role` (queues' "my step")."""
    steps = DossierStep.objects.in_progress().filter(dossier=models.OuterRef("pk"), unit__in=units, role=role)
    return models.Q(status__in=OPEN_CODES) & models.Q(models.Exists(steps))


class DossierStep(models.Model):
    """One hand-over in the routing of a dossier: a row of the control slip (Mẫu 06)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("bước"), max_length=200)
    unit = models.ForeignKey("dossiers.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT)
    role = models.CharField(_("vai trò"), max_length=16)
    budget_hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=6, decimal_places=1)
    is_adhoc = models.BooleanField(_("chuyển ngoài quy trình"), default=False)
    started_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn bước"), null=True, blank=True)
    finished_at = models.DateTimeField(_("giao lúc"), null=True, blank=True)
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người nhận"),
    )
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người giao"),
    )
    timeliness = models.CharField(_("kết quả"), max_length=8, choices=Timeliness.choices, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    flagged_late_at = models.DateTimeField(_("cảnh báo trễ bước lúc"), null=True, blank=True)

    objects = StepQuerySet.as_manager()

    class Meta:
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("phiếu kiểm soát")
        ordering = ["dossier", "position"]
        constraints = [models.UniqueConstraint(fields=["dossier", "position"], name="dossierstep_position_unique")]
        indexes = [
            # The access rule's "handled a step of" (dossiers/access.py): a unit's dossiers by its steps.
            models.Index(
                fields=["unit", "dossier"], name="step_unit_idx", condition=models.Q(started_at__isnull=False)
            ),
            models.Index(
                fields=["due_at"],
                name="step_watch_idx",
                condition=models.Q(finished_at=None, started_at__isnull=False, flagged_late_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.position} {self.name}"


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("dossier events are append-only")

    def delete(self):
        raise TypeError("dossier events are append-only")


class DossierEvent(models.Model):
    """The append-only audit trail: who did what, when, and why."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("thao tác"), max_length=32)
    from_status = models.PositiveSmallIntegerField(_("từ trạng thái"), null=True, blank=True, choices=Status.choices)
    to_status = models.PositiveSmallIntegerField(_("sang trạng thái"), null=True, blank=True, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("người thực hiện")
    )
    unit = models.ForeignKey("dossiers.Unit", verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.PROTECT)
    effective_at = models.DateTimeField(_("thời điểm"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)
    reason = models.TextField(_("lý do"), blank=True)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)
    is_public = models.BooleanField(_("công khai"), default=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        ordering = ["effective_at", "id"]
        indexes = [models.Index(fields=["dossier", "effective_at"], name="event_dossier_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.effective_at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("dossier events are append-only")


class ClockEntry(models.Model):
    """The dossier's clock as a ledger; `due_at` is recomputed from it."""

    class Kind(models.TextChoices):
        START = "start", _("Bắt đầu tính thời hạn")
        PAUSE = "pause", _("Tạm dừng")
        RESUME = "resume", _("Tiếp tục")
        EXTEND = "extend", _("Gia hạn (hẹn lại)")
        RESET = "reset", _("Tính lại từ đầu")
        STOP = "stop", _("Kết thúc")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="clock")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("mốc thời hạn")
        verbose_name_plural = _("sổ thời hạn")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%d/%m/%Y %H:%M}"


class DailySequence(models.Model):
    """The last dossier number issued by a unit on a day (codes are gapless)."""

    unit = models.ForeignKey("dossiers.Unit", on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="dailysequence_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, replayed for repeats."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return self.key


class OutboxMessage(models.Model):
    """A notification written with the change that causes it, delivered by Celery."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Tin nhắn SMS")

    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    dedup_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("hộp thư đi")
        indexes = [models.Index(fields=["created_at"], name="outbox_unsent_idx", condition=models.Q(sent_at=None))]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.subject}"
