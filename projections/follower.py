"""Following the one event log into a read model, from a tracked position.

A `Follower` reads the log in batches from its store's tracked position, decodes the events and
hands each batch to the store, which applies them and records the new position in ONE
transaction: a crash loses nothing and applies nothing twice, and re-delivering a batch fails
on the tracking record and changes nothing. The same code follows SQLite (polling; it has no
subscriptions) and PostgreSQL (polling plus in-process wake-ups).

Positions: the log's notification ids. With a topic filter a batch may skip ids; the store then
records the head the batch was read up to, so "projection at position N" always means "every
event up to N has been considered".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

log = logging.getLogger("comptoir.projections")

BATCH_SIZE = 1000
# A database that is down, locked or unreachable: wait and try again, whatever the event.
TRANSIENT = (OperationalError, InterfaceError, OSError, TimeoutError)
ATTEMPTS = 3  # tries of one event that fails otherwise, before it is recorded and passed


class RebuildRefusedError(RuntimeError):
    """A read model that must never be replayed from the start (an outbox: replaying it would
    send again everything it ever sent)."""


@dataclass(frozen=True)
class Failure:
    """An event a projection could not apply: recorded with the position that passed it."""

    position: int
    topic: str
    originator_id: str
    error: str


@dataclass(frozen=True)
class Item:
    """One notification of a batch, decoded (or why it could not be)."""

    position: int
    topic: str
    originator_id: str
    event: Any
    error: Exception | None = None


class Projection(Protocol):
    name: str
    topics: tuple[str, ...]
    # Raised when what the projection makes of events changes (a new handler, another text
    # analysis): rows built by an older version are rebuilt when a follower starts.
    version: int


class ProjectionStore(Protocol):
    """A read model's storage: its rows and its tracked position, written together."""

    projection: Projection

    def position(self) -> int: ...

    def apply(self, events: Sequence[Any], position: int,
              failures: Sequence[Failure] = ()) -> None: ...

    def failures(self) -> list[Failure]: ...

    def forget_failures(self) -> None: ...

    def reset(self) -> None: ...

    def version(self) -> int: ...

    def record_version(self, version: int) -> None: ...

    def rebuilt(self) -> None:
        """Called once a rebuild has replayed the whole log (to build deferred indexes)."""


class EventLog(Protocol):
    """What a follower needs of the application: its recorder and mapper."""

    recorder: Any
    mapper: Any


LEASE_RETRY = 0.5  # seconds between two looks at a lease another process holds
# Seconds a woken follower waits for more saves before it reads: one batch instead of one per
# save. Measured (PostgreSQL, fsync on, 9 read models in the process): a checkout's p50 with
# every follower running went from 58 ms to 29 ms; search then shows a change 50 ms later.
GATHER = 0.05


