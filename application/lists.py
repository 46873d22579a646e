"""Lists for screens and integrations, read from the lists read model, each behind its role
check (docs/lists.md). Who may read what follows the access rules of docs/architecture.md:
anonymous callers get 401 before anything is looked up; another merchant's or consumer's
lists are "not found"; the validators' queue is refused (403) to roles that are not staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from uuid import UUID

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.list_rows import (
    ApplicationRow,
    ConsumerOrderRow,
    IdentityChangeRow,
    ListingRow,
    ListsReadModel,
    MerchantOrderRow,
    OrderFilters,
)
from application.paging import Page, PageRequest, aware, paged
from domain.address import parse_region
from domain.errors import FieldErrors
from domain.listing import ListingStatus
from domain.merchant import MerchantStatus
from domain.order_terms import MerchantOrderStatus, OrderStatus, PaymentStatus

IDENTITY_CHANGE_STATUSES = ("pending", "approved", "rejected")
NEWEST_FIRST = PageRequest()
OLDEST_FIRST = PageRequest(newest_first=False)
EVERY_ORDER = OrderFilters()


class Lists:
    def __init__(self, model: ListsReadModel) -> None:
        self.model = model

    def applications(self, actor: Actor, statuses: Iterable[str] = (),
                     region: str | None = None,
                     page: PageRequest = OLDEST_FIRST
                     ) -> Page[ApplicationRow]:
        """Merchants by status, oldest application first: the validators' queue."""
        actor.require_signed_in()
        if actor.role not in (Role.VALIDATOR, Role.ADMIN):
            raise denied(actor.is_anonymous)
        errors = FieldErrors()
        wanted = _known(errors, "status", statuses, MerchantStatus)
        region = errors.parse("region", parse_region, region) if region is not None else None
        errors.raise_if_any()
        return paged("applications", {"status": wanted, "region": region}, page,
                     lambda window: self.model.applications(wanted, region, window))

    def identity_changes(self, actor: Actor, statuses: Iterable[str] = (),
                         page: PageRequest = OLDEST_FIRST) -> Page[IdentityChangeRow]:
        """Requests for a new legal name or NEQ, oldest first: the validators' second queue
        (docs/merchants.md)."""
        actor.require_signed_in()
        if actor.role not in (Role.VALIDATOR, Role.ADMIN):
            raise denied(actor.is_anonymous)
        errors = FieldErrors()
        wanted = tuple(sorted({str(s) for s in statuses}))
        for value in wanted:
            if value not in IDENTITY_CHANGE_STATUSES:
                errors.add("status", "status_unknown", value=value[:40],
                           allowed=", ".join(IDENTITY_CHANGE_STATUSES))
        errors.raise_if_any()
        return paged("identity_changes", {"status": wanted}, page,
                     lambda window: self.model.identity_changes(wanted, window))

    def merchant_orders(self, actor: Actor, merchant_id: UUID,
                        filters: OrderFilters = EVERY_ORDER,
                        page: PageRequest = NEWEST_FIRST) -> Page[MerchantOrderRow]:
        """A merchant's inbox: its own parts of orders, newest first by default."""
        actor.require_signed_in()
        if not (actor.owns(merchant_id) or actor.role == Role.ADMIN):
            raise NotFoundError("merchant")
        checked = _checked(filters, MerchantOrderStatus)
        return paged("merchant_orders", {"merchant": merchant_id, **_described(checked)}, page,
                     lambda window: self.model.merchant_orders(merchant_id, checked, window))

    def consumer_orders(self, actor: Actor, consumer_id: UUID,
                        filters: OrderFilters = EVERY_ORDER,
                        page: PageRequest = NEWEST_FIRST) -> Page[ConsumerOrderRow]:
        """A shopper's orders, newest first by default: the shopper's own, or for an admin."""
        actor.require_signed_in()
        if actor.subject != str(consumer_id) and actor.role != Role.ADMIN:
            raise NotFoundError("consumer")
        checked = _checked(filters, OrderStatus)
        return paged("consumer_orders", {"consumer": consumer_id, **_described(checked)}, page,
                     lambda window: self.model.consumer_orders(consumer_id, checked, window))

    def merchant_listings(self, actor: Actor, merchant_id: UUID, statuses: Iterable[str] = (),
                          page: PageRequest = NEWEST_FIRST) -> Page[ListingRow]:
        """Every listing of a merchant, drafts included: for its owner and staff only."""
        actor.require_signed_in()
        if not (actor.owns(merchant_id) or actor.reads_everything):
            raise NotFoundError("merchant")
        errors = FieldErrors()
        wanted = _known(errors, "status", statuses, ListingStatus)
        errors.raise_if_any()
        return paged("merchant_listings", {"merchant": merchant_id, "status": wanted}, page,
                     lambda window: self.model.merchant_listings(merchant_id, wanted, window))


def _known(errors: FieldErrors, name: str, values: Iterable[str],
           kind: type[StrEnum]) -> tuple[str, ...]:
    """The values, each one of `kind`'s, without repeats, in a stable order."""
    allowed = [str(member) for member in kind]
    found = sorted({str(v) for v in values})
    for value in found:
        if value not in allowed:
            errors.add(name, "status_unknown", value=value[:40], allowed=", ".join(allowed))
    return tuple(found)


def _checked(filters: OrderFilters, kind: type[StrEnum]) -> OrderFilters:
    errors = FieldErrors()
    statuses = _known(errors, "status", filters.statuses, kind)
    payments = _known(errors, "payment_status", filters.payment_statuses, PaymentStatus)
    errors.raise_if_any()
    after, before = filters.placed_after, filters.placed_before
    return OrderFilters(statuses, payments, aware(after) if after else None,
                        aware(before) if before else None)


def _described(filters: OrderFilters) -> dict[str, object]:
    return {"status": filters.statuses, "payment_status": filters.payment_statuses,
            "placed_after": filters.placed_after, "placed_before": filters.placed_before}
