"""Every endpoint of orders, payouts, insight, privacy, audit and storefronts × every role:
the expected status, and refusals change nothing. No merchant reaches another's orders,
payouts or insight; no consumer another's cart, order or export; the auditor changes nothing.
Roles are relative to the scene: consumer A bought from merchant A; B are strangers to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.actors import Role
from tests.support import Api, Shop

ROLES = ["anonymous", "consumer_a", "consumer_b", "merchant_a", "merchant_b", "validator",
         "auditor", "admin"]


@dataclass(frozen=True)
class Scene:
    merchant: str
    order: str
    cart: str
    consumer: UUID
    headers: dict[str, dict[str, str]]


def scene(api: Api) -> Scene:
    shop = Shop(api)
    merchant, owner = shop.merchant()
    _, other_owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=10, price_cents=20_00)
    cart = shop.cart({listing: 2})
    order = shop.check_out(cart).json()["id"]
    stranger = uuid4()
    b = api.auth_as(Role.CONSUMER, stranger)
    return Scene(merchant, order, cart, shop.consumer_id, {
        "anonymous": {}, "consumer_a": shop.consumer, "consumer_b": b,
        "merchant_a": owner, "merchant_b": other_owner, "validator": api.validator,
        "auditor": api.auth(Role.AUDITOR), "admin": api.auth(Role.ADMIN)})


CASES: list[tuple[str, str, str, dict[str, Any] | None, list[int]]] = [
    # name, method, path (formatted with the scene), body, expected in ROLES order
    ("read order", "GET", "/v1/orders/{s.order}", None,
     [401, 200, 404, 200, 404, 200, 200, 200]),
    # a cart is its consumer's working state: nobody else learns it exists
    ("read cart", "GET", "/v1/carts/{s.cart}", None, [401, 200, 404, 404, 404, 404, 404, 404]),
    ("accept merchant order", "POST",
     "/v1/orders/{s.order}/merchant-orders/{s.merchant}/acceptance", None,
     [401, 403, 404, 200, 404, 403, 403, 403]),
    ("refund merchant order", "POST",
     "/v1/orders/{s.order}/merchant-orders/{s.merchant}/refunds",
     {"amount_cents": 5_00, "reason": "abîmé"}, [401, 403, 404, 201, 404, 201, 403, 403]),
    # a merchant's payouts exist for it and for staff only: anyone else is told "not found"
    ("payouts ledger", "GET", "/v1/merchants/{s.merchant}/payouts", None,
     [401, 404, 404, 200, 404, 200, 200, 200]),
    ("payout statement", "GET", "/v1/merchants/{s.merchant}/payout-statements/2026-11", None,
     [401, 404, 404, 200, 404, 200, 200, 200]),
    ("payout account", "PUT", "/v1/merchants/{s.merchant}/payout-account", None,
     [401, 404, 404, 200, 404, 403, 403, 200]),
    ("insight", "GET", "/v1/merchants/{s.merchant}/insights", None,
     [401, 404, 404, 200, 404, 404, 404, 404]),
    ("export", "GET", "/v1/privacy/subjects/{s.consumer}/export", None,
     [401, 200, 404, 404, 404, 404, 404, 200]),
    ("erase", "POST", "/v1/privacy/subjects/{s.consumer}/erasure", None,
     [401, 200, 404, 404, 404, 404, 404, 200]),
    ("audit events", "GET", "/v1/audit/events", None, [401, 403, 403, 403, 403, 403, 200, 200]),
    ("audit aggregate", "GET", "/v1/audit/aggregates/{s.order}", None,
     [401, 403, 403, 403, 403, 403, 200, 200]),
    ("audit verification", "POST", "/v1/audit/verification", None,
     [401, 403, 403, 403, 403, 403, 200, 200]),
    ("open storefront", "POST", "/v1/storefronts",
     {"slug": "s-{s.merchant}", "name_fr": "Vitrine", "name_en": "Window", "regions": ["07"]},
     [401, 403, 403, 403, 403, 403, 403, 201]),
    ("storefront report", "GET", "/v1/reports/storefronts", None,
     [401, 403, 403, 403, 403, 403, 200, 200]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_role_matrix(api: Api, case: tuple) -> None:
    name, method, path, body, expected = case
    outcomes = {}
    for role in ROLES:
        s = scene(api)
        api.container.projections.settle()
        url = path.format(s=s)
        payload = {k: v.format(s=s) if isinstance(v, str) else v for k, v in (body or {}).items()}
        before = api.log_length()
        response = api.client.request(method, url, json=payload or None, headers=s.headers[role])
        outcomes[role] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert api.log_length() == before, f"{role} was refused but the log grew"
    assert outcomes == dict(zip(ROLES, expected, strict=True))
