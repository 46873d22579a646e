"""Periodic jobs (expiries, payouts, retention of short-lived data) and the senders of mail
and webhooks: started in every process that does background work, run by the one holding
their lease."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("comptoir.jobs")


def always(_name: str) -> bool:
    return True


class Jobs:
    def __init__(self, interval_seconds: float,
                 held: Callable[[str], bool] = always) -> None:
        """`held(name)`: this process holds the lease of the jobs (several processes may
        start them; one runs them at a time)."""
        self.interval = interval_seconds
        self.held = held
        self.jobs: dict[str, Callable[[], int]] = {}
        self.every: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, name: str, job: Callable[[], int], every: float | None = None) -> None:
        """`every`: seconds between two runs of this job, if not the common interval (mail
        goes out within a second, expiries every few)."""
        self.jobs[name] = job
        self.every[name] = every or self.interval

    def run_once(self) -> dict[str, int]:
        """Run every job now; a failing job is logged and does not stop the others."""
        return {name: self._run(name, job) for name, job in self.jobs.items()}

    @staticmethod
    def _run(name: str, job: Callable[[], int]) -> int:
        try:
            return job()
        except Exception:  # noqa: BLE001 - the next round tries again
            log.exception("job %s failed", name)
            return 0

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
        start = time.monotonic()
        due = {name: start + every for name, every in self.every.items()}
        while not self._stop.wait(min(self.every.values(), default=self.interval)):
            if not self.held("jobs"):
                continue
            now = time.monotonic()
            for name, job in self.jobs.items():
                if due.get(name, now) <= now:
                    self._run(name, job)
                    due[name] = time.monotonic() + self.every[name]


class SendingLoop:
    """A sender's own thread (webhooks, mail): a round when its outbox follower has queued
    something (`wake`), else every `poll_seconds` (retries come due with time). Its own, so a
    slow SMTP server or endpoint never delays the other jobs. Same face as `Jobs`."""

    def __init__(self, name: str, send: Callable[[], int], poll_seconds: float,
                 held: Callable[[str], bool] = always) -> None:
        self.name, self.send, self.poll, self.held = name, send, poll_seconds, held
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wake.set()

    def run_once(self) -> int:
        try:
            return self.send()
        except Exception:  # noqa: BLE001 - the next round tries again
            log.exception("%s: sending round failed", self.name)
            return 0

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        # A round that sent something is followed at once by another: a backlog drains at
        # the speed of sending, where one round (at most 100 mails) per one-second poll
        # capped mail below 100 a second.
        busy = False
        while not self._stop.is_set():
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()
            busy = (not self._stop.is_set() and self.held(self.name)
                    and self.run_once() > 0)
