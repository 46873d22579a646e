"""Paying merchants their shares: payout accounts, the payout process, and its retries.

The payout process follows the log (from a tracked position, like a read model) and turns what
happened to orders into payout commands, and payout commands into gateway calls:

    Order.PaymentCaptured          → one Payout per merchant order (what it is owed; the
                                     captures of a batch of the log are opened together)
    Order.MerchantOrderFulfilled   → release it (policy "fulfilment")
    Order.RefundDecided            → lower what is owed; a reversal is due if already paid
    PayoutAccount.Reported (ready) → release the payouts held for the account
    Payout.TransferDue / ReversalDue / ReversalRetried → call the gateway, record the outcome

Every step is decided by the Payout aggregate and is a no-op when already done, and every
gateway call carries an idempotency key derived from the command that caused it
(`transfer:{payout}`, `reversal:{payout}:{n}:{attempt}`). So delivering an event twice — after
a crash between a gateway call and the record of its outcome, say — changes nothing and pays
nothing twice: the replayed call gets the gateway's first answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from application.actors import Actor, Role
from application.errors import (
    GatewayUnavailableError,
    NotFoundError,
    ReversalRefusedError,
    denied,
)
from application.ports import Clock, PaymentGateway, PayoutAccountStatus
from application.service import Service
from domain.claim import Claim
from domain.errors import RuleViolatedError
from domain.merchant import Merchant
from domain.money import Money
from domain.order import Order
from domain.payout import Payout, PayoutStatus
from domain.payout_account import PayoutAccount

log = logging.getLogger("comptoir.payouts")

ACCOUNT_CLAIM = "payout_account"  # Claim(kind, gateway account id) → merchant id


@dataclass(frozen=True)
class PayoutPolicy:
    release_on: Literal["fulfilment", "capture"] = "fulfilment"
    delay: timedelta = timedelta(0)  # after capture, when released on capture
    sell_without_account: bool = True  # hold the funds of merchants not yet onboarded


@dataclass(frozen=True)
class PayoutAccountView:
    merchant_id: UUID
    account_id: str | None
    ready: bool
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements: tuple[str, ...]
    bank_payouts: tuple[tuple[str, Money, str, str | None], ...] = ()  # id, amount, status, why
    onboarding_url: str | None = None


class PendingPayouts(Protocol):
    """Payouts with something left to do (from the payouts ledger)."""

    def waiting_since(self, captured_before: datetime, limit: int) -> list[UUID]: ...

    def unfinished(self, limit: int) -> list[UUID]: ...


class Payouts(Service):
    def __init__(self, *args: Any, gateway: PaymentGateway, clock: Clock,
                 policy: PayoutPolicy, pending: PendingPayouts | None = None,
                 public_base_url: str = "http://127.0.0.1:8000", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gateway = gateway
        self.clock = clock
        self.policy = policy
        self.pending = pending  # the ledger's view of what waits (None: no jobs to run)
        self.base_url = public_base_url.rstrip("/")

    # -- payout accounts ----------------------------------------------------------------------

    def set_up_account(self, actor: Actor, merchant_id: UUID, refresh_url: str | None = None,
                       return_url: str | None = None) -> PayoutAccountView:
        """Open the merchant's connected account if needed; a fresh onboarding link (which
        comes back to the merchant's payout account and ledger on this platform)."""
        refresh_url = refresh_url or f"{self.base_url}/v1/merchants/{merchant_id}/payout-account"
        return_url = return_url or f"{self.base_url}/v1/merchants/{merchant_id}/payouts"
        actor.require_signed_in()
        self.load(Merchant, merchant_id, "merchant")
        if not (actor.owns(merchant_id) or actor.role == Role.ADMIN):
            if not actor.reads_everything:  # payouts are theirs and staff's: 404 to others
                raise NotFoundError("merchant")
            raise denied(actor.is_anonymous)
        if actor.owns(merchant_id) and not self.owns_outright(actor, merchant_id):
            raise denied(False)  # where the money goes is the owner's to say
        account = self._account(merchant_id)
        account_id = account.account_id or self.gateway.open_account(
            merchant_id, idempotency_key=f"account:{merchant_id}")
        self.report_account(merchant_id, self.gateway.account_status(account_id))
        link = self.gateway.onboarding_link(account_id, refresh_url, return_url)
        return replace(self.account_view(merchant_id), onboarding_url=link)

    def account_view(self, merchant_id: UUID) -> PayoutAccountView:
        a = self._account(merchant_id)
        return PayoutAccountView(merchant_id, a.account_id, a.ready, a.charges_enabled,
                                 a.payouts_enabled, a.details_submitted, a.requirements,
                                 tuple((i, *p) for i, p in a.payouts.items()))

    def report_account(self, merchant_id: UUID, status: PayoutAccountStatus) -> None:
        """What the gateway says of the account (on setup, or from `account.updated`)."""

        def attempt() -> None:
            account = self._account(merchant_id)
            # Webhooks name the gateway's account: a claim on its id leads back to the merchant.
            claim = None if account.account_id else Claim(
                ACCOUNT_CLAIM, status.account_id, merchant_id)
            account.connect(status.account_id)
            account.report(status.charges_enabled, status.payouts_enabled,
                           status.details_submitted, status.requirements)
            self.save(account, claim)

        self.retrying(attempt, serialise=[PayoutAccount.create_id(merchant_id)])

    def may_sell(self, merchant_id: UUID) -> bool:
        """Whether the merchant may take orders under the policy (read only when it matters)."""
        return self.policy.sell_without_account or self._account(merchant_id).ready

    # -- the process's steps (each idempotent) ---------------------------------------------

    def open_payouts(self, captures: Sequence[tuple[UUID, datetime]]) -> None:
        """A payout per merchant order of these captured orders (order id, captured at),
        saved together: the captures of a follower's batch cost one commit, where each
        checkout's cost one (and its turn at the log's lock)."""
        captured_at = dict(captures)

        def attempt() -> list[UUID]:
            orders = self.load_all(Order, captured_at, "order")
            existing = self.fetch(Payout.create_id(order.id, merchant_id)
                                  for order in orders.values()
                                  for merchant_id in order.merchant_orders).found
            opened = [Payout(order.id, mo.merchant_id, order.payment_id or "",
                             mo.breakdown, captured_at[order.id],
                             mo.terms.commission.summary if mo.terms.commission else None)
                      for order in orders.values() for mo in order.merchant_orders.values()
                      if Payout.create_id(order.id, mo.merchant_id) not in existing]
            self.save(*opened)
            return [p.id for p in opened]

        opened = self.retrying(attempt, serialise=list(captured_at))
        if self.policy.release_on == "capture" and not self.policy.delay:
            for payout_id in opened:
                self.release(payout_id)

    def release(self, payout_id: UUID) -> None:
        def attempt() -> None:
            payout = self.load(Payout, payout_id, "payout")
            account = self._account(payout.merchant_id)
            if not payout.release(account.ready):
                return  # already released: a replayed event changes nothing
            if payout.status == PayoutStatus.HELD:
                account.hold(payout.id)  # the account (made now if never opened) keeps it
                self.save(payout, account)
            else:
                self.save(payout)

        payout = self.load(Payout, payout_id, "payout")
        self.retrying(attempt, serialise=[payout_id,
                                          PayoutAccount.create_id(payout.merchant_id)])

    def note_refund(self, order_id: UUID, merchant_id: UUID, refund_id: UUID) -> None:
        payout_id = Payout.create_id(order_id, merchant_id)
        if self.find(payout_id) is None:
            return  # never captured: nothing was owed

        def attempt() -> None:
            order = self.load(Order, order_id, "order")
            refund = order.merchant_order(merchant_id).refund_by_id(refund_id)
            payout = self.load(Payout, payout_id, "payout")
            payout.note_refund(refund_id, refund.breakdown)
            self.save(payout)

        self.retrying(attempt, serialise=[payout_id])

    def release_held(self, merchant_id: UUID) -> None:
        account_id = PayoutAccount.create_id(merchant_id)

        def attempt() -> list[UUID]:
            account = self._account(merchant_id)
            held = account.release_held() if account.ready else []
            self.save(account)
            return held

        for payout_id in self.retrying(attempt, serialise=[account_id]):
            self.release(payout_id)

    def carry_out(self, payout_id: UUID) -> None:
        """Make the due transfer and reversals at the gateway and record their outcomes.
        A gateway that does not answer leaves them due: the payouts job retries."""
        payout = self.load(Payout, payout_id, "payout")
        try:
            if payout.status == PayoutStatus.DUE:
                account = self._account(payout.merchant_id)
                if account.account_id is None:
                    raise RuleViolatedError("payout_account_missing")
                transfer_id = self.gateway.transfer(
                    payment_id=payout.payment_id, account_id=account.account_id,
                    amount=payout.transferred_due, order_id=payout.order_id,
                    merchant_id=payout.merchant_id, idempotency_key=f"transfer:{payout.id}")
                self.record(payout_id, lambda p: p.record_transfer(transfer_id))
                payout = self.load(Payout, payout_id, "payout")
            for reversal in payout.due_reversals():
                key = f"reversal:{payout.id}:{reversal.number}:{reversal.attempt}"
                try:
                    reversal_id = self.gateway.reverse_transfer(
                        payout.transfer_id or "", reversal.amount, idempotency_key=key)
                except ReversalRefusedError as refused:
                    self.record(payout_id, partial(Payout.refuse_reversal,
                                                   number=reversal.number, reason=refused.reason))
                    continue
                self.record(payout_id, partial(Payout.record_reversal,
                                               number=reversal.number, reversal_id=reversal_id))
        except GatewayUnavailableError as error:
            log.warning("payout %s: gateway unavailable (%s); the job retries", payout_id,
                        error.reason)

    def retry_reversals(self, payout_id: UUID) -> None:
        def attempt() -> None:
            payout = self.load(Payout, payout_id, "payout")
            for reversal in payout.refused_reversals():
                payout.retry_reversal(reversal.number)
            self.save(payout)

        self.retrying(attempt, serialise=[payout_id])

    def tick(self, limit: int = 100) -> int:
        """The payouts job: release payouts whose delay has passed, carry out what a gateway
        outage left due, retry refused reversals. Returns how many payouts it looked at."""
        if self.pending is None:
            return 0
        seen = 0
        if self.policy.release_on == "capture":
            for payout_id in self.pending.waiting_since(self.clock.now() - self.policy.delay,
                                                        limit):
                self.release(payout_id)
                seen += 1
        for payout_id in self.pending.unfinished(limit):
            self.retry_reversals(payout_id)
            self.carry_out(payout_id)
            seen += 1
        return seen

    def record(self, payout_id: UUID, decide: Callable[[Payout], bool]) -> None:
        """Record what the gateway did (or says it did) on a payout."""

        def attempt() -> None:
            payout = self.load(Payout, payout_id, "payout")
            if decide(payout):
                self.save(payout)

        self.retrying(attempt, serialise=[payout_id])

    def _account(self, merchant_id: UUID) -> PayoutAccount:
        found = self.find(PayoutAccount.create_id(merchant_id))
        return found if isinstance(found, PayoutAccount) else PayoutAccount(merchant_id)


