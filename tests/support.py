"""Test helpers: sample bodies and a thin client that knows how to get tokens."""

from __future__ import annotations

import copy
import itertools
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.container import Container
from application.actors import Role

_neq_numbers = itertools.count(1_000_001)


def unique_neq() -> str:
    return f"11{next(_neq_numbers):08d}"


def merchant_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Fromagerie du Marché",
        "legal_name": "Fromagerie du Marché inc.",
        "neq": unique_neq(),
        "address": {"street": "123, rue Principale", "municipality": "Gatineau",
                    "postal_code": "J8X 3X7", "region": "07"},
        "categories": ["fromagerie"],
        "contact": {"name": "Sophie Tremblay", "email": "sophie@fromagerie.example",
                    "phone": "819-555-0199"},
        "tax": {"gst_number": "123456789RT0001", "qst_number": "1234567890TQ0001"},
        "fulfilment": {"pickup": True, "delivery_radius_km": 10, "delivery_fee_cents": 500},
    }
    body.update(copy.deepcopy(overrides))
    return body


def listing_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title_fr": "Cheddar fort", "description_fr": "Vieilli deux ans",
        "category": "fromagerie", "price_cents": 1299, "tax_class": "zero_rated",
        "origin": "produced",
    }
    body.update(overrides)
    return body


class Api:
    """A TestClient with the container behind it (tokens, log position)."""

    def __init__(self, client: TestClient, container: Container) -> None:
        self.client = client
        self.container = container

    def auth(self, role: Role, merchant_id: UUID | str | None = None) -> dict[str, str]:
        token = self.container.tokens.issue(
            role, merchant_id=UUID(str(merchant_id)) if merchant_id else None)
        return {"Authorization": f"Bearer {token}"}

    @property
    def validator(self) -> dict[str, str]:
        return self.auth(Role.VALIDATOR)

    def log_length(self) -> int:
        return self.container.app.log_position()

    def apply(self, **overrides: Any) -> str:
        response = self.client.post("/v1/merchants", json=merchant_body(**overrides))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def approved_merchant(self, **overrides: Any) -> tuple[str, dict[str, str]]:
        merchant_id = self.apply(**overrides)
        response = self.client.post(f"/v1/merchants/{merchant_id}/approval",
                                    headers=self.validator)
        assert response.status_code == 200, response.text
        return merchant_id, self.auth(Role.MERCHANT, merchant_id)

    def listing(self, merchant_id: str, owner: dict[str, str], *, publish: bool = False,
                stock: int | None = None, **overrides: Any) -> str:
        response = self.client.post(f"/v1/merchants/{merchant_id}/listings", headers=owner,
                                    json=listing_body(**overrides))
        assert response.status_code == 201, response.text
        listing_id = response.json()["id"]
        if stock is not None:
            assert self.client.put(f"/v1/listings/{listing_id}/stock", headers=owner,
                                   json={"on_hand": stock}).status_code == 200
        if publish:
            assert self.client.post(f"/v1/listings/{listing_id}/publication",
                                    headers=owner).status_code == 200
        return listing_id