class Follower:
    def __init__(self, log_source: EventLog, store: ProjectionStore,
                 batch_size: int = BATCH_SIZE) -> None:
        self.source = log_source
        self.store = store
        self.batch_size = batch_size
        self.name = store.projection.name
        self._advanced = threading.Condition()
        self._wake = threading.Event()
        self._hurry = threading.Event()  # a read-your-writes request waits: no gathering
        self._running = False
        # The log position this follower has considered up to, known while it holds its lease
        # (None: to be read from the store): a poll that finds the head there reads nothing.
        self._considered: int | None = None

    def upgrade(self) -> bool:
        """Rebuild rows made by an older version of the projection; True if it did.

        A store that never recorded a version is either new (nothing to rebuild) or older
        than versions (its rows are version 1's)."""
        version = self.store.projection.version
        recorded = self.store.version()
        if recorded == 0 and (version == 1 or self.store.position() == 0):
            self.store.record_version(version)
            return False
        if recorded >= version:
            return False
        log.warning("projection %s: rows of version %s, rebuilding for version %s",
                    self.name, recorded or 1, version)
        self.rebuild()
        return True

    def head(self) -> int:
        return self.source.recorder.max_notification_id() or 0

    def position(self) -> int:
        return self.store.position()

    def catch_up(self, progress: Callable[[int, int], None] | None = None,
                 head: int | None = None) -> int:
        """Apply everything up to the log's head (`head`: as the caller just read it, else
        read here); returns how many events it applied.

        Beyond one batch, the next batch is read and decoded in a second thread while the
        store applies the current one: the database works while Python decodes (a third
        faster on a rebuild). One batch is read in this thread: starting a thread for it cost
        more than it overlapped, on every catch-up of every follower.
        """
        applied = 0
        head = self.head() if head is None else head
        position = self.store.position()
        with (ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"read-{self.name}")
              if head - position > self.batch_size else _InPlace()) as reader:
            pending = reader.submit(self._read, position, head) if position < head else None
            while pending is not None:
                items, upto = pending.result()
                pending = reader.submit(self._read, upto, head) if upto < head else None
                try:
                    self._apply(items, upto)
                except IntegrityError:
                    # Another follower recorded this position first: take up from where it is.
                    log.info("projection %s: position %s already recorded", self.name, upto)
                    if pending is not None:
                        pending.result()
                    position = self.store.position()
                    pending = reader.submit(self._read, position, head) \
                        if position < head else None
                    continue
                applied += len(items)
                with self._advanced:
                    self._advanced.notify_all()
                if progress:
                    progress(upto, head)
        self._considered = max(position, head)
        return applied

    def _apply(self, items: list[Item], upto: int) -> None:
        """The batch in one transaction; if it fails for a reason other than the database
        being away, event by event, so that one event that cannot be applied is recorded and
        passed instead of stopping the read model for good."""
        if all(item.error is None for item in items):
            try:
                self.store.apply([item.event for item in items], upto)
                return
            except (IntegrityError, *TRANSIENT):
                raise
            except Exception:  # noqa: BLE001 - isolated below, event by event
                log.warning("projection %s: a batch up to %s failed; applying it event by "
                            "event", self.name, upto, exc_info=True)
        for item in items:
            self._apply_one(item)
        if not items or items[-1].position < upto:
            self.store.apply([], upto)

    def _apply_one(self, item: Item) -> None:
        error = item.error
        for attempt in range(ATTEMPTS if error is None else 0):
            try:
                self.store.apply([item.event], item.position)
                return
            except (IntegrityError, *TRANSIENT):
                raise
            except Exception as failed:  # noqa: BLE001 - recorded below after ATTEMPTS
                error = failed
                time.sleep(0.05 * (attempt + 1))
        assert error is not None
        failure = Failure(item.position, item.topic, item.originator_id,
                          f"{type(error).__name__}: {error}"[:1000])
        log.error("projection %s: event at position %s (%s) cannot be applied and is passed: "
                  "%s", self.name, item.position, item.topic, failure.error)
        self.store.apply([], item.position, failures=[failure])

    def _read(self, position: int, head: int) -> tuple[list[Item], int]:
        """The next batch after `position`, decoded (unless the projection is `raw`), and the
        position it reaches."""
        notifications = self.source.recorder.select_notifications(
            start=position + 1, limit=self.batch_size, stop=head,
            topics=self.store.projection.topics,
        )
        upto = notifications[-1].id if len(notifications) == self.batch_size else head
        raw = getattr(self.store.projection, "raw", False)  # it wants the stored bytes (audit)
        return [self._decoded(n, raw) for n in notifications], upto

    def _decoded(self, notification: Any, raw: bool) -> Item:
        item = Item(notification.id, notification.topic, str(notification.originator_id),
                    notification)
        if raw:
            return item
        try:
            return Item(item.position, item.topic, item.originator_id,
                        self.source.mapper.to_domain_event(notification))
        except Exception as error:  # noqa: BLE001 - an event that cannot be read is a failure
            return Item(item.position, item.topic, item.originator_id, None, error)

    def wake(self) -> None:
        """New events were saved in this process: look now rather than at the next poll."""
        self._wake.set()

    def run(self, stop: threading.Event, poll_interval: float = 0.05,
            held: Callable[[], bool] = lambda: True,
            polled_head: Callable[[], int] | None = None) -> None:
        """Follow the log until `stop` is set, while this process holds the read model's
        lease (`held`: another process may hold it, and this one waits to take over);
        database errors are logged and retried. `polled_head`: the log's head as this
        process's followers share it between polls (projections/workers.py); a poll that
        finds nothing past what was considered reads nothing more. A wake-up catches up
        whatever it says."""
        polled_head = polled_head or self.head
        backoff = poll_interval
        upgraded = False
        woken = True
        try:
            while not stop.is_set():
                self._running = held()
                if not self._running:  # another process follows; wait_for polls its position
                    self._considered = None  # it moves the position meanwhile
                    stop.wait(LEASE_RETRY)
                    continue
                try:
                    if not upgraded:
                        self.upgrade()
                        upgraded = True
                    if woken or self._considered is None:
                        self.catch_up()  # the head read now: the save that woke it is in it
                    elif (head := polled_head()) > self._considered:
                        self.catch_up(head=head)
                    backoff = poll_interval
                except Exception:  # noqa: BLE001 - a follower thread must outlive any one failure
                    # Nothing was applied (one transaction per batch); the lag grows and shows.
                    log.exception("projection %s failed; retrying in %.1fs", self.name, backoff)
                    backoff = min(backoff * 2, 5.0)
                    self._considered = None
                woken = self._wake.wait(backoff)
                if woken:
                    # Woken by a save: gather the saves of the next moment into one batch (a
                    # checkout saves twice, and the processes it wakes save again); a request
                    # waiting to read its own write cuts this short.
                    self._hurry.wait(GATHER)
                self._wake.clear()
                self._hurry.clear()
        finally:
            self._running = False

    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the read model has considered `position` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        while self.store.position() < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._running:
                self._hurry.set()
                self.wake()
                with self._advanced:
                    self._advanced.wait(min(remaining, 0.05))
            else:  # followed by another process: poll its tracked position
                time.sleep(min(remaining, 0.02))
        return True

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop the read model and replay the whole log into it."""
        self._considered = None
        self.store.reset()
        self.store.forget_failures()
        applied = self.catch_up(progress)
        self.store.rebuilt()
        self.store.record_version(self.store.projection.version)
        return applied


class _InPlace:
    """An executor that runs what it is given at once, in the caller's thread."""

    def __enter__(self) -> _InPlace:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def submit(self, read: Callable[..., Any], *args: Any) -> Future[Any]:
        done: Future[Any] = Future()
        try:
            done.set_result(read(*args))
        except BaseException as error:  # noqa: BLE001 - re-raised by result(), as a thread's
            done.set_exception(error)
        return done
