"""Payouts on the real stores with the local gateway, both backends: each merchant is
transferred exactly its share, refunds reverse exactly the merchant's part, held funds wait for
the account, refused reversals stay visible until retried, a crash between a gateway call and
its record pays once, and the ledger reconciles with the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters import ledger_pages
from adapters.clock import FixedClock
from adapters.local_gateway import LocalGateway
from api.container import Container, build_container
from api.settings import Settings
from application.actors import Actor, Role
from application.checkout import CheckoutChoices
from application.errors import GatewayUnavailableError
from application.paging import Window
from application.ports import (
    BankPayoutFailed,
    BankPayoutPaid,
    GatewayEventKind,
    IgnoredGatewayEvent,
    PaymentCaptured,
    TransferMade,
)
from application.reconciliation import reconcile
from application.webhooks import WebhookDelivery
from domain.errors import RuleViolatedError
from domain.money import Money
from domain.payout import Payout, PayoutStatus
from tests.integration.test_checkout import CONSUMER_PROFILE
from tests.integration.test_event_store import VALIDATOR
from tests.support import AfterFirstStatement
from tests.unit.test_merchant import form
from tests.unit.test_merchant_services import LISTING

REGISTERED = {"small_supplier": False, "gst_number": "123456789RT0001",
              "qst_number": "1234567890TQ0001"}


class Market:
    """Three merchants (one a small supplier), a listing each, and helpers."""

    def __init__(self, c: Container, onboard: bool = True) -> None:
        self.c = c
        self.owners: dict[UUID, Actor] = {}
        self.listings: dict[UUID, UUID] = {}
        for n, (price, tax_class, tax) in enumerate([
                (12_99, "taxable", REGISTERED), (7_50, "zero_rated", {"small_supplier": True}),
                (24_95, "taxable", {"small_supplier": True})]):
            merchant = c.merchants.apply(form(neq=f"11654321{n:02d}", name=f"Commerce {n}",
                                              tax={**{"gst_number": None, "qst_number": None},
                                                   **tax}))
            c.merchants.approve(VALIDATOR, merchant.id)
            owner = Actor(Role.MERCHANT, str(uuid4()), merchant.id)
            listing_id = c.catalog.create_listing(owner, merchant.id, {
                **LISTING, "title_fr": f"Article {n}", "price_cents": price,
                "tax_class": tax_class})
            c.catalog.set_stock(owner, listing_id, 100)
            c.catalog.publish(owner, listing_id)
            self.owners[merchant.id], self.listings[merchant.id] = owner, listing_id
            if onboard:
                self.onboard(merchant.id)

    def onboard(self, merchant_id: UUID) -> Any:
        return self.c.payouts.set_up_account(self.owners[merchant_id], merchant_id,
                                             "http://x/refresh", "http://x/return")

    def buy(self, quantity: int = 2) -> Any:
        consumer = Actor(Role.CONSUMER, str(uuid4()))
        self.c.consumers.register(consumer, CONSUMER_PROFILE)
        cart = self.c.carts.open(consumer)
        for listing_id in self.listings.values():
            self.c.carts.set_line(consumer, cart.id, listing_id, quantity)
        order = self.c.checkout.check_out(consumer, cart.id, CheckoutChoices())
        assert order.payment_status == "captured"
        self.settle()
        return order

    def fulfil(self, order_id: UUID, merchant_id: UUID) -> None:
        owner = self.owners[merchant_id]
        self.c.orders.accept(owner, order_id, merchant_id)
        self.c.orders.fulfil(owner, order_id, merchant_id)
        self.settle()

    def refund(self, order_id: UUID, merchant_id: UUID, cents: int) -> Any:
        refunded = self.c.orders.refund(self.owners[merchant_id], order_id, merchant_id,
                                        Money(cents), "abîmé")
        self.settle()
        return refunded

    def settle(self) -> None:
        self.c.projections.settle()

    def payout(self, order_id: UUID, merchant_id: UUID) -> Payout:
        return self.c.payouts.load(Payout, Payout.create_id(order_id, merchant_id), "payout")

    def transfers(self, order_id: UUID) -> dict[UUID | None, tuple[int, int]]:
        records = self.c.gateway.order_records(order_id, None)
        return {t.merchant_id: (t.amount.cents, t.reversed.cents) for t in records.transfers}

    def ledger(self, merchant_id: UUID) -> dict[str, Any]:
        rows = self.c.ledger.orders(merchant_id)
        assert len(rows) == 1
        return rows[0]


def shares(order: Any) -> dict[UUID, int]:
    return {p.terms.merchant_id: p.terms.breakdown.share.cents for p in order.parts}


def test_each_merchant_is_transferred_its_share_after_fulfilment_and_a_refund_reverses_its_part(
    shop: Container,
) -> None:
    market = Market(shop)
    order = market.buy()
    first, *others = list(market.listings)
    assert market.transfers(order.id) == {}  # nothing before fulfilment (the default policy)
    assert market.payout(order.id, first).status == PayoutStatus.WAITING

    for merchant_id in market.listings:
        market.fulfil(order.id, merchant_id)
    expected = shares(order)
    assert market.transfers(order.id) == {m: (share, 0) for m, share in expected.items()}

    refunded = market.refund(order.id, first, 12_99)  # one of its two items
    refund = refunded.parts[0].refunds[0].breakdown if refunded.parts[0].terms.merchant_id == \
        first else next(p for p in refunded.parts if p.terms.merchant_id == first).refunds[0] \
        .breakdown
    assert refund.amount.cents == 12_99
    transfers = market.transfers(order.id)
    assert transfers[first] == (expected[first], refund.share.cents)
    assert all(transfers[m] == (expected[m], 0) for m in others)

    row = market.ledger(first)
    assert (row["share"], row["refund_share"], row["transfer"], row["reversal"]) == (
        expected[first], refund.share.cents, expected[first], refund.share.cents)
    assert (row["gross"], row["refund"], row["status"], row["remitter"]) == (
        expected[first] + row["commission"], 12_99, "transferred", "merchant")
    assert reconcile(shop.ledger.payouts_of(), shop.gateway) == []


def test_a_refund_before_fulfilment_lowers_the_transfer_and_a_decline_transfers_nothing(
    shop: Container,
) -> None:
    market = Market(shop)
    order = market.buy()
    first, second, third = list(market.listings)
    refunded = market.refund(order.id, first, 5_00)
    refund = next(p for p in refunded.parts if p.terms.merchant_id == first).refunds[0]
    shop.orders.decline(market.owners[second], order.id, second, "rupture")
    market.settle()
    market.fulfil(order.id, first)
    market.fulfil(order.id, third)

    expected = shares(order)
    assert market.transfers(order.id) == {
        first: (expected[first] - refund.breakdown.share.cents, 0),
        third: (expected[third], 0)}
    assert market.payout(order.id, second).status == PayoutStatus.CLOSED
    declined = market.ledger(second)
    assert (declined["status"], declined["refund_share"], declined["transfer"]) == (
        "closed", expected[second], 0)
    assert reconcile(shop.ledger.payouts_of(), shop.gateway) == []


def test_funds_of_a_merchant_without_a_ready_account_are_held_until_it_is_ready(
    shop: Container,
) -> None:
    market = Market(shop, onboard=False)
    order = market.buy(quantity=1)
    merchant_id = next(iter(market.listings))
    market.fulfil(order.id, merchant_id)
    assert market.payout(order.id, merchant_id).status == PayoutStatus.HELD
    assert market.transfers(order.id) == {}

    account = market.onboard(merchant_id)  # the local gateway's accounts are ready at once
    assert (account.ready, account.onboarding_url is not None) == (True, True)
    market.settle()
    assert market.transfers(order.id) == {merchant_id: (shares(order)[merchant_id], 0)}


def test_merchants_without_a_ready_account_cannot_sell_when_the_policy_forbids_holding(
    settings: Settings, clock: FixedClock,
) -> None:
    strict = build_container(settings.model_copy(update={"sell_without_payout_account": False}),
                             clock=clock)
    try:
        market = Market(strict, onboard=False)
        with pytest.raises(RuleViolatedError) as refused:
            market.buy()
        assert refused.value.code == "merchant_payouts_not_ready"
        for merchant_id in market.listings:
            market.onboard(merchant_id)
        assert market.buy().status == "confirmed"
    finally:
        strict.close()


def test_a_refused_reversal_stays_visible_and_is_retried_until_it_goes_through(
    shop: Container,
) -> None:
    market = Market(shop)
    order = market.buy()
    merchant_id = next(iter(market.listings))
    market.fulfil(order.id, merchant_id)
    gateway = shop.gateway
    assert isinstance(gateway, LocalGateway)
    account_id = shop.payouts.account_view(merchant_id).account_id
    assert account_id is not None
    gateway.pay_out(account_id)  # the merchant's balance went to its bank

    market.refund(order.id, merchant_id, 12_99)
    payout = market.payout(order.id, merchant_id)
    [refused] = payout.refused_reversals()
    assert refused.reason == "balance_insufficient"
    assert market.ledger(merchant_id)["reversals_refused"] == 1
    assert shop.payouts.tick() == 1  # retried, refused again: still visible
    market.settle()
    assert market.payout(order.id, merchant_id).refused_reversals()[0].attempt == 2

    second = market.buy()  # a new sale refills the merchant's balance
    market.fulfil(second.id, merchant_id)
    shop.payouts.tick()
    market.settle()
    payout = market.payout(order.id, merchant_id)
    assert (payout.refused_reversals(), payout.reversed) == ([], refused.amount)
    assert market.transfers(order.id)[merchant_id] == (shares(order)[merchant_id],
                                                       refused.amount.cents)
    assert reconcile(shop.ledger.payouts_of(), shop.gateway) == []


class TransfersUnanswered:
    """The gateway, except that transfers get no answer."""

    def __init__(self, gateway: Any, reason: str) -> None:
        self.gateway, self.reason = gateway, reason

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)

    def transfer(self, **kwargs: Any) -> str:
        raise GatewayUnavailableError(self.reason)


class CrashAfterTransfer:
    """The gateway does the transfer, then the process dies before recording it."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        self.transfers = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)

    def transfer(self, **kwargs: Any) -> str:
        self.transfers += 1
        self.gateway.transfer(**kwargs)
        raise SystemExit("killed between the gateway call and the record of its outcome")


