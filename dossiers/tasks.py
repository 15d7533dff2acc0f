"""Celery tasks of the dossiers app: thin wrappers around services (ids in), one module.

Every task has a soft time limit (SoftTimeLimitExceeded raised inside the run, so it can stop
cleanly; acks_late redelivers it) and a hard one (the worker process is killed) a minute
later: a stuck SMTP server or a runaway query cannot hold a worker forever. Each limit is
well above what the run takes at 10M dossiers (docs/scaling.md) and below its beat period
where a second run would pile onto the first.
"""

from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError

from .kpi.facts import kpi_facts_rebuild, kpi_facts_refresh, kpi_tables_vacuum
from .kpi.snapshots import open_snapshot_take
from .services.digest import digest_send
from .services.notify import outbox_send_waiting
from .services.recompute import calendar_recompute_pending
from .services.watch import watch_flag

# Soft and hard limits in seconds: a batch of sends or flags, a calendar change re-dating open
# dossiers, every KPI fact rebuilt from the dossiers.
SHORT_SOFT, SHORT = 240, 300
LONG_SOFT, LONG = 1740, 1800
REBUILD_SOFT, REBUILD = 3540, 3600


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
    soft_time_limit=SHORT_SOFT,
    time_limit=SHORT,
)
def outbox_send_task() -> int:
    """Kicked after commits that wrote messages (`outbox_kick`): send every message waiting.
    A failed send stays on its row for the flush; the database out of reach retries the run."""
    return outbox_send_waiting(kicked=True)


@shared_task(acks_late=True, soft_time_limit=SHORT_SOFT, time_limit=SHORT)
def outbox_flush_task() -> int:
    """Every minute: send what no kick sent (broker or cache down, worker lost) and try failed
    messages again."""
    return outbox_send_waiting(older_than=timedelta(seconds=30))


@shared_task(acks_late=True, soft_time_limit=SHORT_SOFT, time_limit=SHORT)
def watch_flag_task() -> dict[str, int]:
    return watch_flag()


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=10,
    max_retries=5,
    soft_time_limit=LONG_SOFT,
    time_limit=LONG,
)
def calendar_recompute_task(change_id: int) -> int:
    """Enqueued after a calendar change commits; handles every pending change."""
    return calendar_recompute_pending()


@shared_task(acks_late=True, soft_time_limit=LONG_SOFT, time_limit=LONG)
def calendar_recompute_pending_task() -> int:
    """Catch up calendar changes whose recompute was never enqueued (broker down)."""
    return calendar_recompute_pending()


@shared_task(acks_late=True, soft_time_limit=SHORT_SOFT, time_limit=SHORT)
def digest_send_task() -> int:
    """The morning digest (beat: daily 07:00 Asia/Ho_Chi_Minh); safe to run twice a day."""
    return digest_send()


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=SHORT_SOFT,
    time_limit=SHORT,
)
def kpi_facts_refresh_task() -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE): the pairs touched since the last run (everything
    after a calendar change: then vacuumed, as `kpi_facts_rebuild_task`)."""
    done = kpi_facts_refresh()
    if "rebuilt_rows" in done:
        kpi_tables_vacuum()
    return done


@shared_task(acks_late=True, soft_time_limit=SHORT_SOFT, time_limit=SHORT)
def kpi_open_snapshot_task() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): the open dossiers' figures for the dashboard."""
    return open_snapshot_take()


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=REBUILD_SOFT,
    time_limit=REBUILD,
)
def kpi_facts_rebuild_task() -> int:
    """By hand after a bulk import: everything from the dossiers, then the tables vacuumed
    (`kpi_tables_vacuum`: the dashboard reads them index-only)."""
    rows = kpi_facts_rebuild()
    kpi_tables_vacuum()
    return rows
