"""The portal's listings (`/portail/fiches`): the merchant's catalogue (`Lists.merchant_listings`,
as `GET /v1/merchants/{id}/listings`), a listing created or edited (`Catalog.create_listing`,
`Catalog.revise`), published or withdrawn, its variants added and revised
(`Catalog.add_variant`, `revise_variant`), its stock (or each variant's) set in place
(`Catalog.set_stock`, `set_variant_stock`: `PUT .../stock`), its photos uploaded, put first or
removed (`Images.upload`, `set_listing_photos`), and a stock file by SKU (CSV or JSON, the
API's stock feed: the same parsing and `StockFeeds.feed_stock`) reported line by line. A
listing of another merchant is not found, whatever its id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import (
    CatalogDep,
    ImagesDep,
    ListsDep,
    MerchantsDep,
    ProjectionsDep,
    StockFeedsDep,
)
from api.i18n import message
from api.pages_text import category_label
from api.routers.catalogue import _rows
from api.routing import OneHopRoute
from api.schemas.catalogue import STOCK_FEED
from api.web.portal import settled
from api.web.render import Errors, Pages, redirect, uploaded_file
from api.web.shop import PagesDep, not_found
from api.web.spaces import session_merchant, space_required
from application.actors import Role
from application.catalog import Catalog, ListingView
from application.errors import NotFoundError
from application.images import Images
from application.paging import PageRequest
from application.stock_feed import FeedLine, StockFeeds
from domain.errors import DomainError, FieldError, InvalidValueError, ValidationFailedError
from domain.listing import ListingDetails
from domain.money import Money
from domain.taxonomy import CATEGORIES, OriginLabel, TaxClass
from domain.variants import VariantDetails

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
HERE = "/portail/fiches"
SHOWN = 200
TEXTS = ("title_fr", "title_en", "description_fr", "description_en", "category", "price",
         "tax_class", "origin", "sku")


@router.get(HERE, response_class=HTMLResponse)
def listings_page(page: PagesDep, lists: ListsDep, merchants: MerchantsDep,
                  apres: str = "") -> Response:
    """Newest first, SHOWN a page; `apres`: the cursor of a later page."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    try:
        return _listings(page, lists, merchants, cursor=apres[:400] or None)
    except DomainError:  # a cursor of another list, or none of ours: the first page
        return redirect(HERE)


def _listings(page: Pages, lists: Any, merchants: Any, status: int = 200,
              errors: Errors | None = None, report: list[dict[str, Any]] | None = None,
              file_errors: list[str] | None = None, cursor: str | None = None) -> HTMLResponse:
    merchant_id = session_merchant(page)
    listed = lists.merchant_listings(page.actor, merchant_id, page=PageRequest(SHOWN, cursor))
    return page.render("portal/listings.html", status, section="listings", rows=listed.items,
                       listed=listed, later=cursor is not None, request_path=HERE,
                       merchant=merchants.get(page.actor, merchant_id), errors=errors,
                       report=report, file_errors=file_errors or [])


# -- a listing: create, edit, publish, withdraw --------------------------------------------------

