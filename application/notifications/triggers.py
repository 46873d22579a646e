"""Which events ask for which mails, to whom: the log-following side of notifications.

Run by a Follower (projections/follower.py) over the outbox store, like the payout process:
the rows it adds commit in the same transaction as its tracked position, so an event is turned
into its mails once, whatever crashes in between. It reads the aggregates an event names only
for ids that never change (an order's shopper and merchants, a merchant's contact person);
what the mail says is read when it is sent.

Merchants are written to at the contact address of their application: every merchant has
one (imported ones too), it is the address the platform reviewed, and it is personal data
under the contact person's own key, erased with them. Accounts that are members of a merchant
sign in to see its orders; they are not mailed (docs/notifications.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.accounts import Invitation
from application.notifications.outbox import OutboxMail, OutboxUnit
from application.service import Service
from domain.account import Account
from domain.merchant import Merchant
from domain.order import Order
from domain.payout import Payout


class Recipients(Service):
    """Who an event concerns, from the aggregates it names."""

    def order(self, order_id: UUID) -> Order:
        return self.load(Order, order_id, "order")

    def contact_of(self, merchant_id: UUID) -> UUID:
        return self.load(Merchant, merchant_id, "merchant").contact.subject_id

    def contacts_of(self, merchant_ids: Iterable[UUID]) -> dict[UUID, UUID]:
        """Each merchant's contact person, the merchants read together."""
        return {merchant_id: merchant.contact.subject_id for merchant_id, merchant
                in self.load_all(Merchant, merchant_ids, "merchant").items()}

    def merchant_of_payout(self, payout_id: UUID) -> UUID:
        return self.load(Payout, payout_id, "payout").merchant_id

    def person_of_account(self, account_id: UUID) -> UUID:
        return self.load(Account, account_id, "account").person_id


# `@event` makes these event classes at run time; mypy knows them only through an `Any`.
AccountEvents: Any = Account
InvitationEvents: Any = Invitation


def event_id(event: Any) -> str:
    return f"{event.originator_id}:{event.originator_version}"


def merchant_mail(event: Any, merchant_id: UUID, contact: UUID, template: str,
                  params: dict[str, str | int]) -> OutboxMail:
    return OutboxMail(event_id(event), f"merchant:{merchant_id}", contact, template,
                      {"version": event.originator_version, **params})


class NotificationProjection:
    name = "notifications"
    # Never raised: a rebuild would send every mail of the past again (the store refuses one).
    version = 1

    def __init__(self, recipients: Recipients) -> None:
        self.recipients = recipients
        shopper, merchant, account = self._to_shopper, self._to_merchant, self._to_account
        self.rules: dict[type, Callable[[Any], list[OutboxMail]]] = {
            Order.PaymentCaptured: self._order_paid,
            Order.PaymentFailed: lambda e: [shopper(e, "order_cancelled", why="payment_failed")],
            Order.Expired: lambda e: [shopper(e, "order_cancelled", why="expired")],
            Order.MerchantOrderDeclined: self._declined,
            Order.RefundSettled: lambda e: [shopper(
                e, "refund_settled", merchant_id=str(e.merchant_id), refund_id=str(e.refund_id))],
            Merchant.Approved: lambda e: [merchant(e, e.originator_id, "merchant_approved")],
            Merchant.Rejected: lambda e: [merchant(e, e.originator_id, "merchant_rejected")],
            Payout.Transferred: lambda e: [self._to_payee(e, "payout_sent")],
            Payout.Reversed: lambda e: [self._to_payee(e, "payout_reversed", number=e.number)],
            AccountEvents.SignedUp: lambda e: [account(e, e.person_id, "email_verification")],
            AccountEvents.SignedUpAgain: lambda e: [account(e, None, "sign_up_again")],
            AccountEvents.PasswordResetAsked: lambda e: [account(e, None, "password_reset")],
            InvitationEvents.Sent: lambda e: [OutboxMail(
                event_id(e), "invitee", e.email.subject_id, "invitation",
                {"invitation_id": str(e.originator_id)})],
        }
        self.topics = tuple(get_topic(cls) for cls in self.rules)

    def process(self, event: Any, outbox: OutboxUnit) -> None:
        for mail in self.rules[type(event)](event):
            outbox.add(mail, event.timestamp)

    def _order_paid(self, event: Any) -> list[OutboxMail]:
        """The shopper's confirmation (a receipt per merchant) and each merchant's new order."""
        order = self.recipients.order(event.originator_id)
        contacts = self.recipients.contacts_of(order.merchant_orders)
        return [self._to_shopper(event, "order_confirmed", order=order), *(
            merchant_mail(event, merchant_id, contacts[merchant_id], "merchant_new_order",
                          {"order_id": str(event.originator_id)})
            for merchant_id in order.merchant_orders)]

    def _declined(self, event: Any) -> list[OutboxMail]:
        """Declined by its merchant: the shopper is told why. Declined by the acceptance
        deadline: the shopper, and the merchant who let it lapse."""
        merchant_id = str(event.merchant_id)
        if not event.automatic:
            return [self._to_shopper(event, "merchant_order_declined", merchant_id=merchant_id)]
        return [self._to_shopper(event, "order_part_not_accepted", merchant_id=merchant_id),
                self._to_merchant(event, event.merchant_id, "merchant_order_not_accepted",
                                  order_id=str(event.originator_id))]

    def _to_shopper(self, event: Any, template: str, order: Order | None = None,
                    **params: str | int) -> OutboxMail:
        order = order or self.recipients.order(event.originator_id)
        return OutboxMail(event_id(event), "shopper", order.consumer_id, template, {
            "order_id": str(event.originator_id), "version": event.originator_version,
            **params})

    def _to_merchant(self, event: Any, merchant_id: UUID, template: str,
                     **params: str | int) -> OutboxMail:
        return merchant_mail(event, merchant_id, self.recipients.contact_of(merchant_id),
                             template, params)

    def _to_payee(self, event: Any, template: str, **params: str | int) -> OutboxMail:
        merchant_id = self.recipients.merchant_of_payout(event.originator_id)
        return self._to_merchant(event, merchant_id, template,
                                 payout_id=str(event.originator_id), **params)

    def _to_account(self, event: Any, person_id: UUID | None, template: str) -> OutboxMail:
        person = person_id or self.recipients.person_of_account(event.originator_id)
        return OutboxMail(event_id(event), "account", person, template)
