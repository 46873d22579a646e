"""Paged lists with filters (docs/lists.md): the validators' queue, a merchant's inbox and
catalogue, a shopper's orders. Read from the lists read model: add `Prefer: read-your-writes`
to see one's own latest writes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import ListsDep, SignedInDep
from api.problems import PROBLEM_RESPONSES, located
from api.routing import OneHopRoute
from api.schemas.lists import (
    ApplicationItem,
    ApplicationsOut,
    ApplicationsParams,
    ConsumerOrderItem,
    ConsumerOrdersOut,
    ConsumerOrdersParams,
    ListingItem,
    ListingsOut,
    ListingsParams,
    MerchantOrderItem,
    MerchantOrdersOut,
    MerchantOrdersParams,
)

router = APIRouter(route_class=OneHopRoute, prefix="/v1", responses=PROBLEM_RESPONSES)


@router.get("/merchants", tags=["merchants"], operation_id="listApplications",
            summary="Merchants by status, oldest application first, with what the "
                    "eligibility rules found (validators, admins)")
def list_applications(params: Annotated[ApplicationsParams, Query()], lists: ListsDep,
                      actor: SignedInDep) -> ApplicationsOut:
    with located("query"):
        page = lists.applications(actor, [str(s) for s in params.status], params.region,
                                  params.page())
    return ApplicationsOut(items=[ApplicationItem.of(r) for r in page.items], next=page.next,
                           total=page.total)


@router.get("/merchants/{merchant_id}/orders", tags=["orders"],
            operation_id="listMerchantOrders",
            summary="The merchant's inbox: its own parts of orders, by status and date "
                    "(its owner, admins)")
def list_merchant_orders(merchant_id: UUID,
                         params: Annotated[MerchantOrdersParams, Query()], lists: ListsDep,
                         actor: SignedInDep) -> MerchantOrdersOut:
    with located("query"):
        page = lists.merchant_orders(actor, merchant_id, params.filters(params.status),
                                     params.page())
    return MerchantOrdersOut(items=[MerchantOrderItem.of(r) for r in page.items],
                             next=page.next, total=page.total)


@router.get("/consumers/{consumer_id}/orders", tags=["orders"],
            operation_id="listConsumerOrders",
            summary="A shopper's orders, newest first (the shopper, admins)")
def list_consumer_orders(consumer_id: UUID,
                         params: Annotated[ConsumerOrdersParams, Query()], lists: ListsDep,
                         actor: SignedInDep) -> ConsumerOrdersOut:
    with located("query"):
        page = lists.consumer_orders(actor, consumer_id, params.filters(params.status),
                                     params.page())
    return ConsumerOrdersOut(items=[ConsumerOrderItem.of(r) for r in page.items],
                             next=page.next, total=page.total)


@router.get("/merchants/{merchant_id}/listings", tags=["listings"],
            operation_id="listMerchantListings",
            summary="The merchant's catalogue, drafts included, by status (owner, staff)")
def list_merchant_listings(merchant_id: UUID, params: Annotated[ListingsParams, Query()],
                           lists: ListsDep, actor: SignedInDep) -> ListingsOut:
    with located("query"):
        page = lists.merchant_listings(actor, merchant_id, [str(s) for s in params.status],
                                       params.page())
    return ListingsOut(items=[ListingItem.of(r) for r in page.items], next=page.next,
                       total=page.total)