def test_a_crash_between_the_transfer_and_its_record_pays_exactly_once_after_restart(
    settings: Settings, clock: FixedClock,
) -> None:
    first = build_container(settings, clock=clock)
    market = Market(first)
    order = market.buy()
    merchant_id = next(iter(market.listings))
    owner = market.owners[merchant_id]
    first.orders.accept(owner, order.id, merchant_id)
    first.orders.fulfil(owner, order.id, merchant_id)
    crashing = CrashAfterTransfer(first.payouts.gateway)
    first.payouts.gateway = crashing
    with pytest.raises(SystemExit):
        first.projections.settle()
    assert crashing.transfers == 1
    assert market.payout(order.id, merchant_id).status == PayoutStatus.DUE  # not recorded
    first.close()

    restarted = build_container(settings, clock=clock)
    try:
        restarted.projections.settle()
        payout = restarted.payouts.load(Payout, Payout.create_id(order.id, merchant_id),
                                        "payout")
        assert payout.status == PayoutStatus.TRANSFERRED
        records = restarted.gateway.order_records(order.id, None)
        assert [(t.merchant_id, t.amount.cents, t.transfer_id) for t in records.transfers] == [
            (merchant_id, shares(order)[merchant_id], payout.transfer_id)]
        assert reconcile(restarted.ledger.payouts_of(), restarted.gateway) == []
    finally:
        restarted.close()


