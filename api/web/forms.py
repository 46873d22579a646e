"""The cart and checkout pages' work: which cart is this browser's, what it costs per merchant,
and placing the order (registering the shopper's details the first time) — through the use
cases of application/, as the JSON API does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from fastapi.responses import Response

from api.deps import AccountsDep, CartsDep, CheckoutDep, ConsumersDep
from api.web.render import Errors, Pages, redirect
from api.web.storefront_scope import STOREFRONT_COOKIE
from application.cart_quotes import CartQuotes
from application.carts import Carts, CartView
from application.checkout import CheckoutChoices
from application.consumers import Consumers
from application.errors import NotFoundError
from application.idempotency import IdempotencyKey
from domain.errors import DomainError
from domain.order_terms import Fulfilment
from domain.quebec import REGIONS

CART_COOKIE = "comptoir_panier"  # the id of this browser's open cart (opaque, not personal)
TEST_CARDS = ("pm_card_visa", "pm_card_chargeDeclined", "pm_card_insufficientFunds")
PROFILE = ("name", "phone", "street", "municipality", "postal_code", "region")


@dataclass
class Checkout:
    """What the checkout page uses, as FastAPI hands it over (a dependency class)."""

    carts: CartsDep
    consumers: ConsumersDep
    checkout: CheckoutDep
    accounts: AccountsDep


def cart_of(page: Pages, carts: Carts, create: bool) -> CartView | None:
    """This browser's open cart (its cookie), or a new one; another person's cart, or one
    already checked out, is never picked up."""
    wanted = page.request.cookies.get(CART_COOKIE)
    if wanted:
        try:
            cart = carts.get(page.actor, UUID(wanted))
            if cart.order_id is None:
                return cart
        except (ValueError, NotFoundError):
            pass
    if not create:
        return None
    # Credited to the storefront this browser shops in, if it still exists.
    storefront = page.request.cookies.get(STOREFRONT_COOKIE) or None
    try:
        return carts.open(page.actor, storefront[:60] if storefront else None)
    except DomainError:
        return carts.open(page.actor)


def _choices(form: dict[str, str], cart: CartView | None) -> dict[UUID, Fulfilment]:
    chosen: dict[UUID, Fulfilment] = {}
    for part in cart.merchants if cart else []:
        value = form.get(f"mode_{part.merchant_id}", "")
        if value in Fulfilment.__members__.values():
            chosen[part.merchant_id] = Fulfilment(value)
    return chosen


def checkout_page(page: Pages, carts: Carts, template: str, form: dict[str, str],
                  errors: Errors | None = None, status: int = 200,
                  consumers: Consumers | None = None) -> Response:
    cart = cart_of(page, carts, create=False)
    quote = (CartQuotes(carts).of(cart, _choices(form, cart))
             if cart and cart.merchants else None)
    needs_profile = consumers is not None and not _registered(page, consumers)
    return page.render(template, status, quote=quote, form=form, errors=errors,
                       needs_profile=needs_profile, regions=REGIONS,
                       cards=TEST_CARDS if page.settings.gateway == "local" else (),
                       key=uuid4().hex)


def _registered(page: Pages, consumers: Consumers) -> bool:
    try:
        consumers.get(page.actor, UUID(page.actor.subject))
    except NotFoundError:
        return False
    return True


def place_order(page: Pages, work: Checkout, form: dict[str, str]) -> Response:
    """Register the shopper's details if this is their first order, then check out: one
    payment, one order split per merchant. A refusal shows the page again, every problem
    listed; the Idempotency key of the form makes a double submission one order."""
    cart = cart_of(page, work.carts, create=False)
    if cart is None or not cart.merchants:
        return redirect("/panier")

    def again(refused: DomainError, names: dict[str, str] | None = None) -> Response:
        return checkout_page(page, work.carts, "shop/checkout.html", form,
                             Errors.of(refused, page.language, names), 422,
                             consumers=work.consumers)

    if form.get("action") == "recalculer":  # another fulfilment chosen, without JavaScript
        return checkout_page(page, work.carts, "shop/checkout.html", form,
                             consumers=work.consumers)
    if not _registered(page, work.consumers):
        try:
            work.consumers.register(page.actor, _profile(page, work, form))
        except DomainError as refused:
            return again(refused, {f"address.{k}": k for k in PROFILE})
    # With Stripe the card is entered in Stripe's own form once the order exists.
    method = form.get("payment_method") or None if page.settings.gateway == "local" else None
    choices = CheckoutChoices(_choices(form, cart), method)
    asked: dict[str, Any] = {"cart_id": str(cart.id), "payment_method": choices.payment_method,
                             "fulfilment": {str(k): str(v) for k, v in choices.fulfilment.items()}}
    key = (IdempotencyKey.of(form["cle"][:64], operation="web.check_out",
                             subject=page.actor.subject, request=asked)
           if form.get("cle") else None)
    try:
        order = work.checkout.check_out(page.actor, cart.id, choices, key)
    except DomainError as refused:
        return again(refused)
    # With Stripe, the card is confirmed next, in Stripe's form on the order's payment page.
    response = redirect(f"/commandes/{order.id}/paiement" if order.client_secret
                        else f"/commandes/{order.id}?merci=1")
    response.delete_cookie(CART_COOKIE, path="/")
    return response


def _profile(page: Pages, work: Checkout, form: dict[str, str]) -> dict[str, Any]:
    email = work.accounts.get(page.actor, UUID(page.actor.subject)).email or ""
    address = {k: form.get(k, "").strip() for k in ("street", "municipality", "postal_code",
                                                    "region")}
    if any(address.values()) or _delivers(form):
        address_or_none: dict[str, str] | None = address
    else:
        address_or_none = None
    profile = {"name": form.get("name", "").strip(), "email": email,
               "phone": form.get("phone", "").strip() or None, "address": address_or_none}
    return profile


def _delivers(form: dict[str, str]) -> bool:
    return any(k.startswith("mode_") and v in ("delivery", "shipping") for k, v in form.items())
