"""The shop for shoppers: search (with a map), a listing, the cart, the checkout, an order.

Every page calls the same use cases as the JSON API, through api/deps.py; nothing here reads
a database or another HTTP endpoint. Anonymous visitors search and read listings; the cart,
the checkout and orders need a signed-in shopper (a sign-in brings them back where they were).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import (
    ActorDep,
    CartsDep,
    CatalogDep,
    InsightsDep,
    MerchantsDep,
    OrdersDep,
    SearchDep,
    SettingsDep,
    StorefrontsDep,
    limited,
)
from api.routing import OneHopRoute
from api.web.forms import CART_COOKIE, Checkout, cart_of, checkout_page, place_order
from api.web.render import Errors, Pages, local_path, redirect
from api.web.storefront_scope import remember_storefront, storefront_of
from application.actors import Actor
from application.carts import Carts
from application.errors import NotFoundError
from domain.errors import DomainError
from domain.quebec import REGIONS
from domain.taxonomy import CATEGORIES
from projections.search.query import check_filters, within

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
RADII = ("5", "10", "25", "50", "100")
ORIGIN_CODES = ("produced", "transformed", "designed")
PAGE_SIZE = 20


def pages(request: Request, actor: ActorDep, settings: SettingsDep) -> Pages:
    return Pages(request, actor, settings)


PagesDep = Annotated[Pages, Depends(pages)]


def sign_in_first(page: Pages, back: str | None = None) -> Response:
    return redirect("/compte/connexion?" + urlencode({"suivant": back or page.request.url.path}))


def not_found(page: Pages) -> HTMLResponse:
    return page.render("shop/not_found.html", 404)


# -- search ---------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse,
            dependencies=[limited("search_client", anonymous_only=True)])
def search_page(page: PagesDep, search: SearchDep, insights: InsightsDep,
                storefronts: StorefrontsDep,
                q: str = "", near: str = "", radius_km: str = "", region: str = "",
                category: str = "", origin: str = "", in_stock: str = "",
                page_number: Annotated[str, Query(alias="page")] = "1",
                efface: str = "", storefront: str | None = None) -> HTMLResponse:
    asked: dict[str, Any] = {"q": q[:200], "near": near[:100], "radius_km": radius_km[:10],
             "region": region[:2], "category": category[:40], "origin": origin[:20],
             "in_stock": bool(in_stock)}
    errors, hits, total, ignored = Errors(), [], 0, []
    number = int(page_number) if page_number.isdigit() and 0 < int(page_number) < 1000 else 1
    try:
        filters = check_filters(
            text=asked["q"], near=asked["near"] or None, radius_km=_number(asked["radius_km"]),
            region=asked["region"] or None, category=asked["category"] or None,
            origin=asked["origin"] or None, in_stock=asked["in_stock"], page=number,
            page_size=PAGE_SIZE)
    except DomainError as refused:
        errors = Errors.of(refused, page.language)
        filters = None
    shown_in = storefront_of(page, storefronts, storefront)
    if filters is not None:
        found = search.search_listings(
            within(filters, shown_in.scope) if shown_in is not None else filters)
        insights.saw(page.actor, "search_impression", [h.doc.merchant_id for h in found.hits],
                     asked["q"])
        hits, total, ignored = found.hits, found.total, found.ignored_words
    merchants: dict[UUID, dict[str, Any]] = {}
    for hit in hits:
        merchants.setdefault(hit.doc.merchant_id, {
            "name": hit.doc.merchant_name, "slug": hit.doc.merchant_slug,
            "municipality": hit.doc.municipality, "lat": hit.doc.lat, "lon": hit.doc.lon,
            "distance": hit.distance_km})
    query = {k: v for k, v in asked.items() if v and k != "in_stock"}
    query.update({"in_stock": "1"} if asked["in_stock"] else {})
    query.update({"storefront": shown_in.slug} if shown_in is not None else {})
    response = page.render(
        "shop/search.html", errors=errors, asked=asked, hits=hits, total=total,
        storefront=shown_in,
        ignored=ignored, merchants=list(merchants.values()), number=number, erased=bool(efface),
        previous_url=_page_url(query, number - 1) if number > 1 else None,
        next_url=_page_url(query, number + 1) if number * PAGE_SIZE < total else None,
        regions=REGIONS, categories=sorted(CATEGORIES), radii=RADII, origins=ORIGIN_CODES,
        tiles=page.settings.map_tiles_url, attribution=page.settings.map_tiles_attribution)
    remember_storefront(page, response, storefront, shown_in)
    return response


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ".")) if text.strip() else None
    except ValueError:
        return -1.0  # reported by check_filters as out of range, in the API's words


def _page_url(query: dict[str, Any], number: int) -> str:
    return "/?" + urlencode({**query, "page": number})


# -- a listing --------------------------------------------------------------------------------

@router.get("/produits/{listing_id}", response_class=HTMLResponse)
def listing_page(listing_id: str, page: PagesDep, catalog: CatalogDep,
                 merchants: MerchantsDep, ajoute: str = "") -> HTMLResponse:
    try:
        listing = catalog.visit(page.actor, UUID(listing_id))
        merchant = merchants.get(page.actor, listing.merchant_id)
    except (ValueError, NotFoundError):
        return not_found(page)
    return page.render("shop/listing.html", listing=listing, merchant=merchant,
                       added=bool(ajoute))


# -- the cart ---------------------------------------------------------------------------------

@router.get("/panier", response_class=HTMLResponse)
def cart_page(page: PagesDep, carts: CartsDep) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page)
    return checkout_page(page, carts, "shop/cart.html", {})


@router.post("/panier")
async def add_to_cart(request: Request, page: PagesDep, carts: CartsDep) -> Response:
    """Add to the cart (`listing_id`, `quantity`, `variant_id`): to the quantity already in it."""
    form = await request.form()
    listing_id, back = str(form.get("listing_id", "")), f"/produits/{form.get('listing_id', '')}"
    if page.actor.is_anonymous:
        return sign_in_first(page, local_path(back))
    try:
        listing, quantity = UUID(listing_id), int(str(form.get("quantity", "1")) or 1)
        variant = UUID(str(form["variant_id"])) if form.get("variant_id") else None
    except ValueError:
        return redirect(local_path(back))
    response = await run_in_threadpool(_add, page, carts, listing, variant, quantity)
    return response


def _add(page: Pages, carts: Carts, listing: UUID, variant: UUID | None,
         quantity: int) -> Response:
    cart = cart_of(page, carts, create=True)
    assert cart is not None
    had = sum(line.quantity for m in cart.merchants for line in m.lines
              if line.listing_id == listing and line.variant_id == variant)
    try:
        carts.set_line(page.actor, cart.id, listing, had + max(1, quantity), variant)
    except DomainError as refused:
        return page.render("shop/problem.html", 409, errors=Errors.of(refused, page.language),
                           back=f"/produits/{listing}")
    response = redirect(f"/produits/{listing}?ajoute=1")
    response.set_cookie(CART_COOKIE, str(cart.id), max_age=30 * 86400, httponly=True,
                        samesite="lax", secure=page.settings.environment != "development")
    return response


@router.post("/panier/{listing_id}")
async def change_line(listing_id: str, request: Request, page: PagesDep,
                      carts: CartsDep) -> Response:
    """A line's new quantity (0, or the Remove button, takes it out)."""
    if page.actor.is_anonymous:
        return sign_in_first(page, "/panier")
    form = await request.form()
    try:
        listing = UUID(listing_id)
        variant = UUID(str(form["variant_id"])) if form.get("variant_id") else None
        quantity = 0 if form.get("remove") else int(str(form.get("quantity", "0")))
    except ValueError:
        return redirect("/panier")
    return await run_in_threadpool(_change, page, carts, listing, variant, quantity)


