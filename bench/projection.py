"""Projection throughput: a full rebuild of the search model, and catching up a backlog of
stock changes, in events per second, next to a raw read (and decode) of the same events.

    python -m bench.projection --backend sqlite|postgres [--merchants 1000] [--listings 20]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from pathlib import Path

from rich.table import Table

from api.container import build_container
from api.schemas.merchants import MerchantApplicationIn
from application.actors import Actor, Role
from bench.common import console
from bench.dataset import generate
from bench.stock_updates import settings_for
from domain.listing import Listing, ListingDetails
from domain.merchant import Merchant
from projections.follower import Follower

SAVE_BATCH = 200


def populate(container, merchants: int, listings: int) -> list[Listing]:  # noqa: ANN001
    """Merchants applied and approved, listings created, stocked and published: as events."""
    validator = Actor(Role.VALIDATOR, str(uuid.uuid4()))
    created: list[Listing] = []
    pending: list = []
    fiches = [(m.fiche.pop("external_id"), m) for m in generate(merchants, listings, seed=5)]
    for external_id, synthetic in fiches:
        container.merchants.import_fiche(
            external_id, MerchantApplicationIn.model_validate(synthetic.fiche).to_form(),
            validator)
    app = container.app
    merchant_ids = [n.originator_id for n in app.recorder.select_notifications(1, 10**9)
                    if n.topic == "comptoir.Merchant.Applied"]
    for merchant_id, (_, synthetic) in zip(merchant_ids, fiches, strict=True):
        merchant = app.repository.get(merchant_id)
        assert isinstance(merchant, Merchant)
        for body in synthetic.listings:
            listing = Listing(merchant.id, ListingDetails.check(body))
            listing.set_stock(body["stock"])
            listing.publish(merchant_is_approved=True)
            pending.append(listing)
            created.append(listing)
            if len(pending) >= SAVE_BATCH:
                app.save(*pending)
                pending = []
    app.save(*pending)
    return created


def stock_backlog(container, listings: list[Listing], count: int) -> None:  # noqa: ANN001
    rng = random.Random(9)
    for start in range(0, count, SAVE_BATCH):
        batch = {}
        for _ in range(min(SAVE_BATCH, count - start)):
            listing = rng.choice(listings)
            listing.set_stock(rng.randint(0, 50))
            batch[listing.id] = listing
        container.app.save(*batch.values())


def raw_read(container, follower: Follower) -> tuple[int, float]:  # noqa: ANN001
    """Baseline: read and decode the same notifications, apply nothing."""
    started, count, position = time.perf_counter(), 0, 0
    head = follower.head()
    topics = follower.store.projection.topics
    while position < head:
        notifications = container.app.recorder.select_notifications(
            position + 1, 1000, stop=head, topics=topics)
        if not notifications:
            break
        for n in notifications:
            container.app.mapper.to_domain_event(n)
        count += len(notifications)
        position = notifications[-1].id
    return count, time.perf_counter() - started


def run(backend: str, merchants: int, listings: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)
        started = time.perf_counter()
        created = populate(container, merchants, listings)
        written = container.app.log_position()
        console.print(f"{backend}: {written:,} events written in "
                      f"{time.perf_counter() - started:.0f}s")
        follower = Follower(container.app, container.search_store)
        rows = []
        started = time.perf_counter()
        applied = follower.rebuild()
        rows.append(("full rebuild", applied, time.perf_counter() - started))
        read, seconds = raw_read(container, follower)
        rows.append(("raw read + decode (baseline)", read, seconds))
        stock_backlog(container, created, 20_000)
        started = time.perf_counter()
        applied = follower.catch_up()
        rows.append(("catch up 20,000 stock changes", applied, time.perf_counter() - started))
        table = Table(title=f"Search projection on {backend}")
        for column in ("pass", "events", "seconds", "events/s"):
            table.add_column(column, justify="left" if column == "pass" else "right")
        for name, events, secs in rows:
            table.add_row(name, f"{events:,}", f"{secs:.1f}", f"{events / secs:,.0f}")
        console.print(table)
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--merchants", type=int, default=1000)
    parser.add_argument("--listings", type=int, default=20, help="per merchant")
    args = parser.parse_args()
    run(args.backend, args.merchants, args.listings)


if __name__ == "__main__":
    main()
