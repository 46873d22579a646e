"""Québec's Law 25 in use cases: erasure, export (portability) and retention.

Personal data lives only in `PersonalData` values, encrypted with the person's own key
(application/personal_data.py). Erasing a person records an `Erasure` (no personal data in it)
and then destroys the key: every copy of their data in events, snapshots and backups becomes
unreadable and reads as a placeholder, while orders, amounts, taxes and payouts stay intact
(financial records are kept six years) and the audit chain, computed over the stored bytes,
still verifies.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.ports import Clock
from application.service import Service
from domain.account import Account
from domain.cart import Cart
from domain.consumer import Consumer
from domain.erasure import Erasure, ErasureReason, SubjectKind
from domain.merchant import Merchant, MerchantStatus
from domain.order import Order
from domain.order_terms import OrderStatus
from domain.personal import PersonalData

FINAL_ORDER_STATES = (OrderStatus.COMPLETED, OrderStatus.FAILED, OrderStatus.EXPIRED)
PROFILE_FIELDS = ("name", "email", "phone", "street", "municipality", "postal_code", "region")


@dataclass(frozen=True)
class RetentionPolicy:
    """Calendar months, as the law and people count them (24 months after 2026-02-28 is
    2028-02-28, not a number of days)."""

    consumer_inactive_months: int  # after the last activity, when no order is still open
    merchant_contact_months: int  # after a merchant is closed or rejected


def months_after(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day when it has no such day."""
    year, month = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + year, month + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class RetentionCandidate:
    subject_id: UUID
    kind: SubjectKind
    since: datetime  # last activity, or closure
    erased: bool = False


