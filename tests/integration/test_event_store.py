"""The one event log on real SQLite and PostgreSQL: durability, encryption, concurrency."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg import sql

from adapters.advisory_locks import AdvisoryAggregateLocks
from api.container import Container, build_container
from api.settings import Settings
from application.actors import Actor, Role
from application.app import Comptoir, project
from application.idempotency import IdempotencyKey
from application.stock_feed import FeedLine
from domain.listing import Listing, StockReason
from tests.unit.test_merchant import form
from tests.unit.test_merchant_services import LISTING

VALIDATOR = Actor(Role.VALIDATOR, str(uuid4()))


def approved_merchant_with_listing(container: Container) -> tuple[Actor, str, str]:
    applied = container.merchants.apply(form())
    container.merchants.approve(VALIDATOR, applied.id)
    owner = Actor(Role.MERCHANT, str(uuid4()), applied.id)
    listing_id = container.catalog.create_listing(owner, applied.id, LISTING)
    return owner, applied.id, listing_id


def test_events_written_before_a_restart_are_read_back_after_it(settings: Settings) -> None:
    first = build_container(settings)
    owner, merchant_id, listing_id = approved_merchant_with_listing(first)
    first.catalog.set_stock(owner, listing_id, 7)
    position = first.app.log_position()
    first.close()

    second = build_container(settings)
    try:
        assert second.app.log_position() == position
        merchant = second.merchants.get(VALIDATOR, merchant_id)
        assert (merchant.status, merchant.contact.get("name")) == ("approved", "Luc Gagnon")
        assert second.catalog.get(owner, listing_id).on_hand == 7
        topics = [n.topic for n in second.app.recorder.select_notifications(start=1, limit=100)]
        assert topics[:2] == ["comptoir.Merchant.Applied", "comptoir.Claim.Created"]
        assert "comptoir.Listing.StockSet" in topics
    finally:
        second.close()


def test_personal_data_is_stored_encrypted_and_unreadable_once_its_key_is_gone(
    container: Container,
) -> None:
    applied = container.merchants.apply(form())
    stored = b"".join(n.state for n in container.app.recorder.select_notifications(1, 100))
    assert b"Luc Gagnon" not in stored and b"luc@pain.example" not in stored
    assert b"Boulangerie Le Pain Dor" in stored  # business data stays readable

    container.keys.delete(applied.contact.subject_id)
    forgotten = container.merchants.get(VALIDATOR, applied.id).contact
    assert forgotten is not None and forgotten.forgotten and forgotten.get("email") is None
    assert container.merchants.get(VALIDATOR, applied.id).name == "Boulangerie Le Pain Doré"


def test_the_log_holds_byte_for_byte_what_a_save_gave_it(container: Container) -> None:
    # On PostgreSQL a save's events go to the server in binary (adapters/postgres_recorders):
    # events and a snapshot, read back as they were given.
    given = []
    insert = container.app.recorder.insert_events

    def recording(stored_events, **kwargs):  # type: ignore[no-untyped-def]
        given.extend(stored_events)
        return insert(stored_events, **kwargs)

    container.app.recorder.insert_events = recording
    owner, merchant_id, listing_id = approved_merchant_with_listing(container)
    for level in range(1, 12):  # versions 2 to 12: a snapshot at 10
        container.catalog.set_stock(owner, listing_id, level)
    stored = {(n.originator_id, n.originator_version): (n.topic, n.state)
              for n in container.app.recorder.select_notifications(1, 1000)}
    assert len(given) == len(stored) > 12
    assert all(stored[e.originator_id, e.originator_version] == (e.topic, e.state)
               for e in given)
    snapshots = container.app.snapshots
    assert snapshots is not None
    [snapshot] = snapshots.recorder.select_events(listing_id, desc=True, limit=1)
    assert container.app.mapper.to_domain_event(snapshot).state["on_hand"] == 9  # version 10


def test_concurrent_stock_adjustments_all_apply(container: Container) -> None:
    owner, _, listing_id = approved_merchant_with_listing(container)
    container.catalog.set_stock(owner, listing_id, 100)

    def sell_one(_: int) -> None:
        container.catalog.adjust_stock(owner, listing_id, -1, StockReason.SOLD_IN_STORE)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(sell_one, range(24)))
    assert container.catalog.get(owner, listing_id).on_hand == 76


def test_concurrent_retries_with_one_idempotency_key_create_one_merchant(
    container: Container,
) -> None:
    key = IdempotencyKey.of("same-key", operation="merchants.apply", subject="anonymous",
                            request={"body": 1})

    def apply(_: int) -> str:
        return str(container.merchants.apply(form(), key).id)

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = set(pool.map(apply, range(10)))
    assert len(ids) == 1
    applied_events = [
        n for n in container.app.recorder.select_notifications(1, 1000)
        if n.topic == "comptoir.Merchant.Applied"
    ]
    assert len(applied_events) == 1


def test_a_listing_with_many_stock_events_is_rebuilt_from_a_snapshot(
    container: Container,
) -> None:
    owner, _, listing_id = approved_merchant_with_listing(container)
    for on_hand in range(1, 121):
        container.catalog.set_stock(owner, listing_id, on_hand)
    snapshots = list(container.app.snapshots.get(listing_id))  # type: ignore[union-attr]
    assert snapshots, "snapshotting interval should have taken at least one snapshot"
    assert container.catalog.get(owner, listing_id).on_hand == 120
    assert container.catalog.get(owner, listing_id).details.title_fr == "Baguette"


def test_aggregates_read_together_are_those_the_repository_rebuilds_one_by_one(
    container: Container,
) -> None:
    """Comptoir.aggregates (one statement on PostgreSQL) against eventsourcing's own
    repository: a listing past two snapshots with events after the last, a merchant that was
    never snapshotted, an id that exists nowhere — and a snapshot taken between two reads."""
    owner, merchant_id, listing_id = approved_merchant_with_listing(container)
    every = Comptoir.snapshotting_intervals[Listing]
    for on_hand in range(1, 47):  # past a few snapshots, with events after the last
        container.catalog.set_stock(owner, listing_id, on_hand)
    app, nowhere = container.app, uuid4()
    together = app.aggregates([listing_id, merchant_id, nowhere, listing_id])
    assert set(together) == {listing_id, merchant_id}  # nothing made up for `nowhere`
    for aggregate_id in (listing_id, merchant_id):
        one_by_one = app.repository.get(aggregate_id)
        assert together[aggregate_id].version == one_by_one.version
        assert together[aggregate_id].__dict__ == one_by_one.__dict__
    assert together[listing_id].on_hand == 46
    assert [s.originator_version for s in app.snapshots.get(listing_id)] == list(  # type: ignore[union-attr]
        range(every, 47, every))
    for on_hand in range(47, 61):  # another snapshot lands between two reads
        container.catalog.set_stock(owner, listing_id, on_hand)
    assert app.aggregates([listing_id])[listing_id].on_hand == 60
    # None asked, none read: not even a connection taken (a flush of anonymous visits asks so).
    assert app.streams is not None

    def no_read(ids: Any) -> Any:
        raise AssertionError(f"read for {ids!r}")

    app.streams.latest = no_read  # type: ignore[method-assign]
    assert app.aggregates([]) == {}


def test_a_save_that_makes_snapshots_due_takes_them_from_what_it_saved_in_one_write(
    container: Container,
) -> None:
    """A stock feed brings many listings to a snapshot at once: one write of snapshots, each
    equal to the listing replayed from its events alone."""
    owner, merchant_id, _ = approved_merchant_with_listing(container)
    listing_ids = [container.catalog.create_listing(owner, merchant_id, {
        **LISTING, "title_fr": f"Pain {n}", "sku": f"PAIN-{n}"}) for n in range(30)]
    every = Comptoir.snapshotting_intervals[Listing]
    app = container.app
    puts = []
    put = app.snapshots.put  # type: ignore[union-attr]
    app.snapshots.put = lambda items, **kw: puts.append(len(items)) or put(items, **kw)  # type: ignore[union-attr]
    level = 0
    while not puts:
        level += 1
        container.stock_feeds.feed_stock(owner, merchant_id, [
            FeedLine(n + 1, f"PAIN-{n}", level) for n in range(30)])
    del app.snapshots.put  # type: ignore[union-attr]
    assert puts == [30]  # every listing of the feed, in one write
    for listing_id in listing_ids:
        [snapshot] = app.snapshots.get(listing_id)  # type: ignore[union-attr]
        assert snapshot.originator_version % every == 0
        replayed = app.repository.get(listing_id, version=snapshot.originator_version,
                                      projector_func=project)
        assert Listing.Snapshot.take(replayed).state == snapshot.state
        assert app.aggregates([listing_id])[listing_id].on_hand == level


def test_every_service_shares_the_writers_locks_and_another_process_waits_for_them(
    container: Container, settings: Settings, backend: str
) -> None:
    """One registry of writers' locks per process, shared by every service, so that a stock
    change waits for a checkout holding the same listing instead of colliding with it; on
    PostgreSQL it takes the database's advisory locks, so a writer in another process waits
    too. (Each service had silently made its own: an empty registry is falsy.)"""
    services = [container.catalog, container.checkout, container.carts, container.payments,
                container.payouts, container.stock_feeds, container.orders]
    assert len({id(service.locks) for service in services}) == 1
    assert isinstance(container.catalog.locks, AdvisoryAggregateLocks) == (backend == "postgres")
    owner, _, listing_id = approved_merchant_with_listing(container)
    other = build_container(settings) if backend == "postgres" else container
    held, released = threading.Event(), threading.Event()

    def checkout_holding_the_listing() -> None:
        with container.checkout.locks.hold([listing_id]):
            held.set()
            time.sleep(0.3)
            released.set()

    try:
        holder = threading.Thread(target=checkout_holding_the_listing)
        holder.start()
        assert held.wait(5)
        other.catalog.set_stock(owner, listing_id, 7)  # another service (another process)
        assert released.is_set()  # it waited for the writer holding the listing
        holder.join()
        assert other.catalog.get(owner, listing_id).on_hand == 7
    finally:
        if other is not container:
            other.close()


def test_two_processes_worth_of_writers_on_one_listing_lose_nothing(
    container: Container, settings: Settings
) -> None:
    """Two application instances (as two API processes would be) only meet at the database:
    their conflicts are caught by optimistic concurrency and retried."""
    other = build_container(settings)
    try:
        owner, _, listing_id = approved_merchant_with_listing(container)
        container.catalog.set_stock(owner, listing_id, 100)
        catalogs = [container.catalog, other.catalog]

        def sell_one(n: int) -> None:
            catalogs[n % 2].adjust_stock(owner, listing_id, -1, StockReason.SOLD_IN_STORE)

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(sell_one, range(30)))
        assert container.catalog.get(owner, listing_id).on_hand == 70
        assert other.catalog.get(owner, listing_id).on_hand == 70
    finally:
        other.close()


def test_a_save_wakes_no_listener_on_postgresql(container: Container, backend: str) -> None:
    """Nothing listens to the log's channel: a save sends no NOTIFY (which would hold a
    database-wide lock through its commit); a NOTIFY sent by hand arrives, so the listener
    below does hear."""
    if backend != "postgres":
        return  # SQLite has no channels
    recorder = container.app.recorder
    with psycopg.connect(container.settings.postgres_dsn.get_secret_value(),
                         autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(recorder.channel_name)))
        approved_merchant_with_listing(container)
        heard = [n.channel for n in listener.notifies(timeout=0.5, stop_after=1)]
        assert heard == []
        with psycopg.connect(container.settings.postgres_dsn.get_secret_value(),
                             autocommit=True) as other:
            other.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(recorder.channel_name)))
        heard = [n.channel for n in listener.notifies(timeout=5, stop_after=1)]
        assert heard == [recorder.channel_name]


def test_a_save_with_a_version_taken_meanwhile_writes_none_of_its_events(
    container: Container,
) -> None:
    recorder = container.app.recorder
    taken, fresh = uuid4(), uuid4()
    recorder.insert_events([StoredEvent(taken, 1, "comptoir.Test.Happened", b"{}")])
    before = recorder.max_notification_id()
    with pytest.raises(IntegrityError):
        recorder.insert_events([StoredEvent(fresh, 1, "comptoir.Test.Happened", b"{}"),
                                StoredEvent(taken, 1, "comptoir.Test.Happened", b"{}")])
    assert recorder.select_events(fresh) == []
    assert recorder.max_notification_id() == before
    ids = recorder.insert_events([StoredEvent(fresh, 1, "comptoir.Test.Happened", b"{}")])
    assert len(ids) == 1 and ids[0] > before


def test_a_save_waits_for_a_writer_in_flight_on_postgresql(container: Container,
                                                           backend: str) -> None:
    """The one-statement save takes the table lock that keeps ids in commit order: while
    another transaction has inserted events and not committed, a save waits for it, and its
    ids come after that one's (a follower never passes an id that commits later)."""
    if backend != "postgres":
        return  # SQLite serialises its writers by itself
    recorder = container.app.recorder
    table = sql.SQL("{}.{}").format(sql.Identifier(recorder.datastore.schema),
                                    sql.Identifier(recorder.events_table_name))
    saved: list[int] = []
    with psycopg.connect(container.settings.postgres_dsn.get_secret_value()) as in_flight:
        row = in_flight.execute(sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s, 1, 'comptoir.Test.Happened', '{{}}') RETURNING notification_id"
        ).format(table), [uuid4()]).fetchone()
        assert row is not None
        saving = threading.Thread(target=lambda: saved.extend(recorder.insert_events(
            [StoredEvent(uuid4(), 1, "comptoir.Test.Happened", b"{}")])))
        saving.start()
        saving.join(0.5)
        assert saving.is_alive() and saved == []  # waiting for the writer in flight
        in_flight.commit()
    saving.join(10)
    assert saved and saved[0] > row[0]


