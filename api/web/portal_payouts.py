"""The portal's payouts (`/portail/versements`): the payouts ledger, the monthly statements (the
very CSV and JSON of `GET /v1/merchants/{id}/payout-statements/{month}`), the payout account and,
for the owner only (`owns_outright`, as the API), the gateway's onboarding link."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import MerchantsDep, PayoutsDep, PayoutStatementsDep
from api.routers.payouts import statement
from api.routing import OneHopRoute
from api.web.render import Errors, redirect
from api.web.shop import PagesDep, not_found
from api.web.spaces import session_merchant, space_required
from application.actors import Role
from application.paging import PageRequest
from domain.errors import DomainError
from domain.quebec import CIVIL_TIME

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
HERE = "/portail/versements"
SHOWN = 100  # the ledger's newest payouts on the page; the API pages through every one


@router.get(HERE, response_class=HTMLResponse)
def payouts_page(page: PagesDep, payouts: PayoutsDep, statements: PayoutStatementsDep,
                 merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    merchant_id = session_merchant(page)
    ledger = statements.ledger(page.actor, merchant_id, (), PageRequest(SHOWN))
    this_month = _month(datetime.now(CIVIL_TIME))
    months = sorted({_month(o.captured_at) for o in ledger.orders} | {this_month}, reverse=True)
    return page.render(
        "portal/payouts.html", section="payouts", ledger=ledger, months=months,
        merchant=merchants.get(page.actor, merchant_id),
        account=payouts.account_view(merchant_id),
        owner=payouts.owns_outright(page.actor, merchant_id))


@router.get(HERE + "/releves/{month}.{kind}")
def statement_file(month: str, kind: str, page: PagesDep,
                   statements: PayoutStatementsDep) -> Response:
    """The month's statement as the API makes it, to download (`csv` or `json`)."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    merchant_id = session_merchant(page)
    if kind not in ("csv", "json"):
        return not_found(page)
    try:
        made = statement(merchant_id, month, statements, page.actor, kind)
    except DomainError as refused:
        return page.render("shop/problem.html", 400, errors=Errors.of(refused, page.language),
                           back=HERE)
    if isinstance(made, Response):
        return made
    return JSONResponse(made.model_dump(mode="json"), headers={
        "Content-Disposition": f'attachment; filename="releve-{month}-{merchant_id}.json"'})


@router.post(HERE + "/compte")
async def open_onboarding(page: PagesDep, payouts: PayoutsDep) -> Response:
    """The owner's button: the payout account opened if needed, and its onboarding link."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    merchant_id = session_merchant(page)
    back = str(page.request.base_url).rstrip("/") + HERE  # where the gateway sends her back
    try:
        view = await run_in_threadpool(payouts.set_up_account, page.actor, merchant_id,
                                       back, back)
    except DomainError as refused:
        return page.render("shop/problem.html", 403, errors=Errors.of(refused, page.language),
                           back=HERE)
    return redirect(view.onboarding_url or HERE)


def _month(when: datetime) -> str:
    return when.astimezone(CIVIL_TIME).strftime("%Y-%m")
