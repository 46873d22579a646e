"""The audit chain over the real event log, both backends: an untouched log verifies with exact
counts; each kind of tampering, done with SQL behind the application's back, is named at
exactly its position; destroying a person's key changes nothing; a rebuild gives the same chain.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from adapters.audit_signing import AuditSigner, public_key_verifier
from adapters.audit_stores import (
    PostgresAuditChainStore,
    PostgresRawLog,
    SQLiteAuditChainStore,
    SQLiteRawLog,
    verify_store,
)
from adapters.event_store import postgres_datastore
from api.container import Container, build_container, storage_config
from api.settings import Settings
from application.actors import Actor, Role
from domain.merchant import Merchant
from projections.audit_chain import (
    GENESIS,
    ChainBatch,
    VerificationReport,
    chain_agrees,
    content_digest,
    link,
    verify,
)
from projections.follower import Follower
from tests.integration.test_event_store import VALIDATOR
from tests.unit.test_merchant import form
from tests.unit.test_merchant_services import LISTING

EVERY = 5  # checkpoint every 5 positions: a small history still has several


# --- the chain on its own ------------------------------------------------------------------

def notification(position: int, topic: str = "comptoir.X.Happened",
                 state: bytes = b"{}") -> SimpleNamespace:
    return SimpleNamespace(id=position, originator_id=UUID(int=position), originator_version=1,
                           topic=topic, state=state)


def chained(positions: list[int]) -> tuple[list[tuple], list[tuple], Any]:
    """Raw rows as a log would give them, and the chain a projection records over them."""
    events = [notification(p) for p in positions]
    batch = ChainBatch((0, GENESIS), 0, EVERY)
    for event in events:
        batch.add(event)
    rows = [(e.id, e.originator_id.hex, 1, e.topic, e.state) for e in events]
    return rows, batch.rows, batch


def test_every_field_is_delimited_and_an_id_hashes_the_same_as_uuid_or_hex() -> None:
    oid = uuid4()
    assert link(GENESIS, 1, oid, 1, "t", b"x") == link(GENESIS, 1, oid.hex, 1, "t", b"x")
    assert link(GENESIS, 1, "ab", 1, "c", b"") != link(GENESIS, 1, "a", 1, "bc", b"")
    assert content_digest("a", 1, "b", b"c") != content_digest("a", 1, "bc", b"")
    assert link(GENESIS, 1, "a", 1, "b", b"c") != link(GENESIS, 2, "a", 1, "b", b"c")


def test_gaps_in_positions_are_not_errors_but_an_event_in_a_gap_was_inserted() -> None:
    signer = AuditSigner.generate()
    rows, chain, _ = chained([1, 2, 5, 6, 9])
    assert verify(rows, chain, [], signer.verifier()) == VerificationReport(
        True, 5, 0, None, None, None)
    intruder = (3, uuid4().hex, 1, "comptoir.X.Happened", b"{}")
    report = verify([*rows[:2], intruder, *rows[2:]], chain, [], signer.verifier())
    assert (report.ok, report.problem, report.first_bad_position) == (False, "inserted", 3)


def test_events_past_the_chains_head_are_counted_as_not_yet_chained() -> None:
    rows, chain, _ = chained([1, 2, 3, 4])
    report = verify(rows, chain[:3], [], AuditSigner.generate().verifier())
    assert (report.ok, report.events_checked, report.unchained) == (True, 3, 1)
    assert "1 events after position 3" in (report.detail or "")


def test_checkpoints_fall_on_each_crossed_multiple_and_anchor_the_head() -> None:
    _, _, batch = chained([1, 2, 4, 6, 7, 12, 13])
    assert [p for p, _ in batch.checkpoints()] == [6, 12, 13]


def test_the_signing_key_is_created_private_once_and_verifies_with_its_public_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secrets" / "audit-ed25519.pem"
    signer = AuditSigner.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = AuditSigner.load_or_create(path)
    assert again.public_key_pem() == signer.public_key_pem()
    check = public_key_verifier(signer.public_key_pem())
    assert check(b"m", again.sign(b"m"))
    assert not check(b"m", AuditSigner.generate().sign(b"m"))


# --- the chain over the real log -----------------------------------------------------------

@dataclass
class Audit:
    settings: Settings
    container: Container
    store: SQLiteAuditChainStore | PostgresAuditChainStore
    log: SQLiteRawLog | PostgresRawLog
    signer: AuditSigner
    merchant_id: UUID

    def follow(self) -> int:
        return Follower(self.container.app, self.store).catch_up()

    def verify(self) -> VerificationReport:
        return verify_store(self.log, self.store, public_key_verifier(
            self.signer.public_key_pem()))

    def events(self, statement: str, *params: Any) -> None:
        """SQL on the event table, behind the application's back (`{events}`, `{id}`, `?`)."""
        if self.settings.backend == "sqlite":
            with sqlite3.connect(self.settings.event_store_path) as db:
                db.execute(statement.format(events="stored_events", id="rowid"), params)
            return
        dsn = self.settings.postgres_dsn
        assert dsn is not None
        with psycopg.connect(dsn.get_secret_value(), autocommit=True) as conn:
            conn.execute(statement.format(events=f'"{self.settings.postgres_schema}"'
                                          ".comptoir_events", id="notification_id")
                         .replace("?", "%s"), params)

    def chain_table(self, statement: str, *params: Any) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(statement), params)

    def state_at(self, position: int) -> bytes:
        return next(self.log.rows(position, position))[4]


