"""A tamper-evident hash chain over the one event log, and its verification.

Each event's link is SHA-256 over the previous link, its position and its fields AS STORED
(the state is ciphertext where it holds personal data, so destroying a person's key never
changes the chain). The bytes hashed are unambiguous: a fixed header then the variable fields,
whose lengths the header declares before them:

    previous (32 bytes) | position (u64) | version (i64) | len(originator id) (u32)
    | len(topic) (u32) | len(state) (u32) | originator id | topic | state

(big-endian; the originator id as its 32 lowercase hex digits, topic UTF-8, state raw).
The content digest hashes the same fields without previous and position: it recognises an
event that was moved to another position. Signed checkpoints anchor the head now and then,
so rewriting the chain table to match an edited log is caught too.
"""

from __future__ import annotations

import hashlib
import struct
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain as chained
from itertools import islice
from operator import attrgetter, itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

GENESIS = bytes(32)
PROBLEMS = ("altered", "removed", "inserted", "reordered", "chain_altered",
            "checkpoint_signature_invalid")
CHUNK = 4096  # rows compared at once on the fast path

Row = tuple[int, str, int, str, bytes]  # position, originator id (hex), version, topic, state
ChainRow = tuple[int, bytes, bytes]  # position, link hash, content digest
Verifier = Callable[[bytes, bytes], bool]  # (message, signature) -> valid?

_LINK = struct.Struct(">32sQqIII")
_CONTENT = struct.Struct(">qIII")
_sha256 = hashlib.sha256
_position = itemgetter(0)
_hash = itemgetter(1)


def _id_bytes(originator_id: UUID | str) -> bytes:
    return (originator_id.hex if isinstance(originator_id, UUID) else originator_id).encode()


def link(previous: bytes, position: int, originator_id: UUID | str, version: int, topic: str,
         state: bytes) -> bytes:
    if len(previous) != 32:
        raise ValueError("a link follows a 32-byte hash")
    return _link(previous, position, _id_bytes(originator_id), version, topic.encode(), state)