def test_an_unavailable_gateway_leaves_the_transfer_due_for_the_job(shop: Container) -> None:
    market = Market(shop)
    order = market.buy()
    merchant_id = next(iter(market.listings))
    real = shop.payouts.gateway
    shop.payouts.gateway = TransfersUnanswered(real, "rate_limited")  # type: ignore[assignment]
    market.fulfil(order.id, merchant_id)
    assert market.payout(order.id, merchant_id).status == PayoutStatus.DUE
    assert market.ledger(merchant_id)["status"] == "due"
    shop.payouts.gateway = real
    assert shop.payouts.tick() == 1
    market.settle()
    assert market.payout(order.id, merchant_id).status == PayoutStatus.TRANSFERRED
    assert market.transfers(order.id) == {merchant_id: (shares(order)[merchant_id], 0)}


class RefundsUnanswered:
    """The gateway, except that refunds get no answer."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)

    def refund(self, *args: Any, **kwargs: Any) -> str:
        raise GatewayUnavailableError("timeout")


def test_a_refund_the_gateway_did_not_answer_is_done_once_by_the_job(shop: Container) -> None:
    market = Market(shop)
    order = market.buy()
    merchant_id = next(iter(market.listings))
    real = shop.payments.gateway
    shop.payments.gateway = RefundsUnanswered(real)  # type: ignore[assignment]
    # The merchant's refund is decided and shown pending, not an error.
    refunded = market.refund(order.id, merchant_id, 12_99)
    assert [(r.breakdown.amount.cents, r.gateway_refund_id) for p in refunded.parts
            for r in p.refunds] == [(12_99, None)]
    store = shop.projections["deadlines"].store
    assert shop.jobs.every["retry_refunds"] == 60  # a minute after the decision, each minute

    def due(within: timedelta = timedelta(minutes=1)) -> list[Any]:
        return store.unsettled_refunds(datetime.now(UTC) + within, 100)  # type: ignore[attr-defined]

    assert store.unsettled_refunds(datetime.now(UTC) - timedelta(minutes=1), 100) == []  # type: ignore[attr-defined]
    [unsettled] = due()
    assert (unsettled.order_id, unsettled.merchant_id) == (order.id, merchant_id)
    assert shop.payments.retry_refunds(due()) == 0  # still no answer: due again next round
    assert due() == [unsettled]
    payment_id = market.payout(order.id, merchant_id).payment_id
    assert shop.gateway.order_records(order.id, payment_id).refunded == Money(0)

    shop.payments.gateway = real
    assert shop.payments.retry_refunds(due()) == 1
    market.settle()
    assert due() == []
    refunds = [r for p in shop.orders.get(market.owners[merchant_id], order.id).parts
               for r in p.refunds]
    assert [(r.breakdown.amount.cents, r.gateway_refund_id is not None) for r in refunds] == [
        (12_99, True)]
    assert shop.gateway.order_records(order.id, payment_id).refunded == Money(12_99)
    assert shop.payments.retry_refunds(due()) == 0
    assert reconcile(shop.ledger.payouts_of(), shop.gateway) == []


def test_reconciliation_lists_what_the_gateway_did_that_the_ledger_does_not_know(
    shop: Container,
) -> None:
    market = Market(shop)
    order = market.buy()
    merchant_id = next(iter(market.listings))
    market.fulfil(order.id, merchant_id)
    payout = market.payout(order.id, merchant_id)
    shop.gateway.refund(payout.payment_id, Money(1_00), idempotency_key="dashboard-refund")
    shop.gateway.transfer(payment_id=payout.payment_id, account_id=shop.payouts.account_view(
        merchant_id).account_id or "", amount=Money(50), order_id=order.id,
        merchant_id=merchant_id, idempotency_key="manual")
    found = {(d.what, d.merchant_id, d.ledger, d.gateway)
             for d in reconcile(shop.ledger.payouts_of(), shop.gateway)}
    share = shares(order)[merchant_id]
    assert found == {("refunded", None, 0, 1_00), ("paid", merchant_id, share, share + 50),
                     ("transfers", merchant_id, 1, 2)}


def test_the_ledger_rebuilt_from_the_log_equals_the_live_one(shop: Container) -> None:
    market = Market(shop)
    order = market.buy()
    for merchant_id in market.listings:
        market.fulfil(order.id, merchant_id)
    market.refund(order.id, next(iter(market.listings)), 3_00)
    live = shop.ledger.dump()
    assert len(live) == 3
    shop.projections["payouts"].rebuild()
    assert shop.ledger.dump() == live


def test_monthly_entries_sum_to_the_ledger(shop: Container, clock: FixedClock) -> None:
    market = Market(shop)
    order = market.buy()
    merchant_id = next(iter(market.listings))
    market.fulfil(order.id, merchant_id)
    month = datetime.now(UTC).astimezone().strftime("%Y-%m")  # events carry the real time
    entries = shop.ledger.entries(merchant_id, month) or shop.ledger.entries(
        merchant_id, (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m"))
    kinds = {e["kind"]: e["amount"] for e in entries}
    row = market.ledger(merchant_id)
    assert kinds == {k: row[k] for k in ("gross", "goods", "fee", "gst", "qst", "commission",
                                         "share", "transfer")}


def test_gateway_reports_converge_with_the_process_in_any_order(shop: Container) -> None:
    """A transfer reported made may come before the process records its own call's answer; bank
    payouts are recorded on the merchant's payout account; a redelivery changes nothing."""
    market = Market(shop)
    order = market.buy()
    merchant_id = next(iter(market.listings))
    real = shop.payouts.gateway
    # the call went through, the answer did not
    shop.payouts.gateway = TransfersUnanswered(real, "timeout")  # type: ignore[assignment]
    market.fulfil(order.id, merchant_id)
    assert market.payout(order.id, merchant_id).status == PayoutStatus.DUE
    account = shop.payouts.account_view(merchant_id).account_id
    created = TransferMade(event_id="evt_1", transfer_id="tr_reported", order_id=order.id,
                           merchant_id=merchant_id)
    assert shop.webhooks.receive(created) is True
    assert shop.webhooks.receive(created) is False
    payout = market.payout(order.id, merchant_id)
    assert (payout.status, payout.transfer_id) == (PayoutStatus.TRANSFERRED, "tr_reported")
    shop.payouts.gateway = real
    shop.payouts.tick()
    market.settle()
    assert market.transfers(order.id) == {}  # the process did not transfer it again

    paid = BankPayoutPaid(event_id="evt_2", payout_id="po_1", amount=Money(40_00),
                          account_id=account)
    failed = BankPayoutFailed(event_id="evt_3", payout_id="po_2", amount=Money(5_00),
                              account_id=account, reason="account_closed")
    assert (shop.webhooks.receive(paid), shop.webhooks.receive(failed)) == (True, True)
    assert shop.payouts.account_view(merchant_id).bank_payouts == (
        ("po_1", Money(40_00), "paid", None), ("po_2", Money(5_00), "failed", "account_closed"))
    unknown = PaymentCaptured(event_id="evt_4", order_id=uuid4())
    assert shop.webhooks.receive(unknown) is True  # recorded, changes nothing else
    ignored = IgnoredGatewayEvent(event_id="evt_5")
    assert (shop.webhooks.receive(ignored), shop.webhooks.receive(ignored)) == (True, False)
    recorded = {e: shop.webhooks.find(WebhookDelivery.create_id(e))
                for e in ("evt_1", "evt_2", "evt_3", "evt_4", "evt_5")}
    assert {e: getattr(r, "kind", None) for e, r in recorded.items()} == {
        "evt_1": GatewayEventKind.TRANSFER_MADE, "evt_2": GatewayEventKind.BANK_PAYOUT_PAID,
        "evt_3": GatewayEventKind.BANK_PAYOUT_FAILED, "evt_4": GatewayEventKind.PAYMENT_CAPTURED,
        "evt_5": GatewayEventKind.IGNORED}


