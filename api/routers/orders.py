"""Consumer, cart, checkout and order routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from api.deps import (
    CartsDep,
    CheckoutDep,
    ConsumersDep,
    IdempotencyKeyDep,
    OrdersDep,
    SignedInDep,
    keyed,
)
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.schemas.orders import (
    CartIn,
    CartLineIn,
    CartOut,
    CheckoutIn,
    ConsumerIn,
    ConsumerOut,
    DeclineIn,
    OrderOut,
    RefundIn,
)
from application.checkout import CheckoutChoices
from domain.errors import DomainError
from domain.money import Money

router = APIRouter(route_class=OneHopRoute, prefix="/v1", responses=PROBLEM_RESPONSES)


@router.post("/consumers", operation_id="registerConsumer", status_code=201, tags=["consumers"],
             summary="Register the consumer of this token")
def register_consumer(body: ConsumerIn, consumers: ConsumersDep, actor: SignedInDep,
                      key: IdempotencyKeyDep, response: Response) -> ConsumerOut:
    request = body.model_dump(mode="json")
    view = consumers.register(actor, body.model_dump(),
                              keyed(key, actor, "consumers.register", request))
    response.headers["Location"] = f"/v1/consumers/{view.id}"
    return ConsumerOut.of(view)


@router.get("/consumers/{consumer_id}", operation_id="getConsumer",
            tags=["consumers"], summary="A consumer's profile")
def get_consumer(consumer_id: UUID, consumers: ConsumersDep, actor: SignedInDep) -> ConsumerOut:
    return ConsumerOut.of(consumers.get(actor, consumer_id))


@router.post("/carts", operation_id="openCart",
             status_code=201, tags=["carts"], summary="Open a cart")
def open_cart(carts: CartsDep, actor: SignedInDep, key: IdempotencyKeyDep, response: Response,
              body: CartIn | None = None) -> CartOut:
    body = body or CartIn()
    view = carts.open(actor, body.storefront,
                      keyed(key, actor, "carts.open", body.model_dump(mode="json")))
    response.headers["Location"] = f"/v1/carts/{view.id}"
    return CartOut.of(view)


@router.get("/carts/{cart_id}", operation_id="getCart", tags=["carts"],
            summary="A cart, at today's prices, with what cannot be bought flagged")
def get_cart(cart_id: UUID, carts: CartsDep, actor: SignedInDep) -> CartOut:
    return CartOut.of(carts.get(actor, cart_id))


@router.put("/carts/{cart_id}/lines/{listing_id}", operation_id="setCartLine",
            tags=["carts"], summary="Set a line")
def set_line(cart_id: UUID, listing_id: UUID, body: CartLineIn, carts: CartsDep,
             actor: SignedInDep) -> CartOut:
    return CartOut.of(carts.set_line(actor, cart_id, listing_id, body.quantity, body.variant_id))


@router.delete("/carts/{cart_id}/lines/{listing_id}", operation_id="removeCartLine",
               tags=["carts"], summary="Remove a line")
def remove_line(cart_id: UUID, listing_id: UUID, carts: CartsDep, actor: SignedInDep,
                variant_id: Annotated[UUID | None, Query(
                    description="The variant's line, for a listing sold by variant")] = None,
                ) -> CartOut:
    return CartOut.of(carts.remove_line(actor, cart_id, listing_id, variant_id))


@router.post("/carts/{cart_id}/checkout", operation_id="checkOut", status_code=201, tags=["orders"],
             summary="Check out: reserve, split per merchant, pay once")
def check_out(cart_id: UUID, checkout: CheckoutDep, actor: SignedInDep, key: IdempotencyKeyDep,
              request: Request, response: Response, body: CheckoutIn | None = None) -> OrderOut:
    body = body or CheckoutIn()
    asked = {"cart_id": str(cart_id), **body.model_dump(mode="json")}
    outcomes = request.app.state.metrics.checkouts
    try:
        view = checkout.check_out(
            actor, cart_id, CheckoutChoices(dict(body.fulfilment), body.payment_method),
            keyed(key, actor, "carts.check_out", asked))
    except DomainError as refused:
        outcomes.labels(refused.code).inc()
        raise
    outcomes.labels(f"payment_{view.payment_status}").inc()
    response.headers["Location"] = f"/v1/orders/{view.id}"
    return OrderOut.of(view)


@router.get("/orders/{order_id}", operation_id="getOrder", tags=["orders"],
            summary="An order: the whole for its consumer, its part for a merchant")
def get_order(order_id: UUID, orders: OrdersDep, actor: SignedInDep) -> OrderOut:
    return OrderOut.of(orders.get(actor, order_id))


PART = "/orders/{order_id}/merchant-orders/{merchant_id}"


@router.post(f"{PART}/acceptance", operation_id="acceptMerchantOrder",
             tags=["orders"], summary="The merchant accepts its part")
def accept(order_id: UUID, merchant_id: UUID, orders: OrdersDep,
           actor: SignedInDep) -> OrderOut:
    return OrderOut.of(orders.accept(actor, order_id, merchant_id))


@router.post(f"{PART}/fulfilment", operation_id="fulfilMerchantOrder", tags=["orders"],
             summary="The merchant handed its part over (its stock is consumed)")
def fulfil(order_id: UUID, merchant_id: UUID, orders: OrdersDep,
           actor: SignedInDep) -> OrderOut:
    return OrderOut.of(orders.fulfil(actor, order_id, merchant_id))


@router.post(f"{PART}/decline", operation_id="declineMerchantOrder", tags=["orders"],
             summary="The merchant cannot serve its part: stock released, part refunded")
def decline(order_id: UUID, merchant_id: UUID, body: DeclineIn, orders: OrdersDep,
            actor: SignedInDep) -> OrderOut:
    return OrderOut.of(orders.decline(actor, order_id, merchant_id, body.reason))


@router.post(f"{PART}/refunds", operation_id="refundMerchantOrder",
             status_code=201, tags=["orders"],
             summary="Refund part or all of a merchant order (merchant or validator)")
def refund(order_id: UUID, merchant_id: UUID, body: RefundIn, orders: OrdersDep,
           actor: SignedInDep, key: IdempotencyKeyDep) -> OrderOut:
    request = {"order_id": str(order_id), "merchant_id": str(merchant_id),
               **body.model_dump(mode="json")}
    return OrderOut.of(orders.refund(actor, order_id, merchant_id, Money(body.amount_cents),
                                     body.reason, keyed(key, actor, "orders.refund", request)))
