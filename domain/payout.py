"""What one merchant is owed and paid for one merchant order ("separate charges and transfers").

Opened when the order's payment is captured, with that merchant order's figures. The share is
owed until the payout policy releases it (on fulfilment, or some days after capture); then ONE
transfer of what is owed at that moment becomes due, or is held while the merchant's payout
account is not ready. A refund decided before the transfer lowers what will be transferred; a
refund after it makes a reversal of the excess due. Due transfers and reversals are commands
written in the log: the payout process carries them out at the gateway with an idempotency key
derived from them, and records the outcome here. A reversal the gateway refuses (the merchant's
balance cannot cover it) stays visible as refused until it is retried.

Invariant, to the cent: transferred − reversed − reversals pending == share − refunded share,
once the transfer is done; before it, nothing has moved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.money import Money
from domain.order_terms import sum_money
from domain.pricing import Breakdown, RefundBreakdown


class PayoutStatus(StrEnum):
    WAITING = "waiting"  # the payout policy has not released it yet
    HELD = "held"  # released, but the merchant's payout account is not ready
    DUE = "due"  # the transfer is decided, not yet done
    TRANSFERRED = "transferred"
    CLOSED = "closed"  # nothing was left to transfer (declined or refunded first)


class ReversalStatus(StrEnum):
    DUE = "due"
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True)
class Reversal:
    number: int  # 1, 2, … within this payout
    amount: Money
    attempt: int = 1  # a refused reversal is retried under a new attempt (a new key)
    status: ReversalStatus = ReversalStatus.DUE
    reversal_id: str | None = None
    reason: str | None = None


class Payout(Aggregate):
    TOPIC = "comptoir.Payout"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Payout.Created"  # never triggered: a payout is opened

    # The event classes the @event methods below generate when the class is made, declared
    # for type checkers (which cannot see them) because other modules name them.
    if TYPE_CHECKING:
        Held: ClassVar[type[Aggregate.Event]]
        Closed: ClassVar[type[Aggregate.Event]]
        TransferDue: ClassVar[type[Aggregate.Event]]
        Transferred: ClassVar[type[Aggregate.Event]]
        RefundNoted: ClassVar[type[Aggregate.Event]]
        ReversalDue: ClassVar[type[Aggregate.Event]]
        Reversed: ClassVar[type[Aggregate.Event]]
        ReversalRefused: ClassVar[type[Aggregate.Event]]
        ReversalRetried: ClassVar[type[Aggregate.Event]]
        ReversedReported: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(order_id: UUID, merchant_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"comptoir:payout:{order_id}:{merchant_id}")

    class Opened(Aggregate.Created):
        TOPIC = "comptoir.Payout.Opened"
        class_version = 2  # v2: the commission rules the order was priced under
        order_id: UUID
        merchant_id: UUID
        payment_id: str
        breakdown: Breakdown
        captured_at: datetime
        commission_rule: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["commission_rule"] = None

    @event(Opened)
    def __init__(self, order_id: UUID, merchant_id: UUID, payment_id: str, breakdown: Breakdown,
                 captured_at: datetime, commission_rule: str | None = None) -> None:
        # commission_rule: e.g. "category:fromagerie v3 6 % on 40.00; minimum 1.00"
        self.commission_rule = commission_rule
        self.order_id = order_id
        self.merchant_id = merchant_id
        self.payment_id = payment_id
        self.breakdown = breakdown
        self.captured_at = captured_at
        self.status = PayoutStatus.WAITING
        self.refunds: dict[str, RefundBreakdown] = {}
        self.transfer_id: str | None = None
        self.transferred_due = Money.zero()
        self.transferred = Money.zero()
        self.reversals: dict[int, Reversal] = {}
        self.reported_reversed = Money.zero()  # as the gateway last reported it

    # -- reading ----------------------------------------------------------------------------

    @property
    def refunded_share(self) -> Money:
        return sum_money([r.share for r in self.refunds.values()])

    @property
    def entitled(self) -> Money:
        """The merchant's share of what the consumer has not been refunded."""
        return self.breakdown.share - self.refunded_share

    @property
    def reversed(self) -> Money:
        return sum_money([r.amount for r in self.reversals.values()
                          if r.status == ReversalStatus.DONE])

    @property
    def owed(self) -> Money:
        """What the platform still owes the merchant (negative: what the merchant owes back)."""
        return self.entitled - self.transferred + self.reversed

    def due_reversals(self) -> list[Reversal]:
        return [r for r in self.reversals.values() if r.status == ReversalStatus.DUE]

    def refused_reversals(self) -> list[Reversal]:
        return [r for r in self.reversals.values() if r.status == ReversalStatus.REFUSED]

    # -- commands (each is a no-op when already done: the process may see an event twice) --

    def release(self, account_ready: bool) -> bool:
        """The policy allows paying: make the transfer due, or hold it; True if it changed."""
        if self.status not in (PayoutStatus.WAITING, PayoutStatus.HELD):
            return False
        if not self.entitled.is_positive():
            self._closed()
        elif account_ready:
            self._transfer_due(self.entitled)
        elif self.status == PayoutStatus.HELD:
            return False
        else:
            self._held()
        return True

    def note_refund(self, refund_id: UUID, refund: RefundBreakdown) -> bool:
        if refund_id.hex in self.refunds:
            return False
        self._refund_noted(refund_id, refund)
        if self.status == PayoutStatus.WAITING and not self.entitled.is_positive():
            self._closed()
        self._reverse_excess()
        return True

    def record_transfer(self, transfer_id: str) -> bool:
        if self.status != PayoutStatus.DUE:
            return False
        self._transferred(transfer_id)
        self._reverse_excess()
        return True

    def record_reversal(self, number: int, reversal_id: str) -> bool:
        if self.reversals[number].status != ReversalStatus.DUE:
            return False
        self._reversed(number, reversal_id)
        return True

    def refuse_reversal(self, number: int, reason: str) -> bool:
        if self.reversals[number].status != ReversalStatus.DUE:
            return False
        self._reversal_refused(number, reason)
        return True

    def retry_reversal(self, number: int) -> bool:
        if self.reversals[number].status != ReversalStatus.REFUSED:
            return False
        self._reversal_retried(number)
        return True

    def report_reversed(self, amount: Money) -> bool:
        """The gateway's own running total of what was reversed (a webhook)."""
        if amount == self.reported_reversed:
            return False
        self._reversed_reported(amount)
        return True

    def _reverse_excess(self) -> None:
        if self.status != PayoutStatus.TRANSFERRED:
            return
        pending = sum_money([r.amount for r in self.reversals.values()
                             if r.status != ReversalStatus.DONE])
        excess = self.transferred - self.reversed - pending - self.entitled
        if excess.is_positive():
            self._reversal_due(len(self.reversals) + 1, excess)

    # -- events -----------------------------------------------------------------------------

    @event("Held", topic="comptoir.Payout.Held")
    def _held(self) -> None:
        self.status = PayoutStatus.HELD

    @event("Closed", topic="comptoir.Payout.Closed")
    def _closed(self) -> None:
        self.status = PayoutStatus.CLOSED

    @event("TransferDue", topic="comptoir.Payout.TransferDue")
    def _transfer_due(self, amount: Money) -> None:
        self.status = PayoutStatus.DUE
        self.transferred_due = amount

    @event("Transferred", topic="comptoir.Payout.Transferred")
    def _transferred(self, transfer_id: str) -> None:
        self.status = PayoutStatus.TRANSFERRED
        self.transfer_id = transfer_id
        self.transferred = self.transferred_due

    @event("RefundNoted", topic="comptoir.Payout.RefundNoted")
    def _refund_noted(self, refund_id: UUID, refund: RefundBreakdown) -> None:
        self.refunds[refund_id.hex] = refund

    @event("ReversalDue", topic="comptoir.Payout.ReversalDue")
    def _reversal_due(self, number: int, amount: Money) -> None:
        self.reversals[number] = Reversal(number, amount)

    @event("Reversed", topic="comptoir.Payout.Reversed")
    def _reversed(self, number: int, reversal_id: str) -> None:
        self.reversals[number] = replace(self.reversals[number], status=ReversalStatus.DONE,
                                         reversal_id=reversal_id, reason=None)

    @event("ReversalRefused", topic="comptoir.Payout.ReversalRefused")
    def _reversal_refused(self, number: int, reason: str) -> None:
        self.reversals[number] = replace(self.reversals[number], status=ReversalStatus.REFUSED,
                                         reason=reason)

    @event("ReversalRetried", topic="comptoir.Payout.ReversalRetried")
    def _reversal_retried(self, number: int) -> None:
        r = self.reversals[number]
        self.reversals[number] = replace(r, status=ReversalStatus.DUE, attempt=r.attempt + 1)

    @event("ReversedReported", topic="comptoir.Payout.ReversedReported")
    def _reversed_reported(self, amount: Money) -> None:
        self.reported_reversed = amount