def content_digest(originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    return _digest(_id_bytes(originator_id), version, topic.encode(), state)


def _link(previous: bytes, position: int, oid: bytes, version: int, name: bytes,
          state: bytes) -> bytes:
    header = _LINK.pack(previous, position, version, len(oid), len(name), len(state))
    return _sha256(b"".join((header, oid, name, state))).digest()


def _digest(oid: bytes, version: int, name: bytes, state: bytes) -> bytes:
    header = _CONTENT.pack(version, len(oid), len(name), len(state))
    return _sha256(b"".join((header, oid, name, state))).digest()


def utc_text(at: datetime) -> str:
    """The one text form of a checkpoint's time (signed, and stored as text on both backends)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_message(position: int, head_hash: bytes, at: datetime) -> bytes:
    """What is signed: ASCII `comptoir-audit-checkpoint-v1|<position>|<hash hex>|<UTC time>`."""
    return f"comptoir-audit-checkpoint-v1|{position}|{head_hash.hex()}|{utc_text(at)}".encode()


@dataclass(frozen=True)
class Checkpoint:
    position: int
    head_hash: bytes
    at: datetime
    signature: bytes

    def message(self) -> bytes:
        return checkpoint_message(self.position, self.head_hash, self.at)


@dataclass(frozen=True)
class VerificationReport:
    ok: bool
    events_checked: int
    checkpoints_checked: int
    first_bad_position: int | None
    problem: str | None  # one of PROBLEMS
    detail: str | None
    unchained: int = 0  # events after the chain's head: not yet chained, not an error


class AuditChainProjection:
    """Follows every event, undecoded: the chain hashes the stored bytes."""

    name = "audit"
    version = 1
    topics: tuple[str, ...] = ()
    raw = True

    def process(self, notification: Any, unit: Any) -> None:
        unit.add(notification)


class ChainBatch:
    """One batch of raw notifications hashed onto the chain from its stored head, and the
    checkpoints it owes: one each time it crosses a multiple of `every` positions, and one at
    its end unless the head is already anchored (so a catch-up always ends signed)."""

    def __init__(self, head: tuple[int, bytes], last_checkpoint: int, every: int) -> None:
        self.position, self.previous = head
        self.anchored, self.every = last_checkpoint, every
        self.rows: list[ChainRow] = []
        self.marks: list[tuple[int, bytes]] = []

    def add(self, notification: Any) -> None:
        position = notification.id
        if position <= self.position:
            # Another follower chained it first (its transaction committed before ours read
            # the head): the follower takes up from the recorded position, as for any store.
            raise IntegrityError(f"position {position} is not after the chain's head "
                                 f"{self.position}")
        oid, name = _id_bytes(notification.originator_id), notification.topic.encode()
        version, state = notification.originator_version, notification.state
        self.previous = _link(self.previous, position, oid, version, name, state)
        self.rows.append((position, self.previous, _digest(oid, version, name, state)))
        if position // self.every > self.position // self.every:
            self.marks.append((position, self.previous))
            self.anchored = position
        self.position = position

    def checkpoints(self) -> list[tuple[int, bytes]]:
        """(position, head hash) to sign, in order."""
        if self.rows and self.anchored < self.position:
            return [*self.marks, (self.position, self.previous)]
        return list(self.marks)


def verify(rows: Iterable[Row], chain: Iterable[ChainRow], checkpoints: Iterable[Checkpoint],
           public_key_verify: Verifier) -> VerificationReport:
    """Recompute the chain from GENESIS over `rows` (the log as stored now) and report the
    first position where it disagrees with `chain` (what the projection recorded) or with a
    signed checkpoint. Gaps in positions are never errors: the chain records what it saw."""
    marks = sorted(checkpoints, key=attrgetter("position"))
    forged = next((c for c in marks if not public_key_verify(c.message(), c.signature)), None)
    scan = _Scan(iter(rows), iter(chain), [(c.position, c.head_hash) for c in marks])
    scan.run()
    found = scan.problem
    if forged is not None and (found is None or forged.position < found[0]):
        found = (forged.position, "checkpoint_signature_invalid",
                 f"the checkpoint at {forged.position} is not signed by the audit key")
    if found is None:
        return VerificationReport(True, scan.checked, scan.marks_checked, None, None,
                                  not_yet_chained(scan.unchained, scan.position), scan.unchained)
    position, problem, detail = found
    sound = min(scan.marks_checked, bisect_left([c.position for c in marks], position))
    return VerificationReport(False, scan.checked, sound, position, problem, detail,
                              scan.unchained)


def chain_agrees(rows: Iterable[Row], recorded: Iterable[bytes], marks: list[Checkpoint],
                 size: int = CHUNK) -> int | None:
    """The common case, fast: how many events agree with the chain (None at the first sign of
    any disagreement; `verify` then names it).

    `rows` up to the chain's head, `recorded` the chain's hashes in position order, `size`
    rows per piece, concatenated (one object per piece rather than three per row). Recomputed
    links are compared a piece at a time; since every link covers its position, equal pieces
    mean equal positions too. Checkpoint signatures are the caller's to check first."""
    previous, checked, next_mark, pieces = GENESIS, 0, 0, iter(recorded)
    pack, sha, it = _LINK.pack, _sha256, iter(rows)
    while batch := list(islice(it, size)):
        hashes: list[bytes] = []
        append = hashes.append
        for position, originator_id, version, topic, state in batch:  # link(), inlined
            oid, name = originator_id.encode(), topic.encode()
            previous = sha(b"".join((pack(previous, position, version, len(oid), len(name),
                                          len(state)), oid, name, state))).digest()
            append(previous)
        if b"".join(hashes) != next(pieces, None):
            return None
        if next_mark < len(marks) and marks[next_mark].position <= batch[-1][0]:
            positions = list(map(_position, batch))
            while next_mark < len(marks) and marks[next_mark].position <= positions[-1]:
                at = bisect_left(positions, marks[next_mark].position)
                if positions[at] != marks[next_mark].position or \
                        hashes[at] != marks[next_mark].head_hash:
                    return None
                next_mark += 1
        checked += len(batch)
    if next(pieces, None) or next_mark < len(marks):
        return None
    return checked


def not_yet_chained(count: int, head: int) -> str | None:
    return f"{count} events after position {head} are not yet chained" if count else None


def _links(previous: bytes, hashes: list[bytes], rows: list[Row]) -> list[bytes]:
    """Each row's link from the recorded hash before it: equal to `hashes` everywhere iff the
    chain recomputed from `previous` equals the recorded one (no loop-carried state, so one
    comprehension does it)."""
    pack, sha = _LINK.pack, _sha256
    return [sha(b"".join((pack(prev, position, version, len(oid := originator_id.encode()),
                               len(name := topic.encode()), len(state)), oid, name, state))
                ).digest()
            for prev, (position, originator_id, version, topic, state)
            in zip(chained((previous,), hashes), rows, strict=False)]  # one previous too many


class _Scan:
    """Walks the log and the chain side by side: a chunk at a time while they agree (the
    fast path), then one row at a time to name the first disagreement."""

    def __init__(self, rows: Iterator[Row], chain: Iterator[ChainRow],
                 marks: list[tuple[int, bytes]]) -> None:
        self.rows, self.chain, self.marks = rows, chain, marks
        self.previous, self.position = GENESIS, 0  # the last verified link
        self.checked = self.marks_checked = self.unchained = 0
        self.problem: tuple[int, str, str] | None = None

    def run(self) -> None:
        while self.problem is None:
            batch, links = list(islice(self.rows, CHUNK)), list(islice(self.chain, CHUNK))
            if not batch and not links:
                break
            positions = list(map(_position, batch))
            if positions == list(map(_position, links)):
                hashes = list(map(_hash, links))
                if _links(self.previous, hashes, batch) == hashes:
                    self._verified(positions, hashes)
                    continue
            self._one_by_one(chained(batch, self.rows), chained(links, self.chain))
        if self.problem is None and self.marks_checked < len(self.marks):
            at = self.marks[self.marks_checked][0]
            self._fail(at, "removed", f"a signed checkpoint anchors position {at} but the chain "
                       f"and the log end at {self.position}: their tail was removed")

    def _one_by_one(self, rows: Iterator[Row], chain: Iterator[ChainRow]) -> None:
        for row in rows:
            recorded = next(chain, None)
            if recorded is None:  # past the chain's head
                self.unchained = 1 + sum(1 for _ in rows)
                return
            if row[0] > recorded[0]:
                return self._fail(recorded[0], "removed", f"the chain recorded an event at "
                                  f"{recorded[0]} that the log no longer has")
            if row[0] < recorded[0]:
                return self._fail(row[0], "inserted", f"the log has an event at {row[0]} that "
                                  "the chain never saw")
            expected = link(self.previous, *row)
            if expected != recorded[1]:
                return self._mismatch(row, recorded, chain)
            self._verified([row[0]], [expected])
            if self.problem is not None:
                return None
        recorded = next(chain, None)
        if recorded is not None:
            self._fail(recorded[0], "removed", f"the chain recorded an event at {recorded[0]} "
                       "that the log no longer has")
        return None

    def _mismatch(self, row: Row, recorded: ChainRow, chain: Iterator[ChainRow]) -> None:
        position, digest = row[0], content_digest(*row[1:])
        if digest == recorded[2]:
            return self._fail(position, "chain_altered", f"the event at {position} is the one "
                              "the chain recorded, but the chain's hash there was edited (or "
                              "an event before it was removed with its chain row)")
        other = next((p for p, _, d in chain if d == digest), None)
        if other is not None:
            return self._fail(position, "reordered", f"position {position} holds the event the "
                              f"chain recorded at position {other}")
        return self._fail(position, "altered", f"the event stored at {position} is not the one "
                          "the chain recorded")

    def _verified(self, positions: list[int], hashes: list[bytes]) -> None:
        """Links up to positions[-1] agree: check the signed checkpoints among them."""
        marks, last = self.marks, positions[-1]
        while self.marks_checked < len(marks) and marks[self.marks_checked][0] <= last:
            at, head = marks[self.marks_checked]
            i = bisect_left(positions, at)
            if i == len(positions) or positions[i] != at:
                self.checked += i
                return self._fail(at, "removed", f"a signed checkpoint anchors position {at}, "
                                  "which neither the log nor the chain has any more")
            if hashes[i] != head:
                self.checked += i
                return self._fail(at, "chain_altered", f"the signed checkpoint at {at} does not "
                                  "match the chain recomputed from the log: the log was changed "
                                  "before it and the chain table rewritten to match")
            self.marks_checked += 1
        self.checked += len(positions)
        self.previous, self.position = hashes[-1], last
        return None

    def _fail(self, position: int, problem: str, detail: str) -> None:
        self.problem = (position, problem, detail)
