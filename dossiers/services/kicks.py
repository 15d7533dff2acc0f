"""Kicks after commit, off the request: one daemon thread per process publishes them.

A kick (`notify.outbox_kick`, the national sync's `sync_kick`) costs a cache round trip and,
when no send task is queued yet, a broker publish: paid by the clerk's request when it ran in
the on_commit callback (issue 17 point 4). `kick_soon(kick)` hands it to this process's kicker
thread instead and returns at once. Kicks handed over while the thread is busy run once each
on its next pass, so a burst of commits costs one kick of each kind. A kick the process never
ran (killed first) costs only latency: the periodic flushes send what no kick did (ADR 0003).
"""

import atexit
import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
Kick = Callable[[], object]
EXIT_WAIT_SECONDS = 2.0  # a management command's last commit: give its kick this long at exit


class Kicker:
    """One queue of distinct kicks and the one thread that runs them."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # gunicorn and Celery fork: no thread there

    def _reset(self) -> None:
        self._changed = threading.Condition()
        self._waiting: dict[Kick, None] = {}  # insertion-ordered set
        self._running = False
        self._thread: threading.Thread | None = None

    def submit(self, kick: Kick) -> None:
        with self._changed:
            self._waiting[kick] = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="kicker", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every kick handed over has run; False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._waiting and not self._running, timeout)

    def _serve(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting)
                kicks, self._waiting, self._running = list(self._waiting), {}, True
            try:
                for kick in kicks:
                    _run(kick)
            finally:
                with self._changed:
                    self._running = False
                    self._changed.notify_all()


def _run(kick: Kick) -> None:
    try:
        kick()
    except Exception:  # noqa: BLE001 — kicks never raise by contract; a bug here must not stop the thread
        log.exception("kick %s failed; the periodic flush sends what it would have", kick)


KICKER = Kicker()


def kick_soon(kick: Kick) -> None:
    """Run `kick` on the kicker thread, soon; returns at once (an on_commit callback)."""
    KICKER.submit(kick)


def kicks_drain(timeout: float = 10.0) -> bool:
    """Wait for the kicks handed over so far (tests, and a process about to exit)."""
    return KICKER.drain(timeout)


atexit.register(kicks_drain, EXIT_WAIT_SECONDS)
