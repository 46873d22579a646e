"""Payout accounts, the payouts ledger and statements, and the gateway's webhooks."""

from __future__ import annotations

import io
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import (
    PayoutsDep,
    PayoutStatementsDep,
    SignedInDep,
    WebhooksDep,
    WebhookVerifierDep,
)
from api.problems import PROBLEM_RESPONSES, HTTPProblem, located
from api.routing import OneHopRoute
from api.schemas.payouts import LedgerOut, PayoutAccountOut, PayoutsParams, StatementOut
from api.spreadsheet import csv_writer
from application.errors import InvalidWebhookError

router = APIRouter(route_class=OneHopRoute, prefix="/v1", responses=PROBLEM_RESPONSES)


@router.put("/merchants/{merchant_id}/payout-account", operation_id="setUpPayoutAccount",
            tags=["payouts"],
            summary="Open the merchant's payout account if needed; a fresh onboarding link")
def set_up_payout_account(merchant_id: UUID, payouts: PayoutsDep,
                          actor: SignedInDep) -> PayoutAccountOut:
    return PayoutAccountOut.of(payouts.set_up_account(actor, merchant_id))


@router.get("/merchants/{merchant_id}/payouts", tags=["payouts"], operation_id="listPayouts",
            summary="The payouts ledger: per order, every amount and where its payout stands; "
                    "by status, in pages (docs/lists.md)")
def ledger(merchant_id: UUID, params: Annotated[PayoutsParams, Query()],
           statements: PayoutStatementsDep, actor: SignedInDep) -> LedgerOut:
    with located("query"):
        return LedgerOut.of(statements.ledger(actor, merchant_id, params.status, params.page()))


@router.get("/merchants/{merchant_id}/payout-statements/{month}", operation_id="getPayoutStatement",
            tags=["payouts"],
            summary="A monthly statement (JSON, or CSV with ?format=csv)",
            response_model=StatementOut)
def statement(merchant_id: UUID, month: str, statements: PayoutStatementsDep,
              actor: SignedInDep,
              format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:  # noqa: A002
    body = StatementOut.of(statements.statement(actor, merchant_id, month))
    if format == "csv":
        return Response(_csv(body), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="releve-{month}-{merchant_id}.csv"'})
    return body


@router.post("/payments/webhooks/stripe", operation_id="receiveStripeWebhook",
             tags=["payments"], status_code=200,
             summary="Stripe's webhooks (signature verified over the raw body)")
async def stripe_webhook(request: Request, webhooks: WebhooksDep, verifier: WebhookVerifierDep,
                         stripe_signature: Annotated[str | None, Header()] = None,
                         ) -> dict[str, Any]:
    if verifier is None:
        raise HTTPProblem(503, "unavailable", "webhooks_not_configured")
    payload = await request.body()
    outcomes = request.app.state.metrics.webhooks
    try:
        event = verifier.parse(payload, stripe_signature)
    except InvalidWebhookError as error:
        outcomes.labels(f"rejected_{error.reason}").inc()
        raise HTTPProblem(400, "webhook-rejected", error.reason) from None
    recorded = await run_in_threadpool(webhooks.receive, event)
    outcomes.labels("recorded" if recorded else "duplicate").inc()
    return {"received": True, "duplicate": not recorded}


def _csv(s: StatementOut) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["date", "commande", "type", "montant_cents", "taxes_remises_par",
                     "reference"])
    for line in s.lines:
        writer.writerow([line.at.isoformat(), line.order_id, line.kind, line.amount_cents,
                         line.taxes_remitted_by, line.reference or ""])
    for name, cents in s.totals.model_dump().items():
        writer.writerow(["total", "", name.removesuffix("_cents"), cents, "", ""])
    return out.getvalue()
