"""Stock never oversells: 0 <= reserved <= on hand after any sequence of commands, for the
listing and for each of its variants, the listing's figures being its variants' sums to the unit;
and a replay of the listing's events gives the same state (hypothesis stateful testing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.listing import Listing, ListingDetails, StockReason, VariantDetails
from domain.money import Money
from tests.unit.test_listing import RAW

START = datetime(2026, 11, 23, 12, tzinfo=UTC)


class StockMachine(RuleBasedStateMachine):
    """A listing sold as itself (no variant) or by 1 to 3 variants, each with its own stock:
    every rule picks a "slot" (None: the listing itself, else one variant)."""

    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.listing = Listing(uuid4(), ListingDetails.check(RAW))
        self.listing.publish(merchant_is_approved=True)
        self.now = START
        self.events: list = list(self.listing.collect_events())
        self.slots: list[UUID | None] = [None]
        self.model_on_hand: dict[UUID | None, int] = {None: 0}
        # (order, slot) -> (qty, until, held)
        self.model: dict[tuple[UUID, UUID | None], tuple[int, datetime, bool]] = {}

    @initialize(variants=st.integers(0, 3), prices=st.lists(st.integers(1, 10_000), min_size=3,
                                                             max_size=3))
    def sold_by_variant(self, variants: int, prices: list[int]) -> None:
        if variants:
            ids = [self.listing.add_variant(VariantDetails.check(
                {"sku": f"SKU-{n}", "label": f"{n + 1}00 g", "price_cents": prices[n]}))
                for n in range(variants)]
            self.events += self.listing.collect_events()
            self.slots = list(ids)
            self.model_on_hand = dict.fromkeys(ids, 0)
            assert self.listing.details.price == Money(min(prices[:variants]))

    def _slot(self, pick: int) -> UUID | None:
        return self.slots[pick % len(self.slots)]

    def _reserved(self, slot: UUID | None) -> int:
        return sum(q for (_, s), (q, _, _) in self.model.items() if s == slot)

    def _try(self, command) -> bool:  # noqa: ANN001
        try:
            command()
        except DomainError:
            self.events += self.listing.collect_events()
            return False
        self.events += self.listing.collect_events()
        return True

    def _set(self, slot: UUID | None, on_hand: int) -> None:
        if slot is None:
            self.listing.set_stock(on_hand)
        else:
            self.listing.set_variant_stock(slot, on_hand)

    @rule(on_hand=st.integers(0, 60), pick=st.integers(0, 2))
    def set_stock(self, on_hand: int, pick: int) -> None:
        slot = self._slot(pick)
        if self._try(lambda: self._set(slot, on_hand)):
            self.model_on_hand[slot] = on_hand
        else:
            assert on_hand < self._reserved(slot)

    @rule(delta=st.integers(-30, 30).filter(bool), pick=st.integers(0, 2))
    def adjust(self, delta: int, pick: int) -> None:
        slot = self._slot(pick)
        if self._try(lambda: self.listing.adjust_stock(delta, StockReason.CORRECTION, slot)):
            self.model_on_hand[slot] += delta
        else:
            assert self.model_on_hand[slot] + delta < self._reserved(slot)

    @rule(target=orders, quantities=st.lists(st.integers(0, 20), min_size=3, max_size=3),
          minutes=st.integers(1, 30))
    def reserve(self, quantities: list[int], minutes: int) -> UUID:
        """One order reserves some of every slot (each variant is its own reservation)."""
        order_id, until = uuid4(), self.now + timedelta(minutes=minutes)
        for slot, quantity in zip(self.slots, quantities, strict=False):
            if quantity == 0:
                continue
            available = self.model_on_hand[slot] - self._reserved(slot)
            ok = self._try(lambda s=slot, q=quantity: self.listing.reserve(order_id, q, until, s))
            assert ok == (quantity <= available)
            if ok:
                self.model[(order_id, slot)] = (quantity, until, False)
        return order_id

    def _of(self, order: UUID) -> list[tuple[UUID, UUID | None]]:
        return [key for key in self.model if key[0] == order]

    @rule(order=orders)
    def hold(self, order: UUID) -> None:
        self._try(lambda: self.listing.hold(order))
        for key in self._of(order):
            quantity, until, _ = self.model[key]
            self.model[key] = (quantity, until, True)

    @rule(order=orders)
    def release(self, order: UUID) -> None:
        self._try(lambda: self.listing.release(order, "cancelled"))
        for key in self._of(order):
            del self.model[key]

    @rule(order=orders)
    def consume(self, order: UUID) -> None:
        ok = self._try(lambda: self.listing.consume(order))
        assert ok == bool(self._of(order))
        for key in self._of(order):
            self.model_on_hand[key[1]] -= self.model.pop(key)[0]

    @rule(minutes=st.integers(1, 20))
    def time_passes_and_the_job_expires(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        for order in {o for o, _ in self.model}:
            self._try(lambda order=order: self.listing.expire(order, self.now))
        self.model = {k: r for k, r in self.model.items() if r[2] or r[1] > self.now}

    @invariant()
    def stock_never_oversells(self) -> None:
        listing = self.listing
        assert 0 <= listing.reserved <= listing.on_hand
        assert listing.on_hand == sum(self.model_on_hand.values())
        assert listing.reserved == sum(q for q, _, _ in self.model.values())
        for variant in listing.variants.values():  # each variant on its own, to the unit
            assert 0 <= variant.reserved <= variant.on_hand
            assert variant.on_hand == self.model_on_hand[variant.variant_id]
            assert variant.reserved == self._reserved(variant.variant_id)
        assert len(listing.reservations) == len(self.model)
        # in stock (search's filter) exactly when some slot has a unit left
        assert (listing.available > 0) == any(
            self.model_on_hand[s] > self._reserved(s) for s in self.slots)

    @invariant()
    def replaying_the_events_gives_the_same_listing(self) -> None:
        replayed = None
        for event in self.events:
            replayed = event.mutate(replayed)
        assert replayed is not None
        assert (replayed.on_hand, replayed.reserved, replayed.reservations,
                replayed.variants) == (self.listing.on_hand, self.listing.reserved,
                                       self.listing.reservations, self.listing.variants)


StockMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40,
                                          deadline=None)
TestStockNeverOversells = StockMachine.TestCase
