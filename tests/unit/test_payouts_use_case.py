"""The payout process (application/payouts.py) on the in-memory event store with the local
gateway: a fulfilled merchant order's share is transferred once, however often the process
sees the log and even when it dies between the transfer and its record; a share waits for the
merchant's payout account; a later refund reverses exactly the refunded share."""

from __future__ import annotations

import pytest

from tests.unit.conftest import Crash, Services
from tests.unit.market import SHARES, Market, part


@pytest.fixture
def market(services: Services) -> Market:
    market = Market(services)
    for merchant_id in market.merchant_ids:
        market.onboard(merchant_id)  # the local gateway's accounts are ready at once
    services.settle()
    return market


def test_a_fulfilled_merchant_orders_share_is_transferred_once_even_when_the_process_runs_twice(
        services: Services, market: Market) -> None:
    order = market.buy(quantity=2)
    first, second, third = market.merchant_ids
    services.settle()
    assert market.transfers(order.id) == {}  # nothing is paid before the goods are handed over

    # The first merchant hands its goods over: its share, and only its, is transferred.
    market.hand_over(order.id, first)
    services.settle()
    assert market.transfers(order.id) == {first: (SHARES[0], 0)}

    # The process sees the whole log again (a lost position): nothing is paid twice.
    services.replay_payout_process()
    assert market.transfers(order.id) == {first: (SHARES[0], 0)}

    # The others hand theirs over: each is paid its share, once, even on another replay.
    for merchant_id in (second, third):
        market.hand_over(order.id, merchant_id)
    services.settle()
    services.replay_payout_process()
    assert market.transfers(order.id) == {first: (SHARES[0], 0), second: (SHARES[1], 0),
                                          third: (SHARES[2], 0)}


def test_a_crash_between_the_transfer_and_its_record_pays_once(services: Services,
                                                               market: Market) -> None:
    order = market.buy()
    first = market.merchant_ids[0]
    market.hand_over(order.id, first)

    # The transfer is made, then the process dies before recording it.
    services.gateway.crash_after_transfer = True
    with pytest.raises(Crash):
        services.settle()
    assert market.transfers(order.id) == {first: (SHARES[0], 0)}

    # Restarted, it asks again with the same key: the gateway's first answer, recorded once.
    services.settle()
    services.replay_payout_process()
    assert market.transfers(order.id) == {first: (SHARES[0], 0)}


def test_a_share_waits_for_the_merchants_payout_account(services: Services) -> None:
    market = Market(services)  # nobody onboarded yet
    order = market.buy()
    first = market.merchant_ids[0]
    market.hand_over(order.id, first)
    services.settle()
    assert market.transfers(order.id) == {}
    assert services.payouts.account_view(first).ready is False

    # The merchant opens its account: the held share goes out.
    market.onboard(first)
    services.settle()
    assert services.payouts.account_view(first).ready is True
    assert market.transfers(order.id) == {first: (SHARES[0], 0)}


def test_a_refund_after_the_transfer_reverses_exactly_the_refunded_share(
        services: Services, market: Market) -> None:
    order = market.buy(quantity=2)
    first = market.merchant_ids[0]
    market.hand_over(order.id, first)
    services.settle()

    refunded = services.orders.refund(market.owners[first], order.id, first, part(
        order, first).terms.lines[0].unit_price, "Un article abîmé")
    services.settle()
    services.replay_payout_process()

    [refund] = part(refunded, first).refunds
    assert market.transfers(order.id) == {first: (SHARES[0], refund.breakdown.share.cents)}
    assert 0 < refund.breakdown.share.cents < refund.breakdown.amount.cents  # less commission
