"""Listing routes: a merchant's catalogue, its visibility and its real-time stock."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.deps import ActorDep, CatalogDep, IdempotencyKeyDep, SignedInDep, keyed
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.schemas.listings import (
    ListingIn,
    ListingOut,
    ListingPatch,
    StockAdjustmentIn,
    StockIn,
    VariantIn,
    VariantOut,
    VariantPatch,
)
from application.errors import NotFoundError

router = APIRouter(route_class=OneHopRoute, prefix="/v1", tags=["listings"],
                   responses=PROBLEM_RESPONSES)


@router.post("/merchants/{merchant_id}/listings", operation_id="createListing",
             status_code=201, summary="Create a draft listing")
def create(
    merchant_id: UUID, body: ListingIn, catalog: CatalogDep, actor: SignedInDep,
    key: IdempotencyKeyDep, response: Response,
) -> ListingOut:
    request = {"merchant_id": str(merchant_id), **body.model_dump(mode="json")}
    listing_id = catalog.create_listing(
        actor, merchant_id, body.model_dump(), keyed(key, actor, "listings.create", request))
    response.headers["Location"] = f"/v1/listings/{listing_id}"
    return ListingOut.of(catalog.get(actor, listing_id))


@router.get("/listings/{listing_id}", operation_id="getListing", summary="A listing")
def get(listing_id: UUID, catalog: CatalogDep, actor: ActorDep) -> ListingOut:
    return ListingOut.of(catalog.visit(actor, listing_id))


@router.patch("/listings/{listing_id}", operation_id="reviseListing",
              summary="Revise a listing (owner)")
def revise(
    listing_id: UUID, body: ListingPatch, catalog: CatalogDep, actor: SignedInDep
) -> ListingOut:
    return ListingOut.of(catalog.revise(actor, listing_id, body.model_dump(exclude_unset=True)))


@router.post("/listings/{listing_id}/publication", operation_id="publishListing",
             summary="Publish (merchant must be approved)")
def publish(listing_id: UUID, catalog: CatalogDep, actor: SignedInDep) -> ListingOut:
    return ListingOut.of(catalog.publish(actor, listing_id))


@router.post("/listings/{listing_id}/withdrawal", operation_id="withdrawListing",
             summary="Withdraw from sale")
def withdraw(listing_id: UUID, catalog: CatalogDep, actor: SignedInDep) -> ListingOut:
    return ListingOut.of(catalog.withdraw(actor, listing_id))


@router.put("/listings/{listing_id}/stock", operation_id="setListingStock",
            summary="Set the stock on hand (owner, point of sale)")
def set_stock(listing_id: UUID, body: StockIn, catalog: CatalogDep,
              actor: SignedInDep) -> ListingOut:
    return ListingOut.of(catalog.set_stock(actor, listing_id, body.on_hand))


@router.post("/listings/{listing_id}/stock-adjustments", operation_id="adjustListingStock",
             summary="Add or remove units, with a reason")
def adjust_stock(
    listing_id: UUID, body: StockAdjustmentIn, catalog: CatalogDep, actor: SignedInDep,
    key: IdempotencyKeyDep,
) -> ListingOut:
    request = {"listing_id": str(listing_id), **body.model_dump(mode="json")}
    return ListingOut.of(catalog.adjust_stock(
        actor, listing_id, body.delta, body.reason,
        keyed(key, actor, "listings.adjust_stock", request), body.variant_id))


@router.post("/listings/{listing_id}/variants", status_code=201, operation_id="addListingVariant",
             summary="Add a variant (a format, a size) with its own SKU, price and stock")
def add_variant(
    listing_id: UUID, body: VariantIn, catalog: CatalogDep, actor: SignedInDep,
    key: IdempotencyKeyDep, response: Response,
) -> ListingOut:
    """The first variant takes over the listing's stock; from then on the listing is sold by
    variant only (carts and stock name the variant) and its price is its lowest variant's."""
    request = {"listing_id": str(listing_id), **body.model_dump(mode="json")}
    view, variant_id = catalog.add_variant(
        actor, listing_id, body.model_dump(), keyed(key, actor, "listings.add_variant", request))
    response.headers["Location"] = f"/v1/listings/{listing_id}/variants/{variant_id}"
    return ListingOut.of(view)


@router.get("/listings/{listing_id}/variants/{variant_id}", operation_id="getListingVariant",
            summary="A variant (where adding one points)")
def get_variant(listing_id: UUID, variant_id: UUID, catalog: CatalogDep,
                actor: ActorDep) -> VariantOut:
    listing = catalog.get(actor, listing_id)
    found = next((v for v in listing.variants if v.id == variant_id), None)
    if found is None:
        raise NotFoundError("variant")
    return VariantOut.of(found)


@router.patch("/listings/{listing_id}/variants/{variant_id}", operation_id="reviseListingVariant",
              summary="Revise a variant's SKU, label or price (owner)")
def revise_variant(listing_id: UUID, variant_id: UUID, body: VariantPatch, catalog: CatalogDep,
                   actor: SignedInDep) -> ListingOut:
    return ListingOut.of(catalog.revise_variant(
        actor, listing_id, variant_id, body.model_dump(exclude_unset=True)))


@router.put("/listings/{listing_id}/variants/{variant_id}/stock", operation_id="setVariantStock",
            summary="Set a variant's stock on hand (owner, point of sale)")
def set_variant_stock(listing_id: UUID, variant_id: UUID, body: StockIn, catalog: CatalogDep,
                      actor: SignedInDep) -> ListingOut:
    return ListingOut.of(catalog.set_variant_stock(actor, listing_id, variant_id, body.on_hand))
