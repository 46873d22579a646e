"""Listing imports: a merchant's catalogue from one file, idempotent on the merchant's SKU.

Each row sells one thing named by its SKU: a listing sold as itself, or — with a
`variant_label` and a `listing_ref` — one variant of the listing its `listing_ref` names (rows
sharing a `listing_ref` are the variants of one listing; the first one's listing fields make
it). A row whose SKU one of the merchant's products already carries is compared with it:
`already_imported` when every imported field agrees, else `conflicting` with the differing
fields named (the first import stands; nothing changes). Rows are checked by the API's rules
(the caller validates the schema; the domain checks the rest) and saved in batches, each
batch ONE atomic save of its listings and their claims (SKU, listing_ref), retried whole if
another writer got in between: a re-run imports nothing twice and completes what a crash left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.actors import Actor
from application.catalog import Catalog
from application.skus import claim_sku, holder_of
from domain.claim import Claim
from domain.errors import DomainError, FieldError, InvalidValueError, ValidationFailedError
from domain.listing import Listing, ListingDetails, VariantDetails
from domain.merchant import Merchant

LISTING_FIELDS = ("title_fr", "title_en", "description_fr", "description_en", "category",
                  "price_cents", "tax_class", "origin")
REF_KIND = "listing_ref"


@dataclass(frozen=True)
class ImportRow:
    """One row, its values shaped as the API's (`ListingIn` fields, plus the variant's)."""

    line: int
    sku: str
    listing: dict[str, Any]  # ListingIn fields (price_cents: the variant's, for a variant row)
    on_hand: int = 0
    publish: bool = False
    variant_label: str | None = None
    listing_ref: str | None = None


@dataclass(frozen=True)
class RowResult:
    line: int
    sku: str
    outcome: str  # imported, already_imported, conflicting, rejected
    errors: tuple[FieldError, ...] = ()


@dataclass
class _Batch:
    listings: dict[UUID, Listing] = field(default_factory=dict)
    claims: dict[UUID, Claim] = field(default_factory=dict)
    refs: dict[str, UUID] = field(default_factory=dict)
    skus: dict[str, UUID] = field(default_factory=dict)  # taken in this batch -> listing


class ListingImports(Catalog):
    def import_rows(self, actor: Actor, merchant_id: UUID, rows: list[ImportRow]
                    ) -> list[RowResult]:
        """One atomic save for the batch; a result per row, in order."""
        actor.require_signed_in()

        def attempt() -> list[RowResult]:
            merchant = self._open_merchant_of(actor, merchant_id)
            batch = _Batch()
            results = [self._row(merchant, row, batch) for row in rows]
            self.save(*batch.listings.values(), *batch.claims.values())
            return results

        return self.retrying(attempt, serialise=[merchant_id])

    def _row(self, merchant: Merchant, row: ImportRow, batch: _Batch) -> RowResult:
        try:
            held = self._carrier(merchant.id, row.sku, batch)
            if held is not None:
                differ = _differences(held, row)
                outcome = "conflicting" if differ else "already_imported"
                return RowResult(row.line, row.sku, outcome,
                                 tuple(FieldError(f, "sku_conflict") for f in differ))
            self._import(merchant, row, batch)
        except ValidationFailedError as error:
            return RowResult(row.line, row.sku, "rejected", tuple(error.errors))
        except DomainError as error:
            name = getattr(error, "field", None) or "row"
            return RowResult(row.line, row.sku, "rejected",
                             (FieldError(name, error.code, error.params),))
        return RowResult(row.line, row.sku, "imported")

    def _import(self, merchant: Merchant, row: ImportRow, batch: _Batch) -> None:
        """Validate everything first, then change: a rejected row leaves nothing behind."""
        details = ListingDetails.check({**row.listing, "sku": None if row.variant_label
                                        else row.sku})
        variant = VariantDetails.check({"sku": row.sku, "label": row.variant_label,
                                        "price_cents": row.listing.get("price_cents")}
                                       ) if row.variant_label else None
        if row.publish and not merchant.is_approved:
            raise InvalidValueError("merchant_not_approved", field="publish")
        listing = self._listing_for(merchant.id, row, details, batch)
        if listing is None:
            listing = Listing(merchant.id, details)
            if row.listing_ref:
                self._claim_ref(merchant.id, row.listing_ref, listing.id, batch)
        if variant is not None:
            variant_id = listing.add_variant(variant)
            if row.on_hand:
                listing.set_variant_stock(variant_id, row.on_hand)
        elif row.on_hand:
            listing.set_stock(row.on_hand)
        if row.publish and not listing.is_published:
            listing.publish(merchant_is_approved=True)
        claim = claim_sku(self, merchant.id, row.sku, listing.id)
        if claim is not None:
            batch.claims[claim.id] = claim
        batch.listings[listing.id] = listing
        batch.skus[row.sku] = listing.id

    def _listing_for(self, merchant_id: UUID, row: ImportRow, details: ListingDetails,
                     batch: _Batch) -> Listing | None:
        """The listing a variant row joins (by its listing_ref), None for a new one."""
        if row.listing_ref is None:
            if row.variant_label:
                raise InvalidValueError("text_required", field="listing_ref")
            return None
        if row.listing_ref in batch.refs:
            return batch.listings[batch.refs[row.listing_ref]]
        claim = self.find(Claim.create_id(REF_KIND, _ref_key(merchant_id, row.listing_ref)))
        if not isinstance(claim, Claim):
            return None
        listing = self.load(Listing, claim.holder_id, "listing")
        batch.refs[row.listing_ref] = listing.id
        batch.listings[listing.id] = listing  # saved with the batch (nothing, if unchanged)
        return listing

    def _claim_ref(self, merchant_id: UUID, ref: str, listing_id: UUID, batch: _Batch) -> None:
        claim = Claim(REF_KIND, _ref_key(merchant_id, ref), listing_id)
        batch.claims[claim.id] = claim
        batch.refs[ref] = listing_id

    def _carrier(self, merchant_id: UUID, sku: str, batch: _Batch) -> Listing | None:
        if sku in batch.skus:
            return batch.listings[batch.skus[sku]]
        listing_id = holder_of(self, merchant_id, sku)
        if listing_id is None:
            return None
        found = batch.listings.get(listing_id) or self.find(listing_id)
        if isinstance(found, Listing) and found.merchant_id == merchant_id and sku in found.skus:
            return found
        return None


def _ref_key(merchant_id: UUID, ref: str) -> str:
    return f"{merchant_id.hex}/{ref}"


def _differences(listing: Listing, row: ImportRow) -> tuple[str, ...]:
    """The row's fields whose values differ from what the platform holds (stock and
    publication are live, not compared)."""
    held: dict[str, Any] = {**listing.details.as_raw(), "variant_label": None}
    variant = listing.variant_by_sku(row.sku)
    if variant is not None:
        held |= {"price_cents": variant.price.cents, "variant_label": variant.label}
    try:  # the row as the domain would hold it (text trimmed, defaults applied)
        wanted = ListingDetails.check({**row.listing, "sku": None}).as_raw()
    except ValidationFailedError:
        wanted = dict(row.listing)
    wanted["variant_label"] = row.variant_label
    return tuple(name for name in (*LISTING_FIELDS, "variant_label")
                 if wanted.get(name) != held.get(name))
