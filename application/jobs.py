"""Periodic jobs of one process (reservation expiry now; payout retries later)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("comptoir.jobs")


class Jobs:
    def __init__(self, interval_seconds: float) -> None:
        self.interval = interval_seconds
        self.jobs: dict[str, Callable[[], int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, name: str, job: Callable[[], int]) -> None:
        self.jobs[name] = job

    def run_once(self) -> dict[str, int]:
        """Run every job now; a failing job is logged and does not stop the others."""
        done = {}
        for name, job in self.jobs.items():
            try:
                done[name] = job()
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("job %s failed", name)
                done[name] = 0
        return done

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.run_once()
