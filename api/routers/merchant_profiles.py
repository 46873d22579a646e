"""A merchant's changes after applying (docs/merchants.md): its profile at once, its legal
identity through a validator."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import ListsDep, SignedInDep
from api.deps import MerchantProfilesDep as ProfilesDep
from api.problems import PROBLEM_RESPONSES, located
from api.routing import OneHopRoute
from api.schemas.common import ReasonIn
from api.schemas.merchant_profiles import (
    IdentityChangeIn,
    IdentityChangeItem,
    IdentityChangesOut,
    IdentityChangesParams,
    ProfileChangeIn,
)
from api.schemas.merchants import MerchantOut

router = APIRouter(route_class=OneHopRoute, prefix="/v1", tags=["merchants"],
                   responses=PROBLEM_RESPONSES)


@router.patch("/merchants/{merchant_id}/profile", operation_id="changeMerchantProfile",
              summary="Change hours, descriptions, website, contact, logo or address (owner); "
                      "search and the merchant's page follow")
def change_profile(merchant_id: UUID, body: ProfileChangeIn, profiles: ProfilesDep,
                   actor: SignedInDep) -> MerchantOut:
    return MerchantOut.of(profiles.change_profile(actor, merchant_id, body.changes()))


@router.post("/merchants/{merchant_id}/identity-change", operation_id="requestIdentityChange",
             summary="Ask for a new legal name or NEQ (owner): applied once a validator "
                     "approves; the merchant sells under its current identity meanwhile")
def request_identity_change(merchant_id: UUID, body: IdentityChangeIn, profiles: ProfilesDep,
                            actor: SignedInDep) -> MerchantOut:
    return MerchantOut.of(profiles.request_identity_change(actor, merchant_id, body.legal_name,
                                                           body.neq))


@router.post("/merchants/{merchant_id}/identity-change/approval",
             operation_id="approveIdentityChange",
             summary="Apply a pending legal name or NEQ change (validator)")
def approve_identity_change(merchant_id: UUID, profiles: ProfilesDep,
                            actor: SignedInDep) -> MerchantOut:
    return MerchantOut.of(profiles.approve_identity_change(actor, merchant_id))


@router.post("/merchants/{merchant_id}/identity-change/rejection",
             operation_id="rejectIdentityChange",
             summary="Refuse a pending legal name or NEQ change with a reason (validator)")
def reject_identity_change(merchant_id: UUID, body: ReasonIn, profiles: ProfilesDep,
                           actor: SignedInDep) -> MerchantOut:
    return MerchantOut.of(profiles.reject_identity_change(actor, merchant_id, body.reason))


@router.get("/identity-changes", operation_id="listIdentityChanges",
            summary="Requests for a new legal name or NEQ, oldest first, by status "
                    "(validators, admins)")
def list_identity_changes(params: Annotated[IdentityChangesParams, Query()], lists: ListsDep,
                          actor: SignedInDep) -> IdentityChangesOut:
    with located("query"):
        page = lists.identity_changes(actor, list(params.status), params.page())
    return IdentityChangesOut(items=[IdentityChangeItem.of(r) for r in page.items],
                              next=page.next, total=page.total)
