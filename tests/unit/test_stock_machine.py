"""Stock never oversells: 0 <= reserved <= on hand after any sequence of commands, and a
replay of the listing's events gives the same state (hypothesis stateful testing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from domain.errors import DomainError
from domain.listing import Listing, ListingDetails, StockReason
from tests.unit.test_listing import RAW

START = datetime(2026, 11, 23, 12, tzinfo=UTC)


class StockMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.listing = Listing(uuid4(), ListingDetails.check(RAW))
        self.listing.publish(merchant_is_approved=True)
        self.now = START
        self.events: list = list(self.listing.collect_events())
        self.model_on_hand = 0
        self.model: dict[UUID, tuple[int, datetime, bool]] = {}  # order -> (qty, until, held)

    def _try(self, command) -> bool:  # noqa: ANN001
        try:
            command()
        except DomainError:
            self.events += self.listing.collect_events()
            return False
        self.events += self.listing.collect_events()
        return True

    @rule(on_hand=st.integers(0, 60))
    def set_stock(self, on_hand: int) -> None:
        if self._try(lambda: self.listing.set_stock(on_hand)):
            self.model_on_hand = on_hand
        else:
            assert on_hand < sum(q for q, _, _ in self.model.values())

    @rule(delta=st.integers(-30, 30).filter(bool))
    def adjust(self, delta: int) -> None:
        if self._try(lambda: self.listing.adjust_stock(delta, StockReason.CORRECTION)):
            self.model_on_hand += delta

    @rule(target=orders, quantity=st.integers(1, 20), minutes=st.integers(1, 30))
    def reserve(self, quantity: int, minutes: int) -> UUID:
        order_id, until = uuid4(), self.now + timedelta(minutes=minutes)
        available = self.model_on_hand - sum(q for q, _, _ in self.model.values())
        ok = self._try(lambda: self.listing.reserve(order_id, quantity, until))
        assert ok == (quantity <= available)
        if ok:
            self.model[order_id] = (quantity, until, False)
        return order_id

    @rule(order=orders)
    def hold(self, order: UUID) -> None:
        self._try(lambda: self.listing.hold(order))
        if order in self.model:
            quantity, until, _ = self.model[order]
            self.model[order] = (quantity, until, True)

    @rule(order=orders)
    def release(self, order: UUID) -> None:
        self._try(lambda: self.listing.release(order, "cancelled"))
        self.model.pop(order, None)

    @rule(order=orders)
    def consume(self, order: UUID) -> None:
        ok = self._try(lambda: self.listing.consume(order))
        assert ok == (order in self.model)
        if ok:
            self.model_on_hand -= self.model.pop(order)[0]

    @rule(minutes=st.integers(1, 20))
    def time_passes_and_the_job_expires(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        for order in list(self.model):
            self._try(lambda order=order: self.listing.expire(order, self.now))
        self.model = {o: r for o, r in self.model.items() if r[2] or r[1] > self.now}

    @invariant()
    def stock_never_oversells(self) -> None:
        listing = self.listing
        assert 0 <= listing.reserved <= listing.on_hand
        assert listing.on_hand == self.model_on_hand
        assert listing.reserved == sum(q for q, _, _ in self.model.values())
        assert set(listing.reservations) == {o.hex for o in self.model}

    @invariant()
    def replaying_the_events_gives_the_same_listing(self) -> None:
        replayed = None
        for event in self.events:
            replayed = event.mutate(replayed)
        assert replayed is not None
        assert (replayed.on_hand, replayed.reserved, replayed.reservations) == (
            self.listing.on_hand, self.listing.reserved, self.listing.reservations)


StockMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40,
                                          deadline=None)
TestStockNeverOversells = StockMachine.TestCase
