"""The record that a person was erased (Québec's Law 25): who, why, by whom — nothing else.

The person's key is destroyed right after this record is saved, so every copy of their data
(events, snapshots, backups) becomes unreadable while amounts, taxes and the audit chain stay
as they were. One record per person: erasing twice changes nothing.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


class SubjectKind(StrEnum):
    CONSUMER = "consumer"  # a shopper (with or without an account: same id, same key)
    ACCOUNT = "account"  # someone who signs in and never shopped (staff, a merchant's people)
    MERCHANT_CONTACT = "merchant_contact"


class ErasureReason(StrEnum):
    REQUEST = "request"  # the person asked (or an admin on their behalf)
    RETENTION = "retention"  # the retention period ran out


class Erasure(Aggregate):
    TOPIC = "comptoir.Erasure"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Erasure.Created"  # never triggered: an erasure is recorded

    @staticmethod
    def create_id(subject_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"comptoir:erasure:{subject_id}")

    @event("Recorded", topic="comptoir.Erasure.Recorded")
    def __init__(self, subject_id: UUID, kind: SubjectKind, reason: ErasureReason,
                 by: str) -> None:
        self.subject_id = subject_id
        self.kind = kind
        self.reason = reason
        self.by = by
