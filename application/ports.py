"""Ports: what the application needs from the outside world, as typing.Protocols."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class KeyStore(Protocol):
    """Per-person data keys, kept apart from the event store. Deleting a key forgets a person."""

    def get_or_create(self, subject_id: UUID) -> bytes: ...

    def create_many(self, subject_ids: list[UUID]) -> None:
        """Make keys for new subjects in one go (bulk imports)."""

    def get(self, subject_id: UUID) -> bytes | None: ...

    def delete(self, subject_id: UUID) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
