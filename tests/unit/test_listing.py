"""The Listing aggregate: details, visibility and stock that never goes negative."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import (
    IllegalTransitionError,
    InvalidValueError,
    RuleViolatedError,
    ValidationFailedError,
)
from domain.listing import MAX_STOCK, Listing, ListingDetails, ListingStatus, StockReason
from domain.money import Money
from domain.taxonomy import OriginLabel, TaxClass

RAW = {"title_fr": "Miel de trèfle", "description_fr": "Pot de 500 g", "category": "alimentation",
       "price_cents": 899, "tax_class": "zero_rated", "origin": "produced"}


def new_listing() -> Listing:
    return Listing(uuid4(), ListingDetails.check(RAW))


def test_details_are_checked_and_typed() -> None:
    details = ListingDetails.check(RAW)
    assert details.price == Money(899)
    assert details.tax_class is TaxClass.ZERO_RATED
    assert details.origin is OriginLabel.PRODUCED
    assert details.title_en is None


def test_every_bad_detail_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailedError) as error:
        ListingDetails.check({"title_fr": " ", "description_fr": "x" * 5001, "category": "armes",
                              "price_cents": 0, "tax_class": "luxe", "origin": "mars"})
    assert [(e.field, e.code) for e in error.value.errors] == [
        ("title_fr", "text_required"), ("description_fr", "text_too_long"),
        ("category", "category_unknown"), ("price_cents", "price_out_of_range"),
        ("tax_class", "tax_class_unknown"), ("origin", "origin_unknown"),
    ]


def test_a_listing_starts_as_a_draft_with_no_stock() -> None:
    listing = new_listing()
    assert (listing.status, listing.on_hand, listing.reserved) == (ListingStatus.DRAFT, 0, 0)


def test_publishing_needs_an_approved_merchant() -> None:
    listing = new_listing()
    with pytest.raises(RuleViolatedError, match="merchant_not_approved"):
        listing.publish(merchant_is_approved=False)
    listing.publish(merchant_is_approved=True)
    assert listing.status == ListingStatus.PUBLISHED


def test_withdraw_and_publish_again() -> None:
    listing = new_listing()
    with pytest.raises(IllegalTransitionError):
        listing.withdraw()
    listing.publish(True)
    with pytest.raises(IllegalTransitionError) as error:
        listing.publish(True)
    assert error.value.params["state"] == "published"
    listing.withdraw()
    assert listing.status == ListingStatus.WITHDRAWN
    listing.publish(True)
    assert listing.status == ListingStatus.PUBLISHED


def test_revising_the_price_records_a_repricing_apart_from_the_text() -> None:
    listing = new_listing()
    listing.collect_events()
    listing.revise(ListingDetails.check(RAW | {"price_cents": 999}))
    assert [type(e).__name__ for e in listing.collect_events()] == ["Repriced"]
    listing.revise(ListingDetails.check(RAW | {"price_cents": 999, "title_en": "Clover honey"}))
    assert [type(e).__name__ for e in listing.collect_events()] == ["Revised"]
    listing.revise(ListingDetails.check(RAW | {"price_cents": 999, "title_en": "Clover honey"}))
    assert listing.collect_events() == []
    assert listing.details.price == Money(999) and listing.details.title_en == "Clover honey"


def test_stock_is_set_and_adjusted_with_a_reason() -> None:
    listing = new_listing()
    listing.set_stock(10)
    listing.adjust_stock(-3, StockReason.SOLD_IN_STORE)
    listing.adjust_stock(5, StockReason.RECEIVED)
    assert listing.on_hand == 12 and listing.available == 12


def test_stock_never_goes_negative() -> None:
    listing = new_listing()
    listing.set_stock(2)
    with pytest.raises(InvalidValueError) as error:
        listing.adjust_stock(-3, StockReason.DAMAGED)
    assert (error.value.code, error.value.field) == ("stock_out_of_range", "delta")
    with pytest.raises(InvalidValueError):
        listing.set_stock(-1)
    with pytest.raises(InvalidValueError, match="stock_delta_invalid"):
        listing.adjust_stock(0, StockReason.CORRECTION)
    assert listing.on_hand == 2


@given(st.lists(st.integers(min_value=-MAX_STOCK, max_value=MAX_STOCK), max_size=40))
def test_any_sequence_of_adjustments_keeps_stock_within_bounds(deltas: list[int]) -> None:
    listing = new_listing()
    expected = 0
    for delta in deltas:
        try:
            listing.adjust_stock(delta, StockReason.CORRECTION)
        except (InvalidValueError, RuleViolatedError):
            continue
        expected += delta
    assert listing.on_hand == expected
    assert 0 <= listing.on_hand <= MAX_STOCK
