"""Payout accounts, the payouts ledger and statements, and the gateway's webhooks."""

from __future__ import annotations

import io
import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ContainerDep, SignedInDep
from api.problems import PROBLEM_RESPONSES, HTTPProblem
from api.schemas.payouts import (
    LedgerOrderOut,
    LedgerOut,
    PayoutAccountOut,
    StatementLine,
    StatementOut,
    totals,
)
from api.spreadsheet import csv_writer
from application.actors import Actor
from application.errors import InvalidWebhookError, NotFoundError
from projections.payouts_ledger import KINDS

router = APIRouter(prefix="/v1", responses=PROBLEM_RESPONSES)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@router.put("/merchants/{merchant_id}/payout-account", tags=["payouts"],
            summary="Open the merchant's payout account if needed; a fresh onboarding link")
def set_up_payout_account(merchant_id: UUID, c: ContainerDep,
                          actor: SignedInDep) -> PayoutAccountOut:
    base = c.settings.public_base_url.rstrip("/")
    return PayoutAccountOut.of(c.payouts.set_up_account(
        actor, merchant_id, refresh_url=f"{base}/v1/merchants/{merchant_id}/payout-account",
        return_url=f"{base}/v1/merchants/{merchant_id}/payouts"))


@router.get("/merchants/{merchant_id}/payouts", tags=["payouts"],
            summary="The payouts ledger: per order, every amount and where its payout stands")
def ledger(merchant_id: UUID, c: ContainerDep, actor: SignedInDep) -> LedgerOut:
    _may_read(c, actor, merchant_id)
    rows = c.ledger.orders(merchant_id)
    return LedgerOut(merchant_id=merchant_id, totals=totals(rows),
                     orders=[LedgerOrderOut.of(r) for r in rows])


@router.get("/merchants/{merchant_id}/payout-statements/{month}", tags=["payouts"],
            summary="A monthly statement (JSON, or CSV with ?format=csv)",
            response_model=StatementOut)
def statement(merchant_id: UUID, month: str, c: ContainerDep, actor: SignedInDep,
              format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:  # noqa: A002
    if not MONTH.match(month):
        raise HTTPProblem(422, "validation-failed", "month_invalid")
    _may_read(c, actor, merchant_id)
    entries = c.ledger.entries(merchant_id, month)
    lines = [StatementLine(at=e["at"], order_id=e["order_id"], kind=e["kind"],
                           amount_cents=e["amount"], taxes_remitted_by=e["remitter"],
                           reference=e["ref"]) for e in entries]
    summed = dict.fromkeys(KINDS, 0)
    for e in entries:
        summed[e["kind"]] += e["amount"]
    body = StatementOut(merchant_id=merchant_id, month=month, totals=totals([summed]),
                        lines=lines)
    if format == "csv":
        return Response(_csv(body), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="releve-{month}-{merchant_id}.csv"'})
    return body


@router.post("/payments/webhooks/stripe", tags=["payments"], status_code=200,
             summary="Stripe's webhooks (signature verified over the raw body)")
async def stripe_webhook(request: Request, c: ContainerDep,
                         stripe_signature: Annotated[str | None, Header()] = None,
                         ) -> dict[str, Any]:
    if c.stripe_webhooks is None:
        raise HTTPProblem(503, "unavailable", "webhooks_not_configured")
    payload = await request.body()
    outcomes = request.app.state.metrics.webhooks
    try:
        event = c.stripe_webhooks.parse(payload, stripe_signature)
    except InvalidWebhookError as error:
        outcomes.labels(f"rejected_{error.reason}").inc()
        raise HTTPProblem(400, "webhook-rejected", error.reason) from None
    recorded = await run_in_threadpool(c.webhooks.receive, event)
    outcomes.labels("recorded" if recorded else "duplicate").inc()
    return {"received": True, "duplicate": not recorded}


def _may_read(c: Any, actor: Actor, merchant_id: UUID) -> None:
    """The merchant's owner and staff; to anyone else a merchant's payouts do not exist."""
    if not (actor.owns(merchant_id) or actor.reads_everything):
        raise NotFoundError("merchant")


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
