"""Storefronts: open one (admins), read them, and report what they brought to whom."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import ConflictError, NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.service import Service
from domain.errors import FieldErrors
from domain.merchant import Merchant
from domain.storefront import SLUG, Storefront, StorefrontScope
from domain.text import clean_text


@dataclass(frozen=True)
class StorefrontView:
    slug: str
    name_fr: str
    name_en: str
    scope: StorefrontScope


class Storefronts(Service):
    def open(self, actor: Actor, fields: dict[str, Any],
             key: IdempotencyKey | None = None) -> StorefrontView:
        if actor.role != Role.ADMIN:
            raise denied(actor.is_anonymous)
        errors = FieldErrors()
        slug = fields["slug"]
        if not SLUG.match(slug) or len(slug) > 60:
            errors.add("slug", "slug_invalid")
        names = {name: errors.parse(name, clean_text, fields[name], required=True, maximum=80)
                 for name in ("name_fr", "name_en")}
        scope = StorefrontScope.check(fields.get("regions") or [],
                                      fields.get("categories") or [], fields.get("lat"),
                                      fields.get("lon"), fields.get("radius_km"), errors)
        errors.raise_if_any()
        name_fr, name_en = names["name_fr"], names["name_en"]
        assert name_fr is not None and name_en is not None  # required: raise_if_any raised

        def build() -> tuple[UUID, list[Aggregate]]:
            if self.exists(Storefront.create_id(slug)):
                raise ConflictError("storefront_exists")
            storefront = Storefront(slug, name_fr, name_en, scope)
            return storefront.id, [storefront]

        self.create(key, build, serialise=[Storefront.create_id(slug)])
        return self.get(slug)

    def get(self, slug: str) -> StorefrontView:
        found = self.find(Storefront.create_id(slug)) if SLUG.match(slug) else None
        if not isinstance(found, Storefront):
            raise NotFoundError("storefront")
        return StorefrontView(found.slug, found.name_fr, found.name_en, found.scope)

    def all(self) -> list[StorefrontView]:
        return sorted((self.get(e.slug) for e in self.events("comptoir.Storefront.Opened")),
                      key=lambda v: v.slug)

    def report(self, actor: Actor) -> list[dict[str, Any]]:
        """Paid orders, sales and merchants served, by storefront and merchant region."""
        if actor.role not in (Role.ADMIN, Role.AUDITOR):
            raise denied(actor.is_anonymous)
        paid = {e.originator_id for e in self.events("comptoir.Order.PaymentCaptured")}
        regions: dict[UUID, str] = {}
        orders: dict[tuple, set[UUID]] = defaultdict(set)
        sales: dict[tuple, int] = defaultdict(int)
        merchants: dict[tuple, set[UUID]] = defaultdict(set)
        for placed in self.events("comptoir.Order.Placed"):
            if placed.originator_id not in paid:
                continue
            for part in placed.parts:
                if part.merchant_id not in regions:
                    merchant = self.load(Merchant, part.merchant_id, "merchant")
                    regions[part.merchant_id] = merchant.address.region
                key = (placed.storefront or "", regions[part.merchant_id])
                orders[key].add(placed.originator_id)
                sales[key] += part.breakdown.total.cents
                merchants[key].add(part.merchant_id)
        return [{"storefront": key[0] or None, "region": key[1], "orders": len(orders[key]),
                 "sales_cents": sales[key], "merchants": len(merchants[key])}
                for key in sorted(orders)]