def test_deliveries_recorded_with_the_gateways_own_types_still_replay(shop: Container) -> None:
    """Before the adapter translated kinds, a delivery recorded the gateway's type: such a
    record still loads, and still makes its redelivery a duplicate."""
    shop.webhooks.save(WebhookDelivery("evt_old", "payment_intent.succeeded"))
    old = shop.webhooks.find(WebhookDelivery.create_id("evt_old"))
    assert isinstance(old, WebhookDelivery)
    assert (old.event_id, old.kind) == ("evt_old", "payment_intent.succeeded")
    assert shop.webhooks.receive(PaymentCaptured(event_id="evt_old", order_id=uuid4())) is False


def test_a_page_of_payouts_and_its_totals_count_the_same_sales_when_one_lands_between_reads(
        shop: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's count and sums, then its rows, are two statements: a sale projected between
    them must show in both or in neither (PostgreSQL's default isolation showed eleven payouts
    with the totals of ten)."""
    market = Market(shop)
    market.buy()
    merchant_id = next(iter(market.listings))
    real_snapshot = ledger_pages.one_snapshot

    @contextmanager
    def sale_after_first_read(datastore: Any) -> Iterator[Any]:
        with real_snapshot(datastore) as cursor:
            yield AfterFirstStatement(cursor, market.buy)

    monkeypatch.setattr(ledger_pages, "one_snapshot", sale_after_first_read)
    rows, total, figures = shop.ledger.payouts_page(merchant_id, (), Window(None, 10, False))
    assert (len(rows), total) == (1, 1)
    assert figures.gross == rows[0].figures.gross > 0
    one_sale = figures.gross
    monkeypatch.undo()
    rows, total, figures = shop.ledger.payouts_page(merchant_id, (), Window(None, 10, False))
    assert (len(rows), total) == (2, 2)  # the sale that landed in between, seen next time
    assert figures.gross == sum(r.figures.gross for r in rows) == 2 * one_sale



def test_the_captures_of_one_batch_of_the_log_open_their_payouts_in_one_save_before_a_refund(
        shop: Container) -> None:
    """Three sales and a refund of the first, all before the payout process looks: one save
    opens the nine payouts, and the refund, later in the same batch, finds its payout."""
    market = Market(shop)
    market.settle()
    orders = []
    for _ in range(3):
        consumer = Actor(Role.CONSUMER, str(uuid4()))
        shop.consumers.register(consumer, CONSUMER_PROFILE)
        cart = shop.carts.open(consumer)
        for listing_id in market.listings.values():
            shop.carts.set_line(consumer, cart.id, listing_id, 2)
        orders.append(shop.checkout.check_out(consumer, cart.id, CheckoutChoices()))
    first = next(iter(market.listings))
    owner = market.owners[first]
    shop.orders.accept(owner, orders[0].id, first)
    shop.orders.fulfil(owner, orders[0].id, first)
    shop.orders.refund(owner, orders[0].id, first, Money(12_99), "abîmé")

    saves = []
    save = shop.payouts.save
    shop.payouts.save = lambda *aggregates: saves.append(len(aggregates)) or save(*aggregates)
    shop.projections["payouts_process"].catch_up()
    del shop.payouts.save
    assert saves[0] == 9  # every payout of the three sales, in one save
    market.settle()
    expected = shares(orders[0])
    [row] = [r for r in shop.ledger.orders(first) if r["order_id"] == str(orders[0].id)]
    assert row["refund"] == 12_99 and 0 < row["refund_share"] < expected[first]
    # Released at fulfilment, so transferred whole; the later refund reversed its share.
    assert market.transfers(orders[0].id) == {first: (expected[first], row["refund_share"])}
    assert (row["share"], row["transfer"], row["reversal"]) == (
        expected[first], expected[first], row["refund_share"])
    assert all(market.payout(o.id, m).status == PayoutStatus.WAITING
               for o in orders[1:] for m in market.listings)
