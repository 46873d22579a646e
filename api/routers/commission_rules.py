"""Commission rules (admin): the default, per category, per merchant; each change an event."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import CommissionRulesDep, SignedInDep
from api.problems import PROBLEM_RESPONSES
from api.routing import OneHopRoute
from api.schemas.commission import CommissionRuleIn, CommissionScheduleOut

router = APIRouter(route_class=OneHopRoute, prefix="/v1/commission-rules", tags=["commission"],
                   responses=PROBLEM_RESPONSES)
Out = CommissionScheduleOut


@router.get("", operation_id="getCommissionRules",
            summary="The commission rules in force (admin, validator, auditor)")
def get_rules(rules: CommissionRulesDep, actor: SignedInDep) -> Out:
    return Out.of(rules.view(actor))


@router.put("/default", operation_id="setDefaultCommissionRule",
            summary="Set the default commission rule (admin)")
def set_default(body: CommissionRuleIn, rules: CommissionRulesDep, actor: SignedInDep) -> Out:
    return Out.of(rules.set_default(actor, body.rate, body.minimum_cents))


@router.put("/categories/{category}", operation_id="setCategoryCommissionRule",
            summary="Set a category's commission rule (admin)")
def set_category(category: str, body: CommissionRuleIn, rules: CommissionRulesDep,
                 actor: SignedInDep) -> Out:
    return Out.of(rules.set_for_category(actor, category, body.rate, body.minimum_cents))


@router.delete("/categories/{category}", operation_id="removeCategoryCommissionRule",
               summary="Remove a category's rule: its listings fall back to the default (admin)")
def remove_category(category: str, rules: CommissionRulesDep, actor: SignedInDep) -> Out:
    return Out.of(rules.remove_for_category(actor, category))


@router.put("/merchants/{merchant_id}", operation_id="setMerchantCommissionRule",
            summary="Set a merchant's commission rule (admin)")
def set_merchant(merchant_id: UUID, body: CommissionRuleIn, rules: CommissionRulesDep,
                 actor: SignedInDep) -> Out:
    return Out.of(rules.set_for_merchant(actor, merchant_id, body.rate, body.minimum_cents))


@router.delete("/merchants/{merchant_id}", operation_id="removeMerchantCommissionRule",
               summary="Remove a merchant's rule: category or default rules apply (admin)")
def remove_merchant(merchant_id: UUID, rules: CommissionRulesDep, actor: SignedInDep) -> Out:
    return Out.of(rules.remove_for_merchant(actor, merchant_id))
