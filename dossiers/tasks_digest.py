"""The morning digest task (beat: daily 07:00 Asia/Ho_Chi_Minh); safe to run twice a day."""

from celery import shared_task

from .services.digest import digest_send


@shared_task(acks_late=True)
def digest_send_task() -> int:
    return digest_send()
