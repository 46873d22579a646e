"""Payouts balance to the cent under any sequence of captures, releases, refunds, transfers,
refused and retried reversals (hypothesis stateful testing over Payout aggregates, with a model
gateway that records every transfer and reversal per merchant order).

After every step: nothing moves before the transfer; what a merchant was paid never exceeds
its share; once every due command has gone through, Σ transfers − Σ reversals == Σ merchant
shares of the captured value not refunded, to the cent; and money only ever moves to the
merchant of that merchant order.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from domain.money import Money
from domain.payout import Payout, PayoutStatus
from domain.pricing import allocate_refund
from tests.unit.test_commission import merchant_orders_by_rule
from tests.unit.test_pricing import merchant_orders

CAPTURED = datetime(2026, 11, 23, 12, tzinfo=UTC)


class ModelGateway:
    """Transfers and reversals as the gateway would hold them, keyed by idempotency key."""

    def __init__(self) -> None:
        self.transfers: dict[str, tuple[object, int]] = {}  # key -> (merchant, cents)
        self.reversals: dict[str, tuple[object, int]] = {}

    def paid(self, merchant: object) -> int:
        return sum(c for m, c in self.transfers.values() if m == merchant) - sum(
            c for m, c in self.reversals.values() if m == merchant)


class PayoutMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.payouts: list[Payout] = []
        self.refunded: list[Money] = []
        self.gateway = ModelGateway()

    def _carry_out(self, payout: Payout, reversals_succeed: bool = True) -> None:
        """What the payout process does with due commands (same keys as the application)."""
        if payout.status == PayoutStatus.DUE:
            key = f"transfer:{payout.id}"
            self.gateway.transfers.setdefault(key, (payout.merchant_id,
                                                    payout.transferred_due.cents))
            payout.record_transfer(f"tr_{payout.id}")
        for reversal in payout.due_reversals():
            key = f"reversal:{payout.id}:{reversal.number}:{reversal.attempt}"
            if reversals_succeed:
                self.gateway.reversals.setdefault(key, (payout.merchant_id,
                                                        reversal.amount.cents))
                payout.record_reversal(reversal.number, f"trr_{key}")
            else:
                payout.refuse_reversal(reversal.number, "balance_insufficient")

    def _pick(self, data: st.DataObject) -> Payout:
        return self.payouts[data.draw(st.integers(0, len(self.payouts) - 1))]

    @precondition(lambda self: len(self.payouts) < 6)
    # at one rate, or by commission rules with minimums (tests/unit/test_commission.py)
    @rule(breakdown=st.one_of(merchant_orders, merchant_orders_by_rule()))
    def capture(self, breakdown: object) -> None:
        self.payouts.append(Payout(uuid4(), uuid4(), "pi_1", breakdown, CAPTURED))
        self.refunded.append(Money.zero())

    @precondition(lambda self: self.payouts)
    @rule(data=st.data(), account_ready=st.booleans())
    def release(self, data: st.DataObject, account_ready: bool) -> None:
        payout = self._pick(data)
        payout.release(account_ready)

    @precondition(lambda self: self.payouts)
    @rule(data=st.data(), share=st.floats(0.01, 1.0))
    def refund(self, data: st.DataObject, share: float) -> None:
        i = data.draw(st.integers(0, len(self.payouts) - 1))
        payout, refunded = self.payouts[i], self.refunded[i]
        refundable = payout.breakdown.total - refunded
        if not refundable.is_positive():
            return
        amount = Money(max(1, int(refundable.cents * share)))
        payout.note_refund(uuid4(), allocate_refund(payout.breakdown, refunded, amount))
        self.refunded[i] = refunded + amount

    @precondition(lambda self: self.payouts)
    @rule(data=st.data(), reversals_succeed=st.booleans())
    def gateway_answers(self, data: st.DataObject, reversals_succeed: bool) -> None:
        self._carry_out(self._pick(data), reversals_succeed)

    @precondition(lambda self: self.payouts)
    @rule(data=st.data())
    def retry_refused(self, data: st.DataObject) -> None:
        payout = self._pick(data)
        for reversal in payout.refused_reversals():
            payout.retry_reversal(reversal.number)

    @precondition(lambda self: self.payouts)
    @rule(data=st.data())
    def replayed(self, data: st.DataObject) -> None:
        """The process sees a command again (a crash before its position was recorded)."""
        payout = self._pick(data)
        if payout.status == PayoutStatus.TRANSFERRED:
            before = dict(self.gateway.transfers)
            key = f"transfer:{payout.id}"
            self.gateway.transfers.setdefault(key, (payout.merchant_id, -1))
            assert self.gateway.transfers == before  # the same key: nothing new

    @invariant()
    def nothing_moves_before_the_transfer_and_no_one_is_overpaid(self) -> None:
        for payout in self.payouts:
            paid = self.gateway.paid(payout.merchant_id)
            assert paid == (payout.transferred - payout.reversed).cents
            if payout.status != PayoutStatus.TRANSFERRED:
                assert paid == 0
            assert 0 <= paid <= payout.breakdown.share.cents
            assert payout.entitled == payout.breakdown.share - payout.refunded_share
            assert not payout.entitled.is_negative()

    @invariant()
    def once_settled_every_merchant_has_exactly_its_share_of_what_was_kept(self) -> None:
        settled = PayoutMachine.__new__(PayoutMachine)
        settled.payouts = copy.deepcopy(self.payouts)
        settled.gateway = copy.deepcopy(self.gateway)
        for payout in settled.payouts:
            for reversal in payout.refused_reversals():
                payout.retry_reversal(reversal.number)
            payout.release(account_ready=True)
            settled._carry_out(payout)  # noqa: SLF001
        for payout in settled.payouts:
            assert payout.status in (PayoutStatus.TRANSFERRED, PayoutStatus.CLOSED)
            assert settled.gateway.paid(payout.merchant_id) == payout.entitled.cents
            assert payout.owed == Money.zero()
        total_paid = sum(settled.gateway.paid(p.merchant_id) for p in settled.payouts)
        kept = sum((p.breakdown.share - p.refunded_share).cents for p in settled.payouts)
        assert total_paid == kept


PayoutMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=30,
                                           deadline=None)
test_payouts_balance_under_any_sequence = PayoutMachine.TestCase