class Privacy(Service):
    def __init__(self, *args: Any, clock: Clock, retention: RetentionPolicy,
                 kek_rotation: timedelta = timedelta(days=30),
                 also_forget: Sequence[Callable[[UUID], object]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock
        self.retention = retention
        self.kek_rotation = kek_rotation
        # What holds a person's data outside the log, by their id (the mail outbox and the
        # development mailbox): told of each erasure, after the key is gone.
        self.also_forget = also_forget

    # -- the key-encryption key ------------------------------------------------------------

    def rotate_kek(self) -> Any:
        """A new key-encryption key for every live data key, the old ones destroyed: a copy
        of an erased person's key left in WAL, archives or backups is useless from now on."""
        return self.app.keys.rotate()

    def rotate_kek_if_due(self) -> Any:
        """The scheduled rotation (a job): when the KEK in use is older than the period."""
        made = self.app.keys.kek_created_at()
        if made is not None and self.clock.now() - made < self.kek_rotation:
            return None
        return self.rotate_kek()

    # -- erasure ---------------------------------------------------------------------------

    def erase(self, actor: Actor, subject_id: UUID) -> bool:
        """The person (a consumer's own token) or an admin; False if already erased."""
        kind = self._kind_of(actor, subject_id)
        return self._erase(subject_id, kind, ErasureReason.REQUEST, by=actor.subject)

    def is_erased(self, subject_id: UUID) -> bool:
        return self.exists(Erasure.create_id(subject_id))

    def _erase(self, subject_id: UUID, kind: SubjectKind, reason: ErasureReason,
               by: str) -> bool:
        erased = False
        if not self.is_erased(subject_id):
            self.save(Erasure(subject_id, kind, reason, by))
            erased = True
        # After the record, so that a crash in between is finished by asking again.
        self.app.keys.delete(subject_id)
        for forget in self.also_forget:
            forget(subject_id)
        return erased

    def _kind_of(self, actor: Actor, subject_id: UUID) -> SubjectKind:
        actor.require_signed_in()
        person = self.find(subject_id) if self.exists(subject_id) else None
        if person is None and self.exists(Account.create_id(subject_id)):
            person = self.find(Account.create_id(subject_id))
        if isinstance(person, Consumer | Account):
            if actor.subject == str(subject_id) or actor.role == Role.ADMIN:
                return (SubjectKind.CONSUMER if isinstance(person, Consumer)
                        else SubjectKind.ACCOUNT)
            if actor.is_anonymous:
                raise denied(True)
            raise NotFoundError("subject")  # whether someone is registered is not told
        if actor.role != Role.ADMIN:  # a merchant's contact person: through the platform
            raise NotFoundError("subject")
        if self._merchant_of_contact(subject_id) is None:
            raise NotFoundError("subject")
        return SubjectKind.MERCHANT_CONTACT

    # -- export ----------------------------------------------------------------------------

    def export(self, actor: Actor, subject_id: UUID) -> dict[str, Any]:
        """Everything held about the person, structured (portability): as a shopper, as the
        contact person of a merchant, and the account they sign in with (its address,
        language, staff roles and the merchants it acts for), whichever they are."""
        kind = self._kind_of(actor, subject_id)
        found = {"subject_id": str(subject_id), "kind": str(kind),
                 "erased": self.is_erased(subject_id),
                 "exported_at": self.clock.now().isoformat(), "consents": []}
        if kind == SubjectKind.MERCHANT_CONTACT:
            merchant = self._merchant_of_contact(subject_id)
            assert merchant is not None
            return {**found, "profile": _person(merchant.contact),
                    "merchants": [{"id": str(merchant.id), "name": merchant.name,
                                   "role": "contact", "status": str(merchant.status)}],
                    "orders": [], "carts": []}
        account = self.find(Account.create_id(subject_id))
        signs_in = self._account(account) if isinstance(account, Account) else None
        if kind == SubjectKind.ACCOUNT:
            # Someone who signs in and never shopped: staff, a merchant's people. Their
            # export was a 404 (2026-11-30: it read them as a shopper).
            assert isinstance(account, Account)
            return {**found, "profile": _person(account.email), "account": signs_in,
                    "orders": [], "carts": []}
        consumer = self.load(Consumer, subject_id, "consumer")
        return {
            **found, "profile": _person(consumer.profile), "postal_area": consumer.postal_area,
            "account": signs_in,
            "orders": [_order(self.load(Order, o, "order")) for o in self._orders_of(subject_id)],
            "carts": [_cart(self.load(Cart, c, "cart")) for c in self._carts_of(subject_id)],
            # Comptoir asks no consent beyond what an order needs (no marketing, no tracking):
            # there is none to list (`consents` above).
        }

    def _account(self, account: Account) -> dict[str, Any]:
        merchants = self.fetch(account.merchant_ids).found
        return {
            "email": account.email.get("email"), "forgotten": account.email.forgotten,
            "language": account.language, "email_verified": account.verified,
            "signed_up_at": account.created_on.isoformat(), "staff_roles": sorted(account.roles),
            "merchants": [{"id": str(merchant_id), "membership": account.membership(merchant_id),
                           "name": m.name if isinstance(m := merchants.get(merchant_id),
                                                        Merchant) else None}
                          for merchant_id in account.merchant_ids],
        }

    # -- retention -------------------------------------------------------------------------

    def retention_candidates(self) -> list[RetentionCandidate]:
        """Who the retention rules would erase now (a dry run)."""
        now = self.clock.now()
        found = []
        for consumer_id, last in self._last_activity().items():
            due = months_after(last, self.retention.consumer_inactive_months)
            if now >= due and not self.is_erased(consumer_id) \
                    and not self._has_open_order(consumer_id):
                found.append(RetentionCandidate(consumer_id, SubjectKind.CONSUMER, last))
        for merchant_id, since in self._merchants_gone().items():
            merchant = self.load(Merchant, merchant_id, "merchant")
            subject_id = merchant.contact.subject_id
            if (merchant.status in (MerchantStatus.CLOSED, MerchantStatus.REJECTED)
                    and now >= months_after(since, self.retention.merchant_contact_months)
                    and not self.is_erased(subject_id)):
                found.append(RetentionCandidate(subject_id, SubjectKind.MERCHANT_CONTACT, since))
        return sorted(found, key=lambda c: (c.since, str(c.subject_id)))

    def apply_retention(self, dry_run: bool = False) -> list[RetentionCandidate]:
        candidates = self.retention_candidates()
        if dry_run:
            return candidates
        return [RetentionCandidate(c.subject_id, c.kind, c.since, erased=self._erase(
            c.subject_id, c.kind, ErasureReason.RETENTION, by="retention"))
            for c in candidates]

    # -- reading the log -------------------------------------------------------------------

    def _orders_of(self, consumer_id: UUID) -> list[UUID]:
        return [e.originator_id for e in self.events("comptoir.Order.Placed")
                if e.consumer_id == consumer_id]

    def _carts_of(self, consumer_id: UUID) -> list[UUID]:
        return [e.originator_id for e in self.events("comptoir.Cart.Opened")
                if e.consumer_id == consumer_id]

    def _has_open_order(self, consumer_id: UUID) -> bool:
        return any(self.load(Order, o, "order").status not in FINAL_ORDER_STATES
                   for o in self._orders_of(consumer_id))

    def _last_activity(self) -> dict[UUID, datetime]:
        """Each consumer's last registration, profile change, cart or order event."""
        last: dict[UUID, datetime] = {}
        owner: dict[UUID, UUID] = {}  # cart or order -> consumer
        for e in self.events("comptoir.Consumer.Registered", "comptoir.Consumer.ProfileUpdated",
                              "comptoir.Cart.Opened", "comptoir.Cart.LineSet",
                              "comptoir.Cart.LineRemoved", "comptoir.Cart.CheckedOut",
                              "comptoir.Order.Placed", "comptoir.Order.PaymentCaptured",
                              "comptoir.Order.MerchantOrderFulfilled",
                              "comptoir.Order.RefundSettled"):
            consumer_id = getattr(e, "consumer_id", None)
            if consumer_id is not None:
                owner[e.originator_id] = consumer_id
            who = owner.get(e.originator_id, e.originator_id)
            last[who] = max(last.get(who, e.timestamp), e.timestamp)
        return {who: at for who, at in last.items() if self.exists(who)
                and isinstance(self.find(who), Consumer)}

    def _merchants_gone(self) -> dict[UUID, datetime]:
        return {e.originator_id: e.timestamp for e in self.events(
            "comptoir.Merchant.Rejected", "comptoir.Merchant.Closed")}

    def _merchant_of_contact(self, subject_id: UUID) -> Merchant | None:
        for e in self.events("comptoir.Merchant.Applied"):
            if e.contact.subject_id == subject_id:
                return self.load(Merchant, e.originator_id, "merchant")
        return None


def _person(data: PersonalData) -> dict[str, Any]:
    return {"forgotten": data.forgotten, **{k: data.get(k) for k in PROFILE_FIELDS}}


def _order(order: Order) -> dict[str, Any]:
    return {
        "id": str(order.id), "placed_at": order.created_on.isoformat(),
        "status": str(order.status), "payment_status": str(order.payment_status),
        "total_cents": order.total.cents,
        "delivery_address": _person(order.delivery_address) if order.delivery_address else None,
        "merchant_orders": [{
            "merchant_id": str(mo.merchant_id), "merchant_name": mo.terms.merchant_name,
            "status": str(mo.status), "fulfilment": str(mo.fulfilment),
            "status_reason": mo.reason,
            "total_cents": mo.breakdown.total.cents,
            "lines": [{"title": line.title, "quantity": line.quantity,
                       "unit_price_cents": line.unit_price.cents,
                       "amount_cents": line.amount.cents} for line in mo.lines],
            "refunds": [{"amount_cents": r.breakdown.amount.cents, "reason": r.reason}
                        for r in mo.refunds],
        } for mo in order.merchant_orders.values()],
    }


def _cart(cart: Cart) -> dict[str, Any]:
    return {"id": str(cart.id), "opened_at": cart.created_on.isoformat(),
            "checked_out": not cart.is_open,
            "lines": [{"listing_id": str(listing), "quantity": quantity,
                       **({"variant_id": str(variant)} if variant else {})}
                      for listing, variant, quantity in cart.items()]}