def _change(page: Pages, carts: Carts, listing: UUID, variant: UUID | None,
            quantity: int) -> Response:
    cart = cart_of(page, carts, create=False)
    if cart is None:
        return redirect("/panier")
    try:
        if quantity <= 0:
            carts.remove_line(page.actor, cart.id, listing, variant)
        else:
            carts.set_line(page.actor, cart.id, listing, quantity, variant)
    except DomainError as refused:
        return checkout_page(page, carts, "shop/cart.html", {},
                             Errors.of(refused, page.language), 409)
    return redirect("/panier")


# -- checkout -----------------------------------------------------------------------------------

@router.get("/caisse", response_class=HTMLResponse)
def checkout_form(request: Request, page: PagesDep,
                  work: Annotated[Checkout, Depends()]) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page)
    if cart_of(page, work.carts, create=False) is None:
        return redirect("/panier")
    return checkout_page(page, work.carts, "shop/checkout.html", dict(request.query_params),
                         consumers=work.consumers)


@router.post("/caisse")
async def check_out(request: Request, page: PagesDep, work: Annotated[Checkout, Depends()]
                    ) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page, "/caisse")
    form = {k: str(v) for k, v in (await request.form()).items()}
    return await run_in_threadpool(place_order, page, work, form)


# -- an order ---------------------------------------------------------------------------------

@router.get("/commandes/{order_id}", response_class=HTMLResponse)
def order_page(order_id: str, page: PagesDep, orders: OrdersDep, merci: str = "") -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page)
    view = _order(page.actor, orders, order_id)
    if view is None:
        return not_found(page)
    return page.render("shop/order.html", order=view, thanks=bool(merci),
                       poll=f"/commandes/{quote(order_id)}/suivi")


@router.get("/commandes/{order_id}/paiement", response_class=HTMLResponse)
def payment_page(order_id: str, page: PagesDep, orders: OrdersDep) -> Response:
    """The card step when the gateway confirms cards in its own form (Stripe's Payment
    Element): reachable again (a reload, a return) until the order is paid."""
    if page.actor.is_anonymous:
        return sign_in_first(page)
    view = _order(page.actor, orders, order_id)
    if view is None:
        return not_found(page)
    secret = orders.payment_secret(page.actor, view.id)
    if secret is None or page.settings.gateway != "stripe":
        return redirect(f"/commandes/{view.id}")
    page.loads_stripe_js = True
    back = f"{page.settings.public_base_url.rstrip('/')}/commandes/{view.id}?merci=1"
    return page.render("shop/pay.html", order_id=view.id, total=view.total,
                       client_secret=secret, back=back,
                       publishable_key=page.settings.stripe_publishable_key or "")


@router.get("/commandes/{order_id}/suivi", response_class=HTMLResponse)
def order_progress(order_id: str, page: PagesDep, orders: OrdersDep) -> Response:
    """The part of the order page that changes, for the page's script to poll."""
    view = None if page.actor.is_anonymous else _order(page.actor, orders, order_id)
    if view is None:
        return not_found(page)
    return page.render("shop/_progress.html", order=view)


def _order(actor: Actor, orders: Any, order_id: str) -> Any:
    try:
        return orders.get(actor, UUID(order_id))
    except (ValueError, NotFoundError):
        return None
