"""What auditors read: the log itself, and any aggregate as it was at a past position or time.

Read-only, for auditors and admins. Personal data stays sealed unless the platform lets
auditors see it (`COMPTOIR_AUDITORS_SEE_PERSONAL_DATA`) and the person's key still exists;
otherwise it shows as `{"personal_data": "sealed"}` (or `"forgotten"` once erased).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.service import Service
from domain.money import Money
from domain.personal import PersonalData

Row = tuple[int, str, int, str, bytes]  # position, originator id, version, topic, state
MAX_PAGE = 500


class PositionedLog(Protocol):
    """The stored events with their positions (an adapter reads the tables)."""

    def rows(self, start: int = 1, stop: int | None = None) -> Iterator[Row]: ...

    def rows_of(self, originator_id: UUID) -> list[Row]: ...


@dataclass(frozen=True)
class EventQuery:
    aggregate_id: UUID | None = None
    topic: str | None = None
    after: int = 0  # position: the page starts after it
    to_position: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


class Audit(Service):
    def __init__(self, *args: Any, log: PositionedLog, reveal_personal_data: bool = False,
                 verification: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log = log
        self.reveal = reveal_personal_data
        self.verification = verification  # recomputes the hash chain (a VerificationReport)

    def verify(self, actor: Actor) -> Any:
        """The chain recomputed from the stored bytes, its checkpoints checked (auditors)."""
        self.require_auditor(actor)
        if self.verification is None:
            raise NotFoundError("verification")
        return self.verification()

    # Not Service.events (every event of some topics): the auditors read the log by position,
    # and nothing calls Service.events on an Audit.
    def events(  # type: ignore[override]
        self, actor: Actor, query: EventQuery,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """A page of stored events in log order, and the position to continue after."""
        self.require_auditor(actor)
        rows: Iterator[Row] | list[Row] = (
            [r for r in self.log.rows_of(query.aggregate_id) if r[0] > query.after]
            if query.aggregate_id else self.log.rows(query.after + 1, query.to_position))
        page: list[dict[str, Any]] = []
        for row in rows:
            if query.to_position is not None and row[0] > query.to_position:
                break
            if query.topic and row[3] != query.topic:
                continue
            event = self._decode(row)
            if (query.since and event.timestamp < query.since) or (
                    query.until and event.timestamp > query.until):
                continue
            page.append(self._event(row, event, actor))
            if len(page) == min(query.limit, MAX_PAGE):
                return page, row[0]
        return page, None

    def aggregate_at(self, actor: Actor, aggregate_id: UUID, position: int | None = None,
                     at: datetime | None = None) -> dict[str, Any]:
        """The aggregate as it was after the given position (or time); now if neither."""
        self.require_auditor(actor)
        rows = [r for r in self.log.rows_of(aggregate_id)
                if position is None or r[0] <= position]
        events = [(row, self._decode(row)) for row in rows]
        events = [(row, e) for row, e in events if at is None or e.timestamp <= at]
        if not events:
            raise NotFoundError("aggregate")
        aggregate: Aggregate | None = None
        for _, event in events:
            aggregate = event.mutate(aggregate)
        assert aggregate is not None  # the first event, kept by both filters, created it
        last_row, last = events[-1]
        reveal = self._reveals(actor)
        state = {k: _render(v, reveal) for k, v in vars(aggregate).items()
                 if not k.startswith("_")}
        return {"id": str(aggregate_id), "type": get_topic(type(aggregate)),
                "version": aggregate.version, "position": last_row[0],
                "at": last.timestamp.isoformat(), "created_on": aggregate.created_on.isoformat(),
                "state": state}

    def _event(self, row: Row, event: Any, actor: Actor) -> dict[str, Any]:
        reveal = self._reveals(actor)
        payload = {k: _render(v, reveal) for k, v in vars(event).items()
                   if k not in ("originator_id", "originator_version", "timestamp")}
        return {"position": row[0], "aggregate_id": str(event.originator_id),
                "version": event.originator_version, "topic": row[3],
                "at": event.timestamp.isoformat(), "payload": payload}

    def _decode(self, row: Row) -> Any:
        return self.app.mapper.to_domain_event(StoredEvent(
            originator_id=UUID(row[1]), originator_version=row[2], topic=row[3],
            state=row[4]))

    def _reveals(self, actor: Actor) -> bool:
        return self.reveal and actor.role in (Role.AUDITOR, Role.ADMIN)

    @staticmethod
    def require_auditor(actor: Actor) -> None:
        if actor.role not in (Role.AUDITOR, Role.ADMIN):
            raise denied(actor.is_anonymous)


def _render(value: Any, reveal: bool) -> Any:
    """A stored value as JSON: money in cents, personal data sealed unless revealed."""
    if isinstance(value, PersonalData):
        if value.forgotten:
            return {"personal_data": "forgotten"}
        return dict(value.values) if reveal else {"personal_data": "sealed"}
    if isinstance(value, Money):
        return {"cents": value.cents}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _render(getattr(value, f.name), reveal)
                for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _render(v, reveal) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_render(v, reveal) for v in value]
    if hasattr(value, "__slots__") or hasattr(value, "__dict__"):
        fields = getattr(value, "__slots__", None) or vars(value)
        return {k: _render(getattr(value, k), reveal) for k in fields if not k.startswith("_")}
    return value