@router.get(HERE + "/nouvelle", response_class=HTMLResponse)
def new_form(page: PagesDep, merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    return _form(page, merchants, None, {"tax_class": "taxable", "origin": "none"})


@router.post(HERE + "/nouvelle")
async def create(request: Request, page: PagesDep, catalog: CatalogDep,
                 merchants: MerchantsDep, projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    form = await _fields(request)
    merchant_id = session_merchant(page)
    try:
        listing_id = await run_in_threadpool(
            lambda: catalog.create_listing(page.actor, merchant_id, _details(form)))
    except DomainError as refused:
        return _form(page, merchants, None, form, Errors.of(refused, page.language, NAMES), 422)
    await run_in_threadpool(settled, page, projections)
    return redirect(f"{HERE}/{listing_id}")


@router.get(HERE + "/{listing_id}", response_class=HTMLResponse)
def edit_form(listing_id: str, page: PagesDep, catalog: CatalogDep,
              merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    listing = _own(page, catalog, listing_id)
    if listing is None:
        return not_found(page)
    return _form(page, merchants, listing, _shown(listing))


def _shown(listing: ListingView) -> dict[str, str]:
    """The edit form's values as the listing stands."""
    d = listing.details
    return {"title_fr": d.title_fr, "title_en": d.title_en or "",
            "description_fr": d.description_fr, "description_en": d.description_en or "",
            "category": d.category, "price": f"{d.price.cents / 100:.2f}",
            "tax_class": str(d.tax_class), "origin": str(d.origin), "sku": d.sku or ""}


# -- a stock file by SKU -------------------------------------------------------------------------

@router.post(HERE + "/stock-fichier")
async def stock_file(request: Request, page: PagesDep, feeds: StockFeedsDep, lists: ListsDep,
                     merchants: MerchantsDep, projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    body, name = await uploaded_file(request, "fichier")
    kind = "text/csv" if not name.lower().endswith(".json") else "application/json"
    try:
        outcome = await run_in_threadpool(_feed, page, feeds, kind, body)
    except RequestValidationError as refused:
        return _listings(page, lists, merchants, 422, file_errors=[
            _problem(e, page) for e in refused.errors()])
    await run_in_threadpool(settled, page, projections)
    return _listings(page, lists, merchants, report=outcome)


# what each button does to one of the merchant's listings, after `_own` found it
CHANGES: dict[str, Any] = {
    "": lambda c, p, i, f: c.revise(p.actor, i, _details(f)),
    "publication": lambda c, p, i, f: c.publish(p.actor, i),
    "retrait": lambda c, p, i, f: c.withdraw(p.actor, i),
    "stock": lambda c, p, i, f: (
        c.set_variant_stock(p.actor, i, UUID(f["variant_id"]), _count(f.get("on_hand", "")))
        if f.get("variant_id") else c.set_stock(p.actor, i, _count(f.get("on_hand", "")))),
    "variante": lambda c, p, i, f: c.add_variant(p.actor, i, _variant(f)),
    "variante-modifiee": lambda c, p, i, f: c.revise_variant(
        p.actor, i, UUID(f.get("variant_id", "")), _variant(f)),
}


# -- photos (multipart: declared before the buttons' route, which would take `photos`) -----------

@router.post(HERE + "/{listing_id}/photos")
async def add_photo(listing_id: str, request: Request, page: PagesDep, catalog: CatalogDep,
                    images: ImagesDep, merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    data, _ = await uploaded_file(request, "fichier", images.limits.max_bytes + 1)
    listing = await run_in_threadpool(_own, page, catalog, listing_id)
    if listing is None:
        return not_found(page)
    try:
        await run_in_threadpool(_with_photo, page, images, listing, data)
    except DomainError as refused:
        errors = Errors.of(refused, page.language, {"": "fichier", "photos": "fichier"})
        return _form(page, merchants, listing, _shown(listing), errors, 422)
    return redirect(f"{HERE}/{listing.id}#photos")


@router.post(HERE + "/{listing_id}/photos/{action}")
async def arrange_photos(listing_id: str, action: str, request: Request, page: PagesDep,
                         catalog: CatalogDep, images: ImagesDep) -> Response:
    """`premiere`: this photo first (the one shown in lists); `retrait`: removed."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    photo = str((await request.form()).get("photo", ""))[:64]
    listing = await run_in_threadpool(_own, page, catalog, listing_id)
    if listing is None or photo not in listing.photos or action not in ("premiere", "retrait"):
        return not_found(page)
    others = [p for p in listing.photos if p != photo]
    await run_in_threadpool(images.set_listing_photos, page.actor, listing.id,
                            [photo, *others] if action == "premiere" else others)
    return redirect(f"{HERE}/{listing.id}#photos")


def _with_photo(page: Pages, images: Images, listing: ListingView, data: bytes) -> None:
    stored = images.upload(page.actor, listing.merchant_id, data)
    if stored.id not in listing.photos:  # the same image twice is one photo
        images.set_listing_photos(page.actor, listing.id, [*listing.photos, stored.id])


@router.post(HERE + "/{listing_id}")
@router.post(HERE + "/{listing_id}/{change}")
async def change(listing_id: str, request: Request, page: PagesDep, catalog: CatalogDep,
                 lists: ListsDep, merchants: MerchantsDep, projections: ProjectionsDep,
                 change: str = "") -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    form = await _fields(request)
    listing = await run_in_threadpool(_own, page, catalog, listing_id)
    if listing is None or change not in CHANGES:
        return not_found(page)
    try:
        await run_in_threadpool(CHANGES[change], catalog, page, listing.id, form)
    except (NotFoundError, ValueError):
        return not_found(page)
    except DomainError as refused:
        errors = Errors.of(refused, page.language, NAMES)
        if change == "stock" and form.get("back") != "fiche":
            return _listings(page, lists, merchants, 422, Errors(general=[
                f"{listing.details.title_fr} : {text}"
                for text in [*errors.general, *errors.fields.values()]]))
        if change == "variante":  # the new variant's form, filled as it was sent
            errors = Errors.of(refused, page.language, VARIANT_NAMES)
            return _form(page, merchants, listing, {**_shown(listing), **form}, errors, 422)
        if change == "variante-modifiee":  # one form per variant: said above them all
            errors = Errors(general=[f"{form.get('v_label', '')} : {text}"
                                     for text in [*errors.general, *errors.fields.values()]])
            return _form(page, merchants, listing, _shown(listing), errors, 422)
        return _form(page, merchants, listing, form if change == "" else {}, errors, 422)
    await run_in_threadpool(settled, page, projections)
    in_list = change == "stock" and form.get("back") != "fiche"
    return redirect(HERE if in_list else f"{HERE}/{listing.id}")


def _own(page: Pages, catalog: Catalog, listing_id: str) -> ListingView | None:
    """The listing if it is this merchant's (another's, even published, is not found)."""
    try:
        listing = catalog.get(page.actor, UUID(listing_id))
    except (ValueError, NotFoundError):
        return None
    return listing if listing.merchant_id == page.actor.merchant_id else None


def _feed(page: Pages, feeds: StockFeeds, kind: str, body: bytes) -> list[dict[str, Any]]:
    """The API's stock feed (the same parsing, rules and use case); each line's outcome."""
    merchant_id = session_merchant(page)
    feeds.check_may_change(page.actor, merchant_id)
    rows = _rows(kind, body)
    try:
        lines = STOCK_FEED.validate_python([row for _, row in rows])
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", rows[e["loc"][0]][0], *e["loc"][1:])}  # type: ignore[index]
             for e in error.errors(include_url=False)]) from None
    fed = [FeedLine(number, line.sku, line.on_hand)
           for (number, _), line in zip(rows, lines, strict=True)]
    report = feeds.feed_stock(page.actor, merchant_id, fed)
    rejected = dict(report.rejected)
    unknown = set(report.unknown_skus)
    return [{"line": line.line, "sku": line.sku, "on_hand": line.on_hand,
             "problems": [message(e.code, e.params, page.language) for e in rejected[line.line]]
             if line.line in rejected else
             [page.t["portal_li_unknown_sku"]] if line.sku in unknown else []}
            for line in fed]


def _problem(error: Any, page: Pages) -> str:
    where = [str(part) for part in error.get("loc", ())[1:]]
    text = message(error.get("type", "invalid"), error.get("ctx") or {}, page.language)
    return f"{page.t['portal_li_line']} {' · '.join(where)} : {text}" if where else text


# -- the form's values ---------------------------------------------------------------------------

NAMES = {"price_cents": "price", "on_hand": "on_hand"}
VARIANT_NAMES = {"label": "v_label", "sku": "v_sku", "price_cents": "v_price"}


async def _fields(request: Request) -> dict[str, str]:
    return {k: str(v)[:5000].strip() for k, v in (await request.form()).items()}


def _details(form: dict[str, str]) -> dict[str, Any]:
    """The form as the API's body."""
    raw: dict[str, Any] = {k: form.get(k) or None for k in TEXTS if k != "price"}
    raw.update(category=form.get("category", ""), tax_class=form.get("tax_class", ""),
               origin=form.get("origin") or "none")
    return _priced(raw, form.get("price", ""), ListingDetails.check)


def _variant(form: dict[str, str]) -> dict[str, Any]:
    """A variant's form (`v_label`, `v_sku`, `v_price` in dollars) as the API's body."""
    raw: dict[str, Any] = {"label": form.get("v_label", ""), "sku": form.get("v_sku") or None}
    return _priced(raw, form.get("v_price", ""), VariantDetails.check)


def _priced(raw: dict[str, Any], dollars: str, check: Callable[[dict[str, Any]], Any]
            ) -> dict[str, Any]:
    """`raw` with its `price_cents` read from dollars; a price that is not one is reported
    with every other problem `check` finds, at once."""
    try:
        raw["price_cents"] = Money.parse(dollars).cents if dollars else None
    except InvalidValueError as bad:
        found = [FieldError("price_cents", bad.code, bad.params)]
        try:
            check({**raw, "price_cents": 1})
        except ValidationFailedError as others:
            found += others.errors
        raise ValidationFailedError(found) from None
    return raw


def _count(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidValueError("int_parsing", field="on_hand") from None


def _form(page: Pages, merchants: Any, listing: ListingView | None, form: dict[str, Any],
          errors: Errors | None = None, status: int = 200) -> HTMLResponse:
    return page.render(
        "portal/listing_form.html", status, section="listings", listing=listing, form=form,
        errors=errors, merchant=merchants.get(page.actor, session_merchant(page)),
        categories=sorted(((c, category_label(c, page.language)) for c in CATEGORIES),
                          key=lambda c: c[1]),
        tax_classes=[(str(c), page.t["portal_li_tax_" + str(c)]) for c in TaxClass],
        origins=[(str(o), page.t["portal_li_origin_" + str(o)]) for o in OriginLabel])
