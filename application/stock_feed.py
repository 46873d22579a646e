"""Stock feeds by SKU: what a point-of-sale connector sends, hundreds of `{sku, on_hand}` lines
at a time, for one merchant.

Each batch is ONE atomic save of every listing it changes (all or nothing, retried whole if a
checkout got in between). Each line's SKU is found through its claim (application/skus.py):
a listing sold as itself, or one variant. A line is counted `updated` or `unchanged` (the stock
already said so: no event), its SKU reported in `unknown_skus` when none of the merchant's
products carries it, or `rejected` with its reasons (below what is reserved; the listing's own
SKU when it is sold by variant; a SKU repeated in the batch): none of these is fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.actors import Actor
from application.catalog import Catalog
from application.skus import sku_claim_id
from domain.claim import Claim
from domain.errors import DomainError, FieldError, InvalidValueError, ValidationFailedError
from domain.listing import Listing

MAX_FEED_LINES = 1000
MAX_HINTS = 200_000  # (merchant, SKU) pairs remembered per process: about 53 MB (measured)


@dataclass(frozen=True)
class FeedLine:
    line: int  # as the sender numbers it (1-based in a JSON list, the file's line in a CSV)
    sku: str
    on_hand: int


@dataclass
class FeedReport:
    updated: int = 0
    unchanged: int = 0
    unknown_skus: list[str] = field(default_factory=list)  # in the order sent
    rejected: list[tuple[int, tuple[FieldError, ...]]] = field(default_factory=list)


class StockFeeds(Catalog):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (merchant, SKU) → the listing this process last found carrying it: a hint, read and
        # checked like any listing (see `_carriers`), that spares a feed its claims.
        self._seen_carrying: dict[tuple[UUID, str], UUID] = {}

    def feed_stock(self, actor: Actor, merchant_id: UUID, lines: list[FeedLine]) -> FeedReport:
        actor.require_signed_in()

        def attempt() -> FeedReport:
            self._open_merchant_of(actor, merchant_id)
            report, seen = FeedReport(), set()
            carriers = self._carriers(merchant_id, {line.sku for line in lines})
            changed: dict[UUID, Listing] = {}
            for line in lines:
                if line.sku in seen:
                    report.rejected.append((line.line, (FieldError("sku", "sku_repeated"),)))
                    continue
                seen.add(line.sku)
                listing = carriers.get(line.sku)
                if listing is None:
                    report.unknown_skus.append(line.sku)
                    continue
                try:
                    moved = _set(listing, line.sku, line.on_hand)
                except DomainError as error:
                    report.rejected.append((line.line, _reasons(error)))
                    continue
                if moved:
                    report.updated += 1
                    changed[listing.id] = listing
                else:
                    report.unchanged += 1
            self.save(*changed.values())
            return report

        return self.retrying(attempt, serialise=[merchant_id])


    def _carriers(self, merchant_id: UUID, skus: set[str]) -> dict[str, Listing]:
        """The merchant's listing that carries each SKU now (those none carries are left out).

        A SKU's claim names its listing (application/skus.py). A listing that carries a SKU
        holds its claim — no other listing may take the SKU while it does — so a listing this
        process saw carrying the SKU, read now and found carrying it still, is the one its
        claim names, and the claim need not be read: a point of sale feeding the same SKUs
        all day reads its listings only. Any other SKU goes through its claim."""
        hinted = {sku: self._seen_carrying[(merchant_id, sku)] for sku in skus
                  if (merchant_id, sku) in self._seen_carrying}
        loaded = self.app.aggregates(list(set(hinted.values())))
        found = {sku: listing for sku, listing_id in hinted.items()
                 if (listing := _carrying(loaded.get(listing_id), merchant_id, sku))}
        if rest := [sku for sku in skus if sku not in found]:
            claims = self.app.aggregates([sku_claim_id(merchant_id, sku) for sku in rest])
            holders = {sku: claim.holder_id for sku in rest
                       if isinstance(claim := claims.get(sku_claim_id(merchant_id, sku)), Claim)}
            loaded.update(self.app.aggregates([i for i in set(holders.values())
                                               if i not in loaded]))
            found.update({sku: listing for sku, listing_id in holders.items()
                          if (listing := _carrying(loaded.get(listing_id), merchant_id, sku))})
        if len(self._seen_carrying) > MAX_HINTS:
            self._seen_carrying.clear()
        self._seen_carrying.update({(merchant_id, sku): listing.id
                                    for sku, listing in found.items()})
        return found


def _carrying(found: Any, merchant_id: UUID, sku: str) -> Listing | None:
    """`found` if it is a listing of the merchant that carries `sku`."""
    if isinstance(found, Listing) and found.merchant_id == merchant_id and sku in found.skus:
        return found
    return None


def _set(listing: Listing, sku: str, on_hand: int) -> bool:
    """Set the stock `sku` names; False when it already is so (nothing recorded)."""
    variant = listing.variant_by_sku(sku)
    if variant is not None:
        if variant.on_hand == on_hand:
            return False
        listing.set_variant_stock(variant.variant_id, on_hand)
        return True
    if listing.variants:
        raise InvalidValueError("variant_required", field="sku")
    if listing.on_hand == on_hand:
        return False
    listing.set_stock(on_hand)
    return True


def _reasons(error: DomainError) -> tuple[FieldError, ...]:
    if isinstance(error, ValidationFailedError):
        return tuple(error.errors)
    field_name = getattr(error, "field", None) or "on_hand"
    return (FieldError(field_name, error.code, error.params),)