class CapturedPayments:
    """The payout process's unit of work for one batch of the log: the captures it meets,
    opened together when the batch ends or before any other event (a refund later in the
    same batch needs its payout)."""

    def __init__(self, payouts: Payouts) -> None:
        self.payouts = payouts
        self.pending: list[tuple[UUID, datetime]] = []

    def load(self, events: Sequence[Any]) -> None:
        pass

    def flush(self) -> None:
        if self.pending:
            self.payouts.open_payouts(self.pending)
            self.pending = []


class PayoutProcess:
    """The log-following side of `Payouts` (run by a Follower, tracked like a read model)."""

    name = "payouts_process"
    version = 1

    def __init__(self, payouts: Payouts) -> None:
        self.payouts = payouts
        p = payouts
        self.handlers: dict[type, Callable[[Any], None]] = {
            Order.MerchantOrderFulfilled: self._fulfilled,
            Order.RefundDecided: lambda e: p.note_refund(e.originator_id, e.merchant_id,
                                                         e.refund.refund_id),
            PayoutAccount.Reported: lambda e: p.release_held(
                p.load(PayoutAccount, e.originator_id, "payout_account").merchant_id),
            Payout.TransferDue: lambda e: p.carry_out(e.originator_id),
            Payout.ReversalDue: lambda e: p.carry_out(e.originator_id),
            Payout.ReversalRetried: lambda e: p.carry_out(e.originator_id),
        }
        self.topics = (get_topic(Order.PaymentCaptured),
                       *(get_topic(cls) for cls in self.handlers))

    def unit_of_work(self) -> CapturedPayments:
        return CapturedPayments(self.payouts)

    def process(self, event: Any, unit: CapturedPayments) -> None:
        if isinstance(event, Order.PaymentCaptured):
            unit.pending.append((event.originator_id, event.timestamp))
            return
        unit.flush()
        self.handlers[type(event)](event)

    def _fulfilled(self, event: Any) -> None:
        if self.payouts.policy.release_on == "fulfilment":
            self.payouts.release(Payout.create_id(event.originator_id, event.merchant_id))