def history(c: Container) -> UUID:
    """Three merchants approved, a listing each, stocked, restocked and published."""
    first_merchant = None
    for n in range(3):
        merchant = c.merchants.apply(form(neq=f"11654321{n:02d}", name=f"Commerce {n}"))
        c.merchants.approve(VALIDATOR, merchant.id)
        owner = Actor(Role.MERCHANT, str(uuid4()), merchant.id)
        listing_id = c.catalog.create_listing(owner, merchant.id, LISTING)
        for on_hand in (10, 20, 30):
            c.catalog.set_stock(owner, listing_id, on_hand)
        c.catalog.publish(owner, listing_id)
        first_merchant = first_merchant or merchant.id
    assert first_merchant is not None
    return first_merchant


@pytest.fixture
def audit(settings: Settings) -> Iterator[Audit]:
    container = build_container(settings)
    signer = AuditSigner.generate()
    store: SQLiteAuditChainStore | PostgresAuditChainStore
    log: SQLiteRawLog | PostgresRawLog
    if settings.backend == "postgres":
        assert settings.postgres_dsn is not None
        datastore = postgres_datastore(storage_config(settings), pool_size=2)
        store = PostgresAuditChainStore(datastore, signer, checkpoint_every=EVERY)
        log = PostgresRawLog(settings.postgres_dsn.get_secret_value(), settings.postgres_schema)
    else:
        store = SQLiteAuditChainStore(settings.data_dir / "audit.sqlite3", signer,
                                      checkpoint_every=EVERY)
        log = SQLiteRawLog(settings.event_store_path)
    merchant_id = history(container)
    yield Audit(settings, container, store, log, signer, merchant_id)
    store.datastore.close()
    container.close()


def test_an_untouched_log_verifies_with_exact_counts(audit: Audit) -> None:
    events = audit.container.app.log_position()
    assert audit.follow() == events
    report = audit.verify()
    checkpoints = audit.store.checkpoints()
    assert report == VerificationReport(True, events, len(checkpoints), None, None, None)
    assert checkpoints[-1].position == events == audit.store.head()[0]  # the head is anchored
    assert {c.position for c in checkpoints} >= {p for p in range(EVERY, events, EVERY)}


def test_the_fast_pass_reads_the_same_hashes_and_agrees_with_the_row_by_row_one(
    audit: Audit,
) -> None:
    audit.follow()
    hashes = b"".join(h for _, h, _ in audit.store.chain_rows())
    assert b"".join(audit.store.hash_pieces(size=4)) == hashes
    assert [len(piece) for piece in audit.store.hash_pieces(size=4, stop=9)] == [128, 128, 32]
    marks, head = audit.store.checkpoints(), audit.store.head()[0]
    assert chain_agrees(audit.log.rows(stop=head), audit.store.hash_pieces(), marks) == head
    assert verify(audit.log.rows(), audit.store.chain_rows(), marks,
                  audit.signer.verifier()) == audit.verify()


def test_the_raw_log_reads_one_aggregates_stored_events_in_order(audit: Audit) -> None:
    rows = audit.log.rows_of(audit.merchant_id)
    assert [version for _, _, version, _, _ in rows] == [1, 2]
    assert [topic for _, _, _, topic, _ in rows] == ["comptoir.Merchant.Applied",
                                                      "comptoir.Merchant.Approved"]
    assert {oid for _, oid, _, _, _ in rows} == {audit.merchant_id.hex}


