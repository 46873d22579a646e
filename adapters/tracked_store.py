"""What every read-model store shares: rows and tracked position in one transaction.

Mixed into eventsourcing's SQLite and PostgreSQL tracking recorders, which own the tracking
table and refuse to record a position twice (so a re-delivered batch changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import Tracking

UPSTREAM = "comptoir"  # the application whose log is followed


class UnitOfWork(Protocol):
    def load(self, events: Sequence[Any]) -> None: ...

    def flush(self) -> None: ...


class TrackedStore:
    """Needs, from the recorder it is mixed into: `datastore.transaction`, `_insert_tracking`,
    `max_tracking_id`; and from the concrete store: `projection` and `unit_of_work(cursor)`."""

    projection: Any
    datastore: Any

    def unit_of_work(self, cursor: Any) -> UnitOfWork:
        raise NotImplementedError

    def position(self) -> int:
        return self.max_tracking_id(UPSTREAM) or 0  # type: ignore[attr-defined]

    def version(self) -> int:
        """The version of the projection that built these rows (0: none recorded). Kept as a
        tracking record of its own, so every store has it without a table of its own."""
        return self.max_tracking_id(self._version_key) or 0  # type: ignore[attr-defined]

    def record_version(self, version: int) -> None:
        self.insert_tracking(Tracking(self._version_key, version))  # type: ignore[attr-defined]

    @property
    def _version_key(self) -> str:
        return f"{self.projection.name}#version"

    def apply(self, events: Sequence[Any], position: int) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            unit = self.unit_of_work(cursor)
            unit.load(events)
            for event in events:
                self.projection.process(event, unit)
            unit.flush()
            self._insert_tracking(cursor, Tracking(UPSTREAM, position))  # type: ignore[attr-defined]