def test_saves_queued_behind_a_group_in_flight_are_written_together_on_postgresql(
    container: Container, backend: str,
) -> None:
    """Group commit (adapters/group_commit.py): saves that come while a group is written go
    together in the next, in the order they came, each with ids of its own; a save whose
    version was taken meanwhile fails alone and writes nothing."""
    if backend != "postgres":
        return  # SQLite writes one save at a time
    recorder = container.app.recorder
    taken = uuid4()
    recorder.insert_events([StoredEvent(taken, 1, "comptoir.Test.Happened", b"{}")])
    write, started, release = recorder.groups._write, threading.Event(), threading.Event()
    sizes: list[int] = []

    def held_first(group: list[Any]) -> None:
        sizes.append(len(group))
        if len(sizes) == 1:
            started.set()
            release.wait(5)
        write(group)

    recorder.groups._write = held_first
    answers: dict[str, Any] = {}

    def save(name: str, events: list[StoredEvent]) -> None:
        try:
            answers[name] = list(recorder.insert_events(events))
        except IntegrityError as error:
            answers[name] = error

    streams = {name: uuid4() for name in ("first", "b", "c", "d")}
    batches = {name: [StoredEvent(stream, v, "comptoir.Test.Happened", b"{}") for v in (1, 2)]
               for name, stream in streams.items()}
    batches["taken"] = [StoredEvent(uuid4(), 1, "comptoir.Test.Happened", b"{}"),
                        StoredEvent(taken, 1, "comptoir.Test.Happened", b"{}")]
    threads = [threading.Thread(target=save, args=("first", batches["first"]))]
    threads[0].start()
    assert started.wait(5)
    for name in ("b", "taken", "c", "d"):
        threads.append(threading.Thread(target=save, args=(name, batches[name])))
        threads[-1].start()
        deadline = time.monotonic() + 5
        while len(recorder.groups._queue) < len(threads) - 1 and time.monotonic() < deadline:
            time.sleep(0.001)
    release.set()
    for thread in threads:
        thread.join(10)
    assert sizes == [1, 4]
    assert isinstance(answers.pop("taken"), IntegrityError)
    assert recorder.select_events(batches["taken"][0].originator_id) == []
    ids = [answers[name] for name in ("first", "b", "c", "d")]
    assert all(len(pair) == 2 and pair[1] == pair[0] + 1 for pair in ids)
    assert ids == sorted(ids)
    for stream in streams.values():
        assert [e.originator_version for e in recorder.select_events(stream)] == [1, 2]
