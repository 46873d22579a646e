"""The portal's orders (`/portail/commandes`): the merchant's inbox (`Lists.merchant_orders`, as
`GET /v1/merchants/{id}/orders`) and an order's page with its part only, where the merchant
accepts, marks fulfilled, declines (with a reason) or refunds (an amount and a reason): the
use cases of api/routers/orders.py. The domain has no "ready for pickup" state: a part is
placed, accepted, fulfilled (handed over), declined or cancelled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ListsDep, MerchantsDep, OrdersDep, ProjectionsDep
from api.routing import OneHopRoute
from api.web.portal import settled
from api.web.render import Errors, Pages, redirect
from api.web.shop import PagesDep, not_found
from api.web.spaces import session_merchant, space_required
from application.actors import Actor, Role
from application.errors import NotFoundError
from application.orders import Orders
from application.paging import PageRequest
from domain.errors import DomainError, InvalidValueError
from domain.money import Money

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
HERE = "/portail/commandes"
SHOWN = 100


@router.get(HERE, response_class=HTMLResponse)
def orders_page(page: PagesDep, lists: ListsDep, merchants: MerchantsDep,
                apres: str = "") -> Response:
    """Newest first, SHOWN a page; `apres`: the cursor of a later page."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    merchant_id = session_merchant(page)
    try:
        listed = lists.merchant_orders(page.actor, merchant_id,
                                       page=PageRequest(SHOWN, apres[:400] or None))
    except DomainError:  # a cursor of another list, or none of ours: the first page
        return redirect(HERE)
    return page.render("portal/orders.html", section="orders", rows=listed.items,
                       listed=listed, later=bool(apres), request_path=HERE,
                       merchant=merchants.get(page.actor, merchant_id))


@router.get(HERE + "/{order_id}", response_class=HTMLResponse)
def order_page(order_id: str, page: PagesDep, orders: OrdersDep,
               merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    return _page(page, orders, merchants, order_id)


# what each button does: the use case of the API's route of the same name
ACTIONS: dict[str, Callable[[Orders, Actor, UUID, UUID, dict[str, str]], Any]] = {
    "acceptation": lambda o, a, i, m, f: o.accept(a, i, m),
    "remise": lambda o, a, i, m, f: o.fulfil(a, i, m),
    "refus": lambda o, a, i, m, f: o.decline(a, i, m, f.get("refus_reason", "")),
    "remboursement": lambda o, a, i, m, f: o.refund(a, i, m, _amount(f.get("amount", "")),
                                                    f.get("remboursement_reason", "")),
}


@router.post(HERE + "/{order_id}/{action}")
async def act(order_id: str, action: str, request: Request, page: PagesDep, orders: OrdersDep,
              merchants: MerchantsDep, projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    form = {k: str(v)[:600].strip() for k, v in (await request.form()).items()}
    merchant_id = session_merchant(page)
    try:
        order = UUID(order_id)
        done = ACTIONS[action]
    except (ValueError, KeyError):
        return not_found(page)
    try:
        await run_in_threadpool(done, orders, page.actor, order, merchant_id, form)
    except NotFoundError:
        return not_found(page)
    except DomainError as refused:
        return _page(page, orders, merchants, order_id, action, form,
                     Errors.of(refused, page.language,
                               {"amount_cents": "amount", "reason": f"{action}_reason"}))
    await run_in_threadpool(settled, page, projections)
    return redirect(f"{HERE}/{order}")


def _page(page: Pages, orders: Orders, merchants: Any, order_id: str, action: str = "",
          form: dict[str, str] | None = None, errors: Errors | None = None) -> Response:
    try:
        order = orders.get(page.actor, UUID(order_id))
    except (ValueError, NotFoundError):
        return not_found(page)
    return page.render("portal/order.html", 422 if errors else 200, section="orders",
                       order=order, part=order.parts[0], action=action, form=form or {},
                       errors=errors, merchant=merchants.get(page.actor, session_merchant(page)))


def _amount(text: str) -> Money:
    try:
        return Money.parse(text) if text.strip() else Money(0)
    except InvalidValueError as bad:
        raise InvalidValueError(bad.code, field="amount", **bad.params) from None
