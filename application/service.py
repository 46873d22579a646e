"""What every use-case service shares: loading, saving, retrying on conflicts."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.actors import Actor
from application.app import Comptoir
from application.errors import ConflictError, NotFoundError
from application.idempotency import IdempotencyKey, IdempotentRequest
from application.insights import NoSightings, Sightings
from application.locks import AggregateLocks
from domain.account import Account, Membership
from domain.api_key import ApiKey
from domain.errors import DomainError

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")


@dataclass(frozen=True)
class Read:
    """Aggregates read together, each taken out as the class and kind it must be."""

    found: dict[UUID, Aggregate]

    def one(self, cls: type[A], aggregate_id: UUID, kind: str) -> A:
        aggregate = self.found.get(aggregate_id)
        if not isinstance(aggregate, cls):
            raise NotFoundError(kind)
        return aggregate

    def all(self, cls: type[A], ids: Iterable[UUID], kind: str) -> dict[UUID, A]:
        return {i: self.one(cls, i, kind) for i in ids}

    def with_(self, other: Read) -> Read:
        return Read({**self.found, **other.found})


@dataclass(frozen=True)
class Created:
    id: UUID
    saved: tuple[Aggregate, ...]  # as just saved; empty when an earlier request is replayed

    def first(self, cls: type[A]) -> A | None:
        return next((a for a in self.saved if isinstance(a, cls)), None)

    def every(self, cls: type[A]) -> list[A]:
        return [a for a in self.saved if isinstance(a, cls)]


class ServiceOptions(TypedDict, total=False):
    """The keyword options of `Service.__init__`, for a composition root to give many
    services the same ones."""

    conflict_retries: int
    locks: AggregateLocks | None
    sightings: Sightings | None


class Service:
    def __init__(
        self, app: Comptoir, *, conflict_retries: int = 10, locks: AggregateLocks | None = None,
        sightings: Sightings | None = None,
    ) -> None:
        self.app = app
        self.conflict_retries = conflict_retries
        # `is None`, not `or`: a registry holding no lock has a length of 0, and `or` gave
        # every service a fresh one of its own (the shared one, and the database's locks
        # between processes, were never used).
        self.locks = locks if locks is not None else AggregateLocks()
        # What people did, for merchants' insight: reported by the use case that did it.
        self.sightings: Sightings = sightings or NoSightings()

    def load(self, cls: type[A], aggregate_id: UUID, kind: str) -> A:
        return self.fetch([aggregate_id]).one(cls, aggregate_id, kind)

    def load_all(self, cls: type[A], ids: Iterable[UUID], kind: str) -> dict[UUID, A]:
        """These aggregates, read together; NotFoundError(kind) if one is missing."""
        wanted = list(dict.fromkeys(ids))
        return self.fetch(wanted).all(cls, wanted, kind)

    def fetch(self, ids: Iterable[UUID]) -> Read:
        """The aggregates of these ids that exist, read together (one query on PostgreSQL)."""
        return Read(self.app.aggregates(list(dict.fromkeys(ids))))

    def owns_outright(self, actor: Actor, merchant_id: UUID) -> bool:
        """Acts for the merchant as its owner: what can end it or move its money (closing it,
        its payout account) is not for an invited member nor for one of its API keys. A
        merchant token with no account behind it is the operator's own (`comptoir token issue`)."""
        if not actor.owns(merchant_id):
            return False
        try:
            subject = UUID(actor.subject)
        except ValueError:
            return False
        account = self.find(Account.create_id(subject))
        if isinstance(account, Account):
            return account.membership(merchant_id) == Membership.OWNER
        return not isinstance(self.find(subject), ApiKey)

    def find(self, aggregate_id: UUID) -> Aggregate | None:
        return self.app.aggregates([aggregate_id]).get(aggregate_id)

    def events(self, *topics: str, page: int = 1000) -> Iterator[Any]:
        """Every event of these topics in log order, decoded, read page by page (reports and
        batch jobs; requests read aggregates, not the log)."""
        start = 1
        while batch := self.app.recorder.select_notifications(start, page, topics=topics):
            for notification in batch:
                yield self.app.mapper.to_domain_event(notification)
            if len(batch) < page:
                return
            start = batch[-1].id + 1

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether any event was ever recorded for this id (one query, nothing decoded)."""
        return bool(self.app.recorder.select_events(aggregate_id, limit=1))

    def save(self, *aggregates: Aggregate | None) -> int:
        """Save atomically; return the log position of the last new event."""
        recordings = self.app.save(*aggregates)
        if not recordings:
            return self.app.log_position()
        position = recordings[-1].notification.id
        self.app.announce(position)
        return position

    def retrying(self, attempt: Callable[[], T], serialise: Iterable[UUID] = (),
                 rarely_contended: bool = False) -> T:
        """Run a load-decide-save attempt again when another writer got there first.

        `serialise` names the aggregates the attempt writes: threads of this process that
        write them wait for each other rather than collide, and so do other processes (with
        PostgreSQL). `rarely_contended`: the first attempt waits for this process's writers
        only, and a conflict makes the next ones wait for the others too: waiting across
        processes costs two round trips, wasted where no one else writes.
        """
        serialise = list(serialise)
        for tries in range(self.conflict_retries + 1):
            try:
                with self.locks.hold(serialise,
                                     between_processes=not (rarely_contended and tries == 0)):
                    return attempt()
            except IntegrityError:
                if tries == self.conflict_retries:
                    raise ConflictError("concurrent_update") from None
                # Full jitter, exponential, capped: racers spread out instead of colliding again.
                time.sleep(random.uniform(0, min(0.05, 0.002 * 2**tries)))  # noqa: S311
        raise AssertionError("unreachable")

    def create(
        self, key: IdempotencyKey | None, build: Callable[[], tuple[UUID, list[Aggregate]]],
        serialise: Iterable[UUID] = (), concerns: UUID | None = None,
    ) -> UUID:
        """Create what `build` returns, once per idempotency key, retrying on conflicts.
        `concerns`: the person whose data the request carries (default: the caller), whose
        key hashes the record."""
        return self.created(key, build, serialise, concerns).id

    def created(
        self, key: IdempotencyKey | None, build: Callable[[], tuple[UUID, list[Aggregate]]],
        serialise: Iterable[UUID] = (), concerns: UUID | None = None,
    ) -> Created:
        """As `create`, with the aggregates this call saved (none when it replayed)."""

        def attempt() -> Created:
            if key is not None and (prior := self._prior(key)):
                return Created(key.replay(prior, self.app.keys.get), ())
            try:
                result_id, aggregates = build()
            except DomainError:
                # A concurrent twin of this request may have committed since we looked (and
                # made ours fail, a NEQ now taken say): its result is ours.
                if key is not None and (prior := self._prior(key)):
                    return Created(key.replay(prior, self.app.keys.get), ())
                raise
            self.save(*aggregates, self._record(key, result_id, concerns))
            return Created(result_id, tuple(aggregates))

        keyed = [key.record_id] if key is not None else []
        return self.retrying(attempt, [*serialise, *keyed])

    def _record(self, key: IdempotencyKey | None, result_id: UUID,
                concerns: UUID | None) -> IdempotentRequest | None:
        if key is None:
            return None
        person = concerns or _uuid(key.subject) or uuid4()
        return key.record(result_id, person, self.app.keys.get_or_create(person))

    def _prior(self, key: IdempotencyKey) -> IdempotentRequest | None:
        prior = self.find(key.record_id)
        return prior if isinstance(prior, IdempotentRequest) else None


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
