"""A merchant's SKUs: each names one sellable thing (a listing sold as itself, or one variant),
unique per merchant — another merchant may use the same SKU.

Uniqueness is a claim (domain/claim.py) whose id derives from the merchant and the SKU, saved
in the same atomic save as the listing that takes it: of two concurrent takers of one SKU only
one is saved. A claim stays with its listing when the SKU is changed away; it is handed over
to the next listing that takes the SKU, once its holder no longer carries it. The claim is also
how a point of sale's SKU finds its listing (the stock feed, the import).
"""

from __future__ import annotations

from uuid import UUID

from application.service import Service
from domain.claim import Claim
from domain.errors import InvalidValueError
from domain.listing import Listing

KIND = "sku"


def _key(merchant_id: UUID, sku: str) -> str:
    return f"{merchant_id.hex}/{sku}"  # a business reference and an opaque id: no personal data


def sku_claim_id(merchant_id: UUID, sku: str) -> UUID:
    return Claim.create_id(KIND, _key(merchant_id, sku))


def claim_sku(service: Service, merchant_id: UUID, sku: str, listing_id: UUID) -> Claim | None:
    """The claim to save with the listing that takes `sku` (None: it holds it already), or
    InvalidValueError("sku_taken") when another listing of this merchant carries it."""
    held = service.find(Claim.create_id(KIND, _key(merchant_id, sku)))
    if held is None:
        return Claim(KIND, _key(merchant_id, sku), listing_id)
    assert isinstance(held, Claim)
    if held.holder_id == listing_id:
        return None
    holder = service.find(held.holder_id)
    if isinstance(holder, Listing) and sku in holder.skus:
        raise InvalidValueError("sku_taken", field="sku", sku=sku)
    held.hand_over(listing_id)
    return held


def holder_of(service: Service, merchant_id: UUID, sku: str) -> UUID | None:
    """The listing of this merchant that carries `sku` (as itself or as one of its variants),
    as far as its claim says (the caller checks the listing still carries it)."""
    held = service.find(Claim.create_id(KIND, _key(merchant_id, sku)))
    return held.holder_id if isinstance(held, Claim) else None
