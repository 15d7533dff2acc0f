"""Pre-aggregated KPI facts (Decision 766/QĐ-TTg), maintained by `dossiers.kpi.facts`.

Never written by a domain action: the facts are derived from the dossiers and can be
rebuilt from them at any time (docs/adr/0002-kpi-facts.md).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KpiFigures(models.Model):
    """The summed figures shared by the facts and their roll-ups (`dossiers.kpi.sql.COLUMNS`)."""

    received_counter = models.IntegerField(default=0)
    received_online = models.IntegerField(default=0)
    received_postal = models.IntegerField(default=0)
    received_with_fee = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    # 766 §3.2 / §3.3: dossiers of full-process (toàn trình) and partial (một phần) online
    # procedures, and how many of them came online.
    received_full = models.IntegerField(default=0)
    received_full_online = models.IntegerField(default=0)
    received_partial = models.IntegerField(default=0)
    received_partial_online = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    finished_early = models.IntegerField(default=0)
    finished_on_time = models.IntegerField(default=0)
    finished_late = models.IntegerField(default=0)
    processing_seconds = models.BigIntegerField(default=0)
    saved_seconds = models.BigIntegerField(default=0)
    electronic_results = models.IntegerField(default=0)
    # 766 §6.1: finished dossiers of procedures with a paper result, and those given an electronic
    # result too; §6.2: finished dossiers with both a scan of what was handed in and an e-result.
    finished_paper = models.IntegerField(default=0)
    finished_paper_eresult = models.IntegerField(default=0)
    finished_digitised = models.IntegerField(default=0)
    apologies = models.IntegerField(default=0)
    late_without_apology = models.IntegerField(default=0)

    class Meta:
        abstract = True


class KpiFact(KpiFigures):
    """The figures of one lead unit × procedure × local day.

    Received-day columns: `received_*`, `digitised`. Finished-day columns (finished = the
    first of result ready, returned, stopped, refused, withdrawn): `finished*`,
    `processing_seconds`, `saved_seconds`, `electronic_results`, `late_without_apology`.
    Issued-day column: `apologies`.
    """

    # No index of their own: `kpifact_key` leads with the unit, and nothing reads by procedure
    # alone; every index is one more B-tree to fill on a full rebuild.
    unit = models.ForeignKey(
        "dossiers.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    procedure = models.ForeignKey(
        "dossiers.Procedure", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    day = models.DateField()

    class Meta:
        verbose_name = _("số liệu chỉ số theo ngày")
        verbose_name_plural = _("số liệu chỉ số theo ngày")
        constraints = [models.UniqueConstraint(fields=["unit", "procedure", "day"], name="kpifact_key")]
        indexes = [models.Index(fields=["day", "unit"], name="kpifact_day_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.procedure_id} {self.day:%d/%m/%Y}"


class KpiRollup(KpiFigures):
    """The facts of one lead unit summed over its procedures, per local day, ISO week (from
    Monday) or calendar month: what the dashboard reads, so a page over 700 units and a year
    sums thousands of rows, not millions. Maintained with the facts (`dossiers.kpi.rollup`)."""

    class Grain(models.TextChoices):
        DAY = "d", _("ngày")
        WEEK = "w", _("tuần")
        MONTH = "m", _("tháng")

    grain = models.CharField(max_length=1, choices=Grain.choices)
    unit = models.ForeignKey(
        "dossiers.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    start = models.DateField()

    class Meta:
        verbose_name = _("số liệu chỉ số theo đơn vị")
        verbose_name_plural = _("số liệu chỉ số theo đơn vị")
        constraints = [models.UniqueConstraint(fields=["grain", "unit", "start"], name="kpirollup_key")]
        # (grain, start) for the dashboard's periods; covering the trend's columns
        # (`dossiers.kpi.rollup.TREND_COLUMNS`) so its 12 weeks and 12 months read the index alone.
        indexes = [
            models.Index(
                fields=["grain", "start"],
                include=[
                    "unit",
                    "received_counter",
                    "received_online",
                    "received_postal",
                    "finished",
                    "finished_early",
                    "finished_on_time",
                    "finished_late",
                    "apologies",
                ],
                name="kpirollup_trend_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.grain} {self.start:%d/%m/%Y}"


class KpiDay(models.Model):
    """The province calendar as positions: working seconds before each local day starts,
    so SQL can measure working time between two instants (see `WorkCalendar.position`)."""

    day = models.DateField(primary_key=True)
    position = models.BigIntegerField()
    is_working = models.BooleanField()

    class Meta:
        verbose_name = _("ngày làm việc (chỉ số)")
        verbose_name_plural = _("ngày làm việc (chỉ số)")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.position}"


class KpiWatermark(models.Model):
    """Where the incremental refresh stopped, and the calendar its facts were built with."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.DateTimeField(null=True, blank=True)
    calendar_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("mốc cập nhật chỉ số")
        verbose_name_plural = _("mốc cập nhật chỉ số")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class KpiOpenSnapshot(models.Model):
    """The open dossiers' figures at one moment (`dossiers.kpi.snapshots.open_dossiers` for every
    unit), taken every minute by Celery beat: the current period's dashboard reads the latest
    instead of reading tens of thousands of open dossiers per view. Derived, replaced in place,
    rebuilt by the next run; a snapshot older than `PORTAL_KPI_OPEN_SNAPSHOT_MAX_AGE` is ignored."""

    name = models.CharField(max_length=32, primary_key=True)
    taken_at = models.DateTimeField()
    # [[lead unit, responsible unit, open, open and late, waiting, count per age bucket…], …]
    rows = models.JSONField(default=list)

    class Meta:
        verbose_name = _("ảnh chụp hồ sơ đang mở (chỉ số)")
        verbose_name_plural = _("ảnh chụp hồ sơ đang mở (chỉ số)")

    def __str__(self) -> str:
        return f"{self.name}: {self.taken_at}"
