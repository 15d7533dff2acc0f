"""`manage.py serve`: the portal with its background jobs, for `make run`.

Starts a Celery worker with the beat scheduler embedded, then Django's server in
the foreground; stops the worker when the server stops.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the portal on 127.0.0.1:8000 with a Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        self._announce(addrport)
        worker = self._start_worker()
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=20)

    def _announce(self, addrport: str) -> None:
        db = "SQLite (embedded)" if settings.EMBEDDED_DATABASE else f"{settings.DATABASES['default']['ENGINE']}"
        broker = "kombu filesystem transport (embedded, no Redis)" if settings.EMBEDDED_BROKER else "Redis"
        cache = "Redis" if settings.REDIS_URL else "file cache (embedded)"
        self.stdout.write(self.style.SUCCESS("Một Cửa"))
        self.stdout.write(f"  database: {db}\n  Celery broker: {broker}\n  cache and rate limits: {cache}")
        self.stdout.write(
            f"  portal: http://{addrport}/   staff: http://{addrport}/can-bo/   "
            f"admin: http://{addrport}/admin/   API: http://{addrport}/api/v1/docs"
        )
        self.stdout.write("  demo accounts: see the table printed by seed_demo above")

    def _start_worker(self) -> subprocess.Popen:
        for folder in ("broker", "broker-processed"):
            os.makedirs(settings.VAR_DIR / folder, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=1",
            "--schedule",
            settings.CELERY_BEAT_SCHEDULE_FILENAME,
        ]
        self.stdout.write("  starting: " + " ".join(cmd[2:]))
        return subprocess.Popen(cmd)
