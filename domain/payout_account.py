"""A merchant's payout account: its connected account at the gateway and what the gateway says
of it. Kept apart from the Merchant so that gateway reports never contend with the merchant's
own changes.

Payouts released while the account is not ready are held here; when the gateway reports it
ready, they are released together (the payout process does it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.money import Money


class PayoutAccount(Aggregate):
    TOPIC = "comptoir.PayoutAccount"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.PayoutAccount.Created"  # never triggered: an account is opened

    # The event classes the @event methods below generate when the class is made, declared
    # for type checkers (which cannot see them) because other modules name them.
    if TYPE_CHECKING:
        Opened: ClassVar[type[Aggregate.Event]]
        Connected: ClassVar[type[Aggregate.Event]]
        Reported: ClassVar[type[Aggregate.Event]]
        PayoutHeld: ClassVar[type[Aggregate.Event]]
        HeldReleased: ClassVar[type[Aggregate.Event]]
        PayoutReported: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(merchant_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"comptoir:payout-account:{merchant_id}")

    @event("Opened", topic="comptoir.PayoutAccount.Opened")
    def __init__(self, merchant_id: UUID) -> None:
        self.merchant_id = merchant_id
        self.account_id: str | None = None
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.requirements: tuple[str, ...] = ()
        self.held: list[UUID] = []  # payouts waiting for the account to be ready
        self.payouts: dict[str, tuple[Money, str, str | None]] = {}  # id: amount, status, why

    @property
    def ready(self) -> bool:
        return self.account_id is not None and self.payouts_enabled and self.details_submitted

    def connect(self, account_id: str) -> None:
        if self.account_id is None:
            self._connected(account_id)

    def report(self, charges_enabled: bool, payouts_enabled: bool, details_submitted: bool,
               requirements: tuple[str, ...]) -> bool:
        """Record the gateway's view; True if the account has just become ready."""
        was_ready = self.ready
        if (charges_enabled, payouts_enabled, details_submitted, requirements) != (
                self.charges_enabled, self.payouts_enabled, self.details_submitted,
                self.requirements):
            self._reported(charges_enabled, payouts_enabled, details_submitted,
                           list(requirements))
        return self.ready and not was_ready

    def hold(self, payout_id: UUID) -> None:
        if payout_id not in self.held:
            self._held(payout_id)

    def release_held(self) -> list[UUID]:
        held = list(self.held)
        if held:
            self._released(held)
        return held

    def report_payout(self, payout_id: str, amount: Money, status: str,
                      failure: str | None) -> bool:
        if self.payouts.get(payout_id) == (amount, status, failure):
            return False
        self._payout_reported(payout_id, amount, status, failure)
        return True

    @event("Connected", topic="comptoir.PayoutAccount.Connected")
    def _connected(self, account_id: str) -> None:
        self.account_id = account_id

    @event("Reported", topic="comptoir.PayoutAccount.Reported")
    def _reported(self, charges_enabled: bool, payouts_enabled: bool, details_submitted: bool,
                  requirements: list[str]) -> None:
        self.charges_enabled = charges_enabled
        self.payouts_enabled = payouts_enabled
        self.details_submitted = details_submitted
        self.requirements = tuple(requirements)

    @event("PayoutHeld", topic="comptoir.PayoutAccount.PayoutHeld")
    def _held(self, payout_id: UUID) -> None:
        self.held.append(payout_id)

    @event("HeldReleased", topic="comptoir.PayoutAccount.HeldReleased")
    def _released(self, payout_ids: list[UUID]) -> None:
        self.held = [p for p in self.held if p not in payout_ids]

    @event("PayoutReported", topic="comptoir.PayoutAccount.PayoutReported")
    def _payout_reported(self, payout_id: str, amount: Money, status: str,
                         failure: str | None) -> None:
        self.payouts[payout_id] = (amount, status, failure)
