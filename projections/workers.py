"""The read models of one process, each followed by its own thread.

In the API process (the embedded default), in each of `comptoir serve --workers N`'s processes
or in `comptoir work`: the followers are the same, and the process holding a read model's lease
follows it (the others wait to take over); the tracked position, recorded with the rows, keeps
a read model right even if two follow it for a moment.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial

from projections.follower import EventLog, Failure, Follower, ProjectionStore


class Projections:
    def __init__(self, log: EventLog, stores: Iterable[ProjectionStore],
                 held: Callable[[str], bool] = lambda name: True) -> None:
        """`held(name)`: this process holds that read model's lease (several processes may
        start the same followers; one follows each read model at a time)."""
        self.log = log
        self.held = held
        self.followers = {store.projection.name: Follower(log, store) for store in stores}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __getitem__(self, name: str) -> Follower:
        return self.followers[name]

    @property
    def names(self) -> list[str]:
        return list(self.followers)

    def start(self, names: Iterable[str] | None = None, poll_interval: float = 0.05) -> None:
        self._stop.clear()
        head = SharedHead(self.head, poll_interval / 2)
        for name in names or self.followers:
            thread = threading.Thread(target=self.followers[name].run, name=f"projection-{name}",
                                      args=(self._stop, poll_interval,
                                            partial(self.held, f"projection:{name}"), head),
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for follower in self.followers.values():
            follower.wake()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def wake(self, _position: int | None = None) -> None:
        for follower in self.followers.values():
            follower.wake()

    def catch_up(self) -> int:
        return sum(follower.catch_up() for follower in self.followers.values())

    def settle(self, rounds: int = 20) -> int:
        """Catch up until nothing new comes: a process (payouts) writes events that it and the
        read models must then follow. Returns how many events were applied here.

        A round that applied nothing is not enough to stop: the followers' own threads may
        have applied the events instead, and a process among them written new ones that a
        read model this round already passed must follow; so also the head must not have
        moved during the round."""
        total, head = 0, self.head()
        for _ in range(rounds):
            applied = self.catch_up()
            total += applied
            head, before = self.head(), head
            if not applied and head == before:
                break
        return total

    def wait_for(self, position: int, timeout: float) -> bool:
        """Every read model has considered `position` (False if the timeout came first)."""
        deadline = time.monotonic() + timeout
        return all(follower.wait_for(position, max(0.0, deadline - time.monotonic()))
                   for follower in self.followers.values())

    def head(self) -> int:
        return self.log.recorder.max_notification_id() or 0

    def time_of(self, position: int) -> float | None:
        """When the event at `position` happened (epoch seconds), if there is one."""
        found = self.log.recorder.select_notifications(position, 1)
        return self.log.mapper.to_domain_event(found[0]).timestamp.timestamp() if found else None

    def failures(self) -> dict[str, list[Failure]]:
        """Per read model, the events it could not apply and passed."""
        return {name: follower.store.failures() for name, follower in self.followers.items()}

    def lag(self) -> dict[str, int]:
        head = self.log.recorder.max_notification_id() or 0
        return {name: head - follower.position() for name, follower in self.followers.items()}


class SharedHead:
    """The log's head as the followers of one process poll it: read at most once per
    `max_age` seconds, whoever asks. Nine followers each polling the head and their position
    every 50 ms made an idle worker send PostgreSQL 360 queries a second."""

    def __init__(self, read: Callable[[], int], max_age: float) -> None:
        self._read, self._max_age = read, max_age
        self._lock = threading.Lock()
        self._value, self._read_at = 0, -math.inf

    def __call__(self) -> int:
        with self._lock:
            now = time.monotonic()
            if now - self._read_at >= self._max_age:
                self._value, self._read_at = self._read(), now
            return self._value
