"""Merchant routes: apply, read, and the review lifecycle."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.deps import (
    ActorDep,
    IdempotencyKeyDep,
    InsightsDep,
    MerchantsDep,
    SignedInDep,
    keyed,
    limited,
)
from api.problems import PROBLEM_RESPONSES, also_check_body
from api.routing import OneHopRoute
from api.schemas.common import ReasonIn
from api.schemas.merchants import MerchantApplicationIn, MerchantOut, application_rule_errors

router = APIRouter(route_class=OneHopRoute, prefix="/v1/merchants", tags=["merchants"],
                   responses=PROBLEM_RESPONSES)


@router.post("", operation_id="applyAsMerchant",
             status_code=201, summary="Apply to sell on the platform",
             dependencies=[limited("apply_client")])
def apply(
    body: MerchantApplicationIn, merchants: MerchantsDep, actor: ActorDep,
    key: IdempotencyKeyDep, response: Response,
) -> MerchantOut:
    request = body.model_dump(mode="json")
    view = merchants.apply(body.to_form(), keyed(key, actor, "merchants.apply", request),
                           applicant=actor)
    response.headers["Location"] = f"/v1/merchants/{view.id}"
    return MerchantOut.of(view)


also_check_body(apply, application_rule_errors)


@router.get("/{merchant_id}", operation_id="getMerchant", summary="A merchant's fiche")
def get(merchant_id: UUID, merchants: MerchantsDep, actor: ActorDep) -> MerchantOut:
    return MerchantOut.of(merchants.visit(actor, merchant_id))


@router.post("/{merchant_id}/approval", operation_id="approveMerchant",
             summary="Approve an application (validator)")
def approve(merchant_id: UUID, merchants: MerchantsDep, actor: SignedInDep) -> MerchantOut:
    return MerchantOut.of(merchants.approve(actor, merchant_id))


@router.post("/{merchant_id}/rejection", operation_id="rejectMerchant",
             summary="Reject an application with a reason (validator)")
def reject(
    merchant_id: UUID, body: ReasonIn, merchants: MerchantsDep, actor: SignedInDep
) -> MerchantOut:
    return MerchantOut.of(merchants.reject(actor, merchant_id, body.reason))


@router.post("/{merchant_id}/suspension", operation_id="suspendMerchant",
             summary="Suspend with a reason (validator)")
def suspend(
    merchant_id: UUID, body: ReasonIn, merchants: MerchantsDep, actor: SignedInDep
) -> MerchantOut:
    return MerchantOut.of(merchants.suspend(actor, merchant_id, body.reason))


@router.post("/{merchant_id}/reinstatement", operation_id="reinstateMerchant",
             summary="Lift a suspension (validator)")
def reinstate(merchant_id: UUID, merchants: MerchantsDep, actor: SignedInDep) -> MerchantOut:
    return MerchantOut.of(merchants.reinstate(actor, merchant_id))


@router.post("/{merchant_id}/closure", operation_id="closeMerchant",
             summary="Leave the platform (owner or validator)")
def close(merchant_id: UUID, merchants: MerchantsDep, actor: SignedInDep) -> MerchantOut:
    return MerchantOut.of(merchants.close(actor, merchant_id))


@router.get("/{merchant_id}/insights", operation_id="getMerchantInsights", tags=["insights"],
            summary="Who looks at the merchant: counts by day and region, small groups hidden")
def insights(merchant_id: UUID, insight: InsightsDep, actor: SignedInDep,
             first: Annotated[date | None, Query(alias="from")] = None,
             last: Annotated[date | None, Query(alias="to")] = None) -> dict[str, Any]:
    return insight.report(actor, merchant_id, first, last)
