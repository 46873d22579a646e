"""Orders: what each actor may see of them, and the merchants' side of their lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.payments import Payments
from application.service import Service
from domain.listing import Listing
from domain.money import Money
from domain.order import MerchantOrder, Order
from domain.order_terms import MerchantOrderStatus, MerchantOrderTerms, Refund
from domain.personal import PersonalData


@dataclass(frozen=True)
class PartView:
    terms: MerchantOrderTerms
    status: str
    reason: str | None
    refunds: list[Refund]
    refunded: Money
    refundable: Money
    declined_automatically: bool = False  # by the acceptance deadline
    accept_by: datetime | None = None  # the acceptance deadline, while it is placed

    @classmethod
    def of(cls, merchant_order: MerchantOrder, accept_by: datetime | None = None) -> PartView:
        placed = merchant_order.status == MerchantOrderStatus.PLACED
        return cls(merchant_order.terms, str(merchant_order.status), merchant_order.reason,
                   list(merchant_order.refunds), merchant_order.refunded,
                   merchant_order.refundable, merchant_order.declined_automatically,
                   accept_by if placed else None)


@dataclass(frozen=True)
class OrderView:
    id: UUID
    consumer_id: UUID
    status: str
    status_reason: str | None
    payment_status: str
    payment_note: str | None
    expires_at: datetime
    created_on: datetime
    parts: list[PartView]  # a merchant sees only its own
    total: Money | None  # the whole order's, for those who see every part
    delivery_address: PersonalData | None
    client_secret: str | None = None
    disputes: tuple[tuple[str, Money, str], ...] = ()  # id, amount, reason (whole order only)


class Orders(Service):
    def __init__(self, *args: object, payments: Payments,
                 auditors_see_personal_data: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.payments = payments
        self.auditors_see_personal_data = auditors_see_personal_data

    def get(self, actor: Actor, order_id: UUID) -> OrderView:
        actor.require_signed_in()
        return view_for(actor, self.load(Order, order_id, "order"),
                        self.auditors_see_personal_data)

    def payment_secret(self, actor: Actor, order_id: UUID) -> str | None:
        """What the shopper's device needs to confirm her card in the gateway's own form
        (Stripe's client secret), while her order awaits payment; None once it is paid,
        failed or expired, or when the gateway asks for nothing. Asking again is safe: the
        gateway answers the same payment to the same idempotency key."""
        view = self.get(actor, order_id)
        if actor.role != Role.CONSUMER or view.status != "awaiting_payment":
            return None
        secret, _ = self.payments.request(order_id, None)
        return secret

    def accept(self, actor: Actor, order_id: UUID, merchant_id: UUID) -> OrderView:
        return self._act(actor, order_id, merchant_id, lambda o, _: o.accept(merchant_id))

    def fulfil(self, actor: Actor, order_id: UUID, merchant_id: UUID) -> OrderView:
        def fulfil(order: Order, listings: list[Listing]) -> None:
            order.fulfil(merchant_id)
            for listing in listings:
                listing.consume(order.id)

        return self._act(actor, order_id, merchant_id, fulfil)

    def decline(self, actor: Actor, order_id: UUID, merchant_id: UUID, reason: str) -> OrderView:
        """The merchant cannot serve its part: its stock goes back and its part is refunded."""
        refund_id = uuid4()

        def decline(order: Order, listings: list[Listing]) -> None:
            order.decline(merchant_id, reason)
            release_and_refund(order, listings, merchant_id, refund_id)

        self._act(actor, order_id, merchant_id, decline)
        self.payments.refund(order_id, merchant_id, refund_id)
        return self.get(actor, order_id)

    def refund(self, actor: Actor, order_id: UUID, merchant_id: UUID, amount: Money,
               reason: str, key: IdempotencyKey | None = None) -> OrderView:
        """Part or all of a merchant order, by its merchant or a validator; never more than
        was paid for it. With an Idempotency-Key a retried refund happens once."""
        actor.require_signed_in()

        def build() -> tuple[UUID, list[Aggregate]]:
            order = self._visible(actor, order_id)
            if actor.role != Role.VALIDATOR:
                self._own_part(actor, order, merchant_id)
            refund = order.refund(merchant_id, amount, reason, uuid4())
            return refund.refund_id, [order]

        refund_id = self.create(key, build, serialise=[order_id])
        self.payments.refund(order_id, merchant_id, refund_id)
        return self.get(actor, order_id)

    def _act(self, actor: Actor, order_id: UUID, merchant_id: UUID,
             decide: Callable[[Order, list[Listing]], None]) -> OrderView:
        order = self._visible(actor, order_id)
        self._own_part(actor, order, merchant_id)
        # Each listing once, though several of its variants be in the part.
        lines = order.merchant_order(merchant_id).lines
        ids = list(dict.fromkeys(line.listing_id for line in lines))

        def attempt() -> None:
            order = self.load(Order, order_id, "order")
            listings = [self.load(Listing, listing_id, "listing") for listing_id in ids]
            decide(order, listings)
            self.save(order, *listings)

        self.retrying(attempt, serialise=[order_id, *ids])
        return self.get(actor, order_id)

    def _visible(self, actor: Actor, order_id: UUID) -> Order:
        actor.require_signed_in()
        order = self.load(Order, order_id, "order")
        view_for(actor, order)  # raises NotFoundError for those who may not see it
        return order

    @staticmethod
    def _own_part(actor: Actor, order: Order, merchant_id: UUID) -> None:
        """Another merchant's part is not this merchant's to see (404); the order's shopper
        and staff see it but do not run it (403)."""
        if not actor.owns(merchant_id):
            if actor.role == Role.MERCHANT:
                raise NotFoundError("order")
            raise denied(actor.is_anonymous)
        order.merchant_order(merchant_id)


def release_and_refund(order: Order, listings: list[Listing], merchant_id: UUID,
                       refund_id: UUID) -> None:
    """After a part is declined (by its merchant or by the acceptance deadline): its stock
    goes back on sale and what is left of it is refunded, for the decline's reason. The
    caller saves all of them in one save, then has the gateway carry out the refund."""
    part = order.merchant_order(merchant_id)
    assert part.reason is not None
    for listing in listings:
        listing.release(order.id, reason="declined")
    order.refund(merchant_id, part.refundable, part.reason, refund_id)


def view_for(actor: Actor, order: Order, auditors_see_personal_data: bool = False
             ) -> OrderView:
    """Consumers and staff see the whole order; a merchant only its own part (and the
    delivery address when it delivers or ships); anyone else nothing. The delivery address
    is personal data: its consumer, validators and admins see it, and a merchant who must
    deliver; an auditor only if the platform's setting allows it."""
    whole = actor.reads_everything or (
        actor.role == Role.CONSUMER and actor.subject == str(order.consumer_id))
    parts = [PartView.of(mo, order.accept_by) for mo in order.merchant_orders.values()
             if whole or actor.owns(mo.merchant_id)]
    if not parts:
        raise NotFoundError("order")
    if actor.role == Role.AUDITOR:
        sees_address = auditors_see_personal_data
    elif whole:
        sees_address = True
    else:
        sees_address = any(str(p.terms.fulfilment) != "pickup" for p in parts)
    return OrderView(
        order.id, order.consumer_id, str(order.status), order.status_reason,
        str(order.payment_status), order.payment_note, order.expires_at, order.created_on, parts,
        order.total if whole else None, order.delivery_address if sees_address else None,
        disputes=tuple((d, amount, why) for d, (amount, why) in order.disputes.items())
        if whole else ())
