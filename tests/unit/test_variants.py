"""Variants and SKUs: a listing sold by variant, each with its own SKU, price, stock and
reservations; a listing without variants as before; events stored before variants replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)

from application.actors import Actor
from application.checkout import CheckoutChoices
from application.stock_feed import FeedLine, StockFeeds
from application.transcodings import register_value_objects
from application.webhook_events import DATA
from domain.cart import Cart
from domain.errors import InvalidValueError, RuleViolatedError, ValidationFailedError
from domain.listing import InsufficientStockError, Listing, ListingDetails, VariantDetails
from domain.money import Money
from tests.unit.conftest import Services
from tests.unit.market import Market
from tests.unit.test_listing import RAW

UNTIL = datetime(2026, 11, 23, 13, tzinfo=UTC)


def honey(*variants: tuple[str, str, int], on_hand: int = 0) -> tuple[Listing, list[UUID]]:
    listing = Listing(uuid4(), ListingDetails.check(RAW))
    if on_hand:
        listing.set_stock(on_hand)
    ids = [listing.add_variant(VariantDetails.check({"sku": sku, "label": label,
                                                      "price_cents": cents}))
           for sku, label, cents in variants]
    listing.publish(merchant_is_approved=True)
    return listing, ids


def test_a_variant_sold_out_leaves_its_sibling_and_the_listing_in_stock() -> None:
    listing, (small, large) = honey(("MIEL-250", "250 g", 599), ("MIEL-500", "500 g", 999))
    listing.set_variant_stock(small, 2)
    listing.set_variant_stock(large, 5)
    listing.reserve(uuid4(), 2, UNTIL, small)

    assert (listing.available_of(small), listing.available_of(large)) == (0, 5)
    assert (listing.on_hand, listing.reserved, listing.available) == (7, 2, 5)
    with pytest.raises(InsufficientStockError) as error:
        listing.reserve(uuid4(), 1, UNTIL, small)
    assert error.value.params["title"] == "Miel de trèfle — 250 g"


def test_a_listing_with_variants_is_priced_from_its_lowest_and_sold_only_by_variant() -> None:
    listing, (small, large) = honey(("MIEL-500", "500 g", 999), ("MIEL-250", "250 g", 599))
    assert listing.details.price == Money(599)
    assert (listing.price_of(large), listing.title_of(small)) == (
        Money(599), "Miel de trèfle — 500 g")
    for refused in (lambda: listing.set_stock(3), lambda: listing.reserve(uuid4(), 1, UNTIL),
                    lambda: listing.revise(ListingDetails.check({**RAW, "price_cents": 1}))):
        with pytest.raises(InvalidValueError) as error:
            refused()
        assert error.value.code == "variant_required"
    with pytest.raises(InvalidValueError, match="variant_unknown"):
        listing.available_of(uuid4())


def test_the_first_variant_takes_over_the_stock_and_not_while_units_are_reserved() -> None:
    listing, _ = honey(on_hand=8)
    order = uuid4()
    listing.reserve(order, 3, UNTIL)
    with pytest.raises(RuleViolatedError, match="listing_has_reservations"):
        listing.add_variant(VariantDetails.check({"sku": "A", "label": "Pot",
                                                  "price_cents": 899}))
    listing.release(order, "cancelled")
    first = listing.add_variant(VariantDetails.check({"sku": "A", "label": "Pot",
                                                      "price_cents": 899}))
    second = listing.add_variant(VariantDetails.check({"sku": "B", "label": "Seau",
                                                       "price_cents": 4500}))
    assert [listing.variants[v.hex].on_hand for v in (first, second)] == [8, 0]
    assert listing.on_hand == 8


def test_skus_and_labels_are_unique_within_a_listing_and_hostile_ones_refused() -> None:
    listing, _ = honey(("MIEL-500", "500 g", 999))
    for raw, code in (({"sku": "MIEL-500", "label": "1 kg"}, "sku_taken"),
                      ({"sku": "MIEL-1K", "label": "500 G"}, "variant_label_taken")):
        with pytest.raises(InvalidValueError, match=code):
            listing.add_variant(VariantDetails.check({**raw, "price_cents": 1}))
    with pytest.raises(ValidationFailedError) as error:
        VariantDetails.check({"sku": "A\x00B", "label": "a\tb", "price_cents": -1})
    assert [(e.field, e.code) for e in error.value.errors] == [
        ("sku", "text_control_characters"), ("label", "variant_label_invalid"),
        ("price_cents", "price_out_of_range")]
    assert VariantDetails.check({"sku": " ＭＩＥＬ-５ ", "label": "5",
                                 "price_cents": 1}).sku == "MIEL-5"


def test_an_order_of_two_variants_is_held_released_and_consumed_as_one() -> None:
    listing, (small, large) = honey(("S", "250 g", 599), ("L", "500 g", 999))
    listing.set_variant_stock(small, 4)
    listing.set_variant_stock(large, 4)
    order = uuid4()
    listing.reserve(order, 1, UNTIL, small)
    listing.reserve(order, 3, UNTIL, large)
    listing.hold(order)
    assert not listing.expire(order, UNTIL + timedelta(hours=1))  # held: no expiry
    listing.consume(order)
    assert [(v.on_hand, v.reserved) for v in listing.variants.values()] == [(3, 0), (1, 0)]
    assert (listing.on_hand, listing.reserved, listing.reservations) == (4, 0, {})


# -- events and snapshots stored before variants existed --------------------------------------

def _mapper() -> Mapper[UUID]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    register_value_objects(transcoder)
    return Mapper(transcoder=transcoder)


def _stored(originator: UUID, version: int, topic: str, state: dict[str, Any]) -> StoredEvent:
    base = {"timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-23T12:00:00+00:00"}}
    return StoredEvent(originator, version, topic, json.dumps({**base, **state}).encode())


def _uuid(value: UUID) -> dict[str, str]:
    return {"_type_": "uuid_hex", "_data_": value.hex}


def test_stock_events_stored_before_variants_replay_as_the_listing_itself() -> None:
    mapper, order = _mapper(), uuid4()
    created = Listing(uuid4(), ListingDetails.check(RAW)).collect_events()[0]
    listing_id = created.originator_id
    until = {"_type_": "datetime_iso", "_data_": UNTIL.isoformat()}
    stored = [
        ("comptoir.Listing.Created", json.loads(mapper.to_stored_event(created).state)),
        ("comptoir.Listing.Published", {}),
        ("comptoir.Listing.StockSet", {"on_hand": 10}),
        ("comptoir.Listing.StockAdjusted", {"delta": -1, "reason": "lost"}),
        ("comptoir.Listing.Reserved", {"order_id": _uuid(order), "quantity": 4, "until": until}),
        ("comptoir.Listing.ReservationHeld", {"order_id": _uuid(order)}),
        ("comptoir.Listing.ReservationConsumed", {"order_id": _uuid(order), "quantity": 4}),
        ("comptoir.Listing.Reserved", {"order_id": _uuid(uuid4()), "quantity": 2,
                                       "until": until}),
    ]
    listing: Any = None
    for version, (topic, state) in enumerate(stored, start=1):
        event = mapper.to_domain_event(_stored(listing_id, version, topic, state))
        assert getattr(event, "variant_id", None) is None
        listing = event.mutate(listing)
    assert (listing.on_hand, listing.reserved, listing.variants) == (5, 2, {})
    # its snapshot as v2 stored it (no variants) reads too
    written = mapper.to_stored_event(Listing.Snapshot.take(listing))
    state = json.loads(written.state)
    assert state["state"]["class_version"] == 3
    del state["state"]["variants"]
    state["state"]["class_version"] = 2
    old = StoredEvent(listing_id, listing.version, written.topic, json.dumps(state).encode())
    restored = mapper.to_domain_event(old).mutate(None)
    assert (restored.on_hand, restored.reserved, restored.variants, restored.reservations) == (
        5, 2, {}, listing.reservations)


def test_cart_lines_stored_before_variants_replay_without_one() -> None:
    mapper, cart_id, listing_id = _mapper(), uuid4(), uuid4()
    stored = [
        ("comptoir.Cart.Opened", {"originator_topic": "comptoir.Cart",
                                  "consumer_id": _uuid(uuid4()), "storefront": None}),
        ("comptoir.Cart.LineSet", {"listing_id": _uuid(listing_id), "quantity": 2}),
    ]
    cart: Any = None
    for version, (topic, state) in enumerate(stored, start=1):
        cart = mapper.to_domain_event(_stored(cart_id, version, topic, state)).mutate(cart)
    assert isinstance(cart, Cart) and cart.items() == [(listing_id, None, 2)]


# -- through the use cases (in-memory store) ---------------------------------------------------

def _variants(services: Services, market: Market) -> tuple[Actor, UUID, UUID, UUID, UUID]:
    merchant_id = market.merchant_ids[0]
    owner = market.owners[merchant_id]
    listing_id = market.listings[merchant_id]
    view, small = services.catalog.add_variant(owner, listing_id, {
        "sku": "ART-S", "label": "Petit", "price_cents": 5_00})
    assert view.variants[0].on_hand == 100  # the first variant took the listing's stock
    _, large = services.catalog.add_variant(owner, listing_id, {
        "sku": "ART-L", "label": "Grand", "price_cents": 20_00})
    services.catalog.set_variant_stock(owner, listing_id, large, 3)
    return owner, merchant_id, listing_id, small, large


def test_two_variants_of_one_listing_are_bought_priced_fulfilled_and_balance(
        services: Services, market: Market) -> None:
    owner, merchant_id, listing_id, small, large = _variants(services, market)
    shopper = market.shopper()
    cart = services.carts.open(shopper)
    services.carts.set_line(shopper, cart.id, listing_id, 2, small)
    view = services.carts.set_line(shopper, cart.id, listing_id, 3, large)
    assert [(line.title, line.unit_price.cents, line.available)
            for line in view.merchants[0].lines] == [
        ("Article 0 — Petit", 5_00, 100), ("Article 0 — Grand", 20_00, 3)]
    order = services.checkout.check_out(shopper, cart.id, CheckoutChoices(
        payment_method="pm_card_visa"))
    terms = order.parts[0].terms
    assert [(line.variant_id, line.unit_price.cents, line.quantity) for line in terms.lines] == [
        (small, 5_00, 2), (large, 20_00, 3)]
    b = terms.breakdown
    assert b.subtotal == Money(2 * 5_00 + 3 * 20_00)
    assert b.total == b.share + b.commission + b.platform_taxes
    assert services.catalog.get(owner, listing_id).variants[1].available == 0  # sold out

    # fulfilled: each variant's reservation leaves its own stock, the listing's once
    market.hand_over(order.id, merchant_id)
    seen = services.catalog.get(owner, listing_id)
    assert [(v.on_hand, v.reserved) for v in seen.variants] == [(98, 0), (0, 0)]
    assert (seen.on_hand, seen.reserved) == (98, 0)


def test_a_sku_is_unique_per_merchant_and_free_to_another(services: Services,
                                                          market: Market) -> None:
    owner, merchant_id, listing_id, _, _ = _variants(services, market)
    with pytest.raises(InvalidValueError, match="sku_taken"):
        services.catalog.create_listing(owner, merchant_id, {**RAW, "sku": "ART-S"})
    other = market.merchant_ids[1]
    services.catalog.create_listing(market.owners[other], other, {**RAW, "sku": "ART-S"})
    # a SKU changed away is free again, for another listing of the same merchant
    services.catalog.revise_variant(owner, listing_id,
                                    services.catalog.get(owner, listing_id).variants[0].id,
                                    {"sku": "ART-XS"})
    services.catalog.create_listing(owner, merchant_id, {**RAW, "sku": "ART-S"})


def test_a_stock_feed_saves_every_change_at_once_and_reports_the_rest(
        services: Services, market: Market) -> None:
    owner, merchant_id, listing_id, small, large = _variants(services, market)
    feeds = StockFeeds(services.catalog.app)
    before = services.catalog.app.log_position()
    report = feeds.feed_stock(owner, merchant_id, [
        FeedLine(1, "ART-S", 40), FeedLine(2, "ART-L", 3), FeedLine(3, "NOPE", 1),
        FeedLine(4, "ART-S", 41)])
    assert (report.updated, report.unchanged, report.unknown_skus) == (1, 1, ["NOPE"])
    assert [(line, [e.code for e in reasons]) for line, reasons in report.rejected] == [
        (4, ["sku_repeated"])]
    assert services.catalog.app.log_position() == before + 1
    assert services.catalog.get(owner, listing_id).variants[0].on_hand == 40


def test_a_stock_webhook_names_the_variant_it_moved() -> None:
    listing, (small, _) = honey(("S", "250 g", 599), ("L", "500 g", 999))
    listing.collect_events()
    listing.set_variant_stock(small, 3)
    [event] = listing.collect_events()
    data = DATA[type(event)](event, listing, listing.merchant_id)
    assert (data["cause"], data["on_hand"], data["variant"]) == ("set", 3, {
        "variant_id": str(small), "sku": "S", "label": "250 g", "on_hand": 3, "reserved": 0,
        "available": 3})
