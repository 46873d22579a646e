"""Every foundation endpoint × every role: the expected status, and refusals change nothing.

The rule (docs/architecture.md, "Access rules"): anonymous calls that need a role get 401
before anything is looked up; another tenant's resources are 404 to a merchant ("not yours");
what a caller sees but its role may never do is 403; what it may not see is 404.

Roles are relative to the target: `owner` holds a merchant token for the target's merchant,
`other` a merchant token for another approved merchant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from application.actors import Role
from tests.support import Api, listing_body

ROLES = ["anonymous", "consumer", "owner", "other", "validator", "auditor", "admin"]


@dataclass(frozen=True)
class Target:
    merchant_id: str
    path: str


def under_review(api: Api) -> Target:
    merchant_id = api.apply()
    return Target(merchant_id, f"/v1/merchants/{merchant_id}")


def approved(api: Api) -> Target:
    merchant_id, _ = api.approved_merchant()
    return Target(merchant_id, f"/v1/merchants/{merchant_id}")


def suspended(api: Api) -> Target:
    target = approved(api)
    response = api.client.post(f"{target.path}/suspension", headers=api.validator,
                               json={"reason": "Plaintes répétées"})
    assert response.status_code == 200
    return target


def published_listing(api: Api) -> Target:
    merchant_id, owner = api.approved_merchant()
    return Target(merchant_id, f"/v1/listings/{api.listing(merchant_id, owner, publish=True)}")


def draft_listing(api: Api) -> Target:
    merchant_id, owner = api.approved_merchant()
    return Target(merchant_id, f"/v1/listings/{api.listing(merchant_id, owner)}")


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    setup: Callable[[Api], Target]
    suffix: str
    body: dict[str, Any] | None
    expected: list[int]  # in ROLES order


REASON = {"reason": "Motif suffisant"}
CASES = [
    Case("read approved merchant", "GET", approved, "", None, [200] * 7),
    Case("read merchant under review", "GET", under_review, "", None,
         [404, 404, 200, 404, 200, 200, 200]),
    Case("read suspended merchant", "GET", suspended, "", None,
         [404, 404, 200, 404, 200, 200, 200]),
    Case("approve", "POST", under_review, "/approval", None, [401, 404, 403, 404, 200, 403, 403]),
    Case("reject", "POST", under_review, "/rejection", REASON,
         [401, 404, 403, 404, 200, 403, 403]),
    Case("suspend", "POST", approved, "/suspension", REASON, [401, 403, 403, 404, 200, 403, 403]),
    Case("reinstate", "POST", suspended, "/reinstatement", None,
         [401, 404, 403, 404, 200, 403, 403]),
    Case("close", "POST", approved, "/closure", None, [401, 403, 200, 404, 200, 403, 403]),
    Case("create listing, approved merchant", "POST", approved, "/listings", listing_body(),
         [401, 403, 201, 404, 403, 403, 403]),
    Case("create listing, merchant under review", "POST", under_review, "/listings",
         listing_body(), [401, 404, 201, 404, 403, 403, 403]),
    Case("read published listing", "GET", published_listing, "", None, [200] * 7),
    Case("read draft listing", "GET", draft_listing, "", None, [404, 404, 200, 404, 200, 200, 200]),
    Case("revise published listing", "PATCH", published_listing, "", {"price_cents": 1500},
         [401, 403, 200, 404, 403, 403, 403]),
    Case("revise draft listing", "PATCH", draft_listing, "", {"price_cents": 1500},
         [401, 404, 200, 404, 403, 403, 403]),
    Case("publish draft", "POST", draft_listing, "/publication", None,
         [401, 404, 200, 404, 403, 403, 403]),
    Case("withdraw", "POST", published_listing, "/withdrawal", None,
         [401, 403, 200, 404, 403, 403, 403]),
    Case("set stock of published", "PUT", published_listing, "/stock", {"on_hand": 3},
         [401, 403, 200, 404, 403, 403, 403]),
    Case("set stock of draft", "PUT", draft_listing, "/stock", {"on_hand": 3},
         [401, 404, 200, 404, 403, 403, 403]),
    Case("adjust stock", "POST", published_listing, "/stock-adjustments",
         {"delta": 2, "reason": "received"}, [401, 403, 200, 404, 403, 403, 403]),
]


def headers_for(api: Api, role: str, target: Target, other_merchant: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    if role == "owner":
        return api.auth(Role.MERCHANT, target.merchant_id)
    if role == "other":
        return api.auth(Role.MERCHANT, other_merchant)
    return api.auth(Role(role))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_role_matrix(api: Api, case: Case) -> None:
    other_merchant, _ = api.approved_merchant()
    outcomes = {}
    for role in ROLES:
        target = case.setup(api)
        before = api.log_length()
        response = api.client.request(case.method, target.path + case.suffix, json=case.body,
                                      headers=headers_for(api, role, target, other_merchant))
        outcomes[role] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert api.log_length() == before, f"{role} was refused but the log grew"
    assert outcomes == dict(zip(ROLES, case.expected, strict=True))