def test_events_not_yet_followed_are_reported_but_are_no_error(audit: Audit) -> None:
    audit.follow()
    audit.container.merchants.apply(form(neq="1165432199", name="Tardif"))
    report = audit.verify()
    assert report.ok and report.unchained > 0
    assert report.events_checked + report.unchained == audit.container.app.log_position()


def test_one_byte_changed_in_a_stored_event_is_altered_at_its_position(audit: Audit) -> None:
    audit.follow()
    position = 7
    state = bytearray(audit.state_at(position))
    state[len(state) // 2] ^= 0x01
    audit.events("UPDATE {events} SET state = ? WHERE {id} = ?", bytes(state), position)
    report = audit.verify()
    assert (report.ok, report.problem, report.first_bad_position) == (False, "altered", position)
    assert report.events_checked == position - 1


def test_a_deleted_event_is_removed_at_its_position(audit: Audit) -> None:
    audit.follow()
    audit.events("DELETE FROM {events} WHERE {id} = ?", 11)
    report = audit.verify()
    assert (report.ok, report.problem, report.first_bad_position) == (False, "removed", 11)


def test_two_events_swapped_are_reordered_at_the_first_naming_the_other(audit: Audit) -> None:
    audit.follow()
    first, second = 4, 9
    for old, new in ((first, -1), (second, first), (-1, second)):  # through a free position
        audit.events("UPDATE {events} SET {id} = ? WHERE {id} = ?", new, old)
    report = audit.verify()
    assert (report.ok, report.problem, report.first_bad_position) == (False, "reordered", first)
    assert f"recorded at position {second}" in (report.detail or "")


def test_an_edited_chain_hash_is_named_at_its_position(audit: Audit) -> None:
    audit.follow()
    audit.chain_table("UPDATE {p}audit_chain SET hash = ? WHERE position = ?", bytes(32), 6)
    report = audit.verify()
    assert (report.ok, report.problem, report.first_bad_position) == (False, "chain_altered", 6)


def test_a_log_edit_hidden_by_rewriting_the_chain_is_caught_by_a_signed_checkpoint(
    audit: Audit,
) -> None:
    audit.follow()
    audit.events("UPDATE {events} SET state = ? WHERE {id} = ?", b'{"forged":true}', 8)
    # The forger recomputes the chain rows from the edited log (but cannot sign checkpoints).
    previous = GENESIS
    for position, oid, version, topic, state in audit.log.rows():
        previous = link(previous, position, oid, version, topic, state)
        audit.chain_table("UPDATE {p}audit_chain SET hash = ?, digest = ? WHERE position = ?",
                          previous, content_digest(oid, version, topic, state), position)
    report = audit.verify()
    assert (report.ok, report.problem, report.first_bad_position) == (False, "chain_altered", 10)


def test_a_checkpoint_with_a_wrong_signature_is_named(audit: Audit) -> None:
    audit.follow()
    forged = audit.store.checkpoints()[1]
    audit.chain_table("UPDATE {p}audit_checkpoints SET signature = ? WHERE position = ?",
                      AuditSigner.generate().sign(forged.message()), forged.position)
    report = audit.verify()
    assert (report.ok, report.problem) == (False, "checkpoint_signature_invalid")
    assert report.first_bad_position == forged.position
    assert report.checkpoints_checked == 1


def test_destroying_a_persons_key_leaves_the_chain_intact(audit: Audit) -> None:
    audit.follow()
    head = audit.store.head()
    merchant = audit.container.app.repository.get(audit.merchant_id)
    assert isinstance(merchant, Merchant)
    assert audit.container.keys.delete(merchant.contact.subject_id)
    assert audit.verify().ok
    assert Follower(audit.container.app, audit.store).rebuild() > 0
    assert audit.store.head() == head


def test_a_rebuild_from_zero_gives_the_same_chain_as_following_live(audit: Audit) -> None:
    live = Follower(audit.container.app, audit.store, batch_size=3)  # small batches, as live
    live.catch_up()
    audit.container.merchants.apply(form(neq="1165432188", name="Ensuite"))
    live.catch_up()
    head, dump = audit.store.head(), audit.store.dump()
    assert head[1] != GENESIS and len(dump) == audit.container.app.log_position()
    Follower(audit.container.app, audit.store).rebuild()
    assert audit.store.head() == head
    assert audit.store.dump() == dump
    assert audit.verify().ok
