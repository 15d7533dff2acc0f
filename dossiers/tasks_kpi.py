"""Celery tasks keeping the KPI facts fresh: thin, idempotent, nothing passed in."""

from celery import shared_task

from .kpi.facts import kpi_facts_rebuild, kpi_facts_refresh


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=3)
def kpi_facts_refresh_task() -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE): the pairs touched since the last run."""
    return kpi_facts_refresh()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def kpi_facts_rebuild_task() -> int:
    """Nightly, or by hand after a bulk import: everything from the dossiers."""
    return kpi_facts_rebuild()
