"""The mail outbox: what is to be sent, to whom, because of which event — and nothing personal.

A row names its recipient by a person's id (the subject whose key opens their address) and its
content by a template and non-personal parameters (ids, versions of aggregates). The address,
names and amounts are read from the log when the mail is sent, so an outbox row is never a
clear copy of anyone's data and erasing a person needs no rewriting of rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.natural_keys import key_id

Params = dict[str, str | int]


def mail_id_for(event_id: str, recipient: str) -> UUID:
    """One id per (event, recipient): the follower that sees an event again makes the same row,
    which the outbox already holds; the Message-ID derives from it too."""
    return key_id("mail", event_id, recipient)


@dataclass(frozen=True)
class OutboxMail:
    event_id: str  # "<originator id>:<version>" of the event that asked for it
    recipient: str  # "shopper", "account", "invitee" or "merchant:<merchant id>"
    subject_id: UUID  # whose address: their key opens it, their erasure deletes the row
    template: str
    params: Params = field(default_factory=dict)
    attempts: int = 0  # sending attempts so far (as read from the outbox)

    @property
    def mail_id(self) -> UUID:
        return mail_id_for(self.event_id, self.recipient)

    @property
    def recipient_kind(self) -> str:
        return self.recipient.split(":", 1)[0]

    def params_json(self) -> str:
        return json.dumps(self.params, sort_keys=True)

    @classmethod
    def of_row(cls, event_id: str, recipient: str, subject_id: str, template: str,
               params: str, attempts: int) -> OutboxMail:
        return cls(event_id, recipient, UUID(subject_id), template, json.loads(params),
                   attempts)


class OutboxUnit(Protocol):
    """The follower's side: rows added in the transaction that records its position."""

    def add(self, mail: OutboxMail, at: datetime) -> None:
        """Once: a row that exists already (same event, same recipient) is left as it is."""


class Outbox(Protocol):
    """The sender's side."""

    def claim_due(self, now: datetime, until: datetime, limit: int) -> list[OutboxMail]:
        """Hold until `until` up to `limit` pending rows whose next attempt has come and
        that nobody holds, and return them oldest first (another sender gets the others)."""

    def sent(self, mail_ids: Sequence[UUID], at: datetime) -> None:
        """Handed over, all of them: marked together, in one commit."""

    def retry(self, mail_id: UUID, reason: str, due_at: datetime) -> None: ...

    def failed(self, mail_id: UUID, reason: str) -> None:
        """Given up on: kept, with its reason, for an operator to see."""

    def drop(self, mail_id: UUID) -> None:
        """Deleted unsent: its person was erased, or it has nothing left to say."""

    def forget(self, subject_id: UUID) -> int:
        """Delete every row of an erased person."""

    def forget_done(self, before: datetime) -> int:
        """Delete the rows of mails sent or given up before then (the log keeps why)."""

    def counts(self) -> dict[str, int]:
        """Rows by status (pending, sent, failed)."""
