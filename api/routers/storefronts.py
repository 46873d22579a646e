"""Storefronts (regional platforms over the one catalogue) and their report for partners."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import IdempotencyKeyDep, SignedInDep, StorefrontsDep, keyed
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.schemas.storefronts import StorefrontIn, StorefrontOut, StorefrontReportRow

router = APIRouter(route_class=OneHopRoute, prefix="/v1", tags=["storefronts"],
                   responses=PROBLEM_RESPONSES)


@router.post("/storefronts", operation_id="openStorefront",
             status_code=201, summary="Open a storefront (admin)")
def open_storefront(body: StorefrontIn, storefronts: StorefrontsDep, actor: SignedInDep,
                    key: IdempotencyKeyDep, response: Response) -> StorefrontOut:
    request = body.model_dump(mode="json")
    view = storefronts.open(actor, request, keyed(key, actor, "storefronts.open", request))
    response.headers["Location"] = f"/v1/storefronts/{view.slug}"
    return StorefrontOut.of(view)


@router.get("/storefronts", operation_id="listStorefronts", summary="Every storefront")
def list_storefronts(storefronts: StorefrontsDep) -> list[StorefrontOut]:
    return [StorefrontOut.of(v) for v in storefronts.all()]


@router.get("/storefronts/{slug}", operation_id="getStorefront",
            summary="A storefront and the area it covers")
def get_storefront(slug: str, storefronts: StorefrontsDep) -> StorefrontOut:
    return StorefrontOut.of(storefronts.get(slug))


@router.get("/reports/storefronts", operation_id="reportStorefronts",
            summary="Paid orders, sales and merchants served by storefront and region (admin)")
def storefront_report(storefronts: StorefrontsDep,
                      actor: SignedInDep) -> list[StorefrontReportRow]:
    return [StorefrontReportRow(**row) for row in storefronts.report(actor)]
