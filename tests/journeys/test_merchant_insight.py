"""A fruit shop in Gatineau reads its insight: what people did, counted once each — a lowered
quantity is not a second "add to cart", a retried checkout is not a second order, and a
visitor who registers is counted in her region from then on."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.journeys.helpers import GATINEAU, Marketplace, Merchant, eventually

J8X_CODES = ["J8X 1A1", "J8X 2B4", "J8X 3C6", "J8X 4E2", "J8X 1B9"]


def insight(market: Marketplace, merchant: Merchant) -> dict[str, Any]:
    response = market.http.get(f"/v1/merchants/{merchant.id}/insights", headers=merchant.owner)
    assert response.status_code == 200, response.text
    return response.json()


def shown(report: dict[str, Any], kind: str) -> bool:
    return isinstance(report["totals"].get(kind, {}).get("events"), int)


def cell(report: dict[str, Any], kind: str, region: str) -> dict[str, Any] | None:
    found = [{"events": c["events"], "consumers": c["consumers"]}
             for c in report["cells"] if c["kind"] == kind and c["region"] == region]
    assert len(found) <= 1, found  # one day only in this journey
    return found[0] if found else None


def region_row(report: dict[str, Any], kind: str, region: str) -> Any:
    return next((r["events"] for r in report["by_region"]
                 if r["kind"] == kind and r["region"] == region), None)


def test_insight_counts_what_people_did_once(market: Marketplace) -> None:
    # A Gatineau fruit shop with apples for sale.
    shop = market.approved_merchant("Fruiterie Chez Lucie", GATINEAU, ["alimentation"])
    apples = market.listing(shop, "Panier de pommes Cortland", on_hand=50, price_cents=799,
                            category="alimentation", description_fr="Panier de 2 kg, Rougemont")

    # Five neighbours in Gatineau (J8X) each register, put 3 baskets in a cart, change their
    # mind to 1, and check out; the network hiccups, so each app sends the checkout twice
    # with the same Idempotency-Key.
    for number, postal_code in enumerate(J8X_CODES):
        shopper = market.shopper(name=f"Voisine {number}",
                                 email=f"voisine{number}@courriel.example",
                                 postal_code=postal_code)
        cart_id = market.cart(shopper, {apples: 3})
        lowered = market.set_line(shopper, cart_id, apples, 1)
        assert lowered["subtotal"]["cents"] == 799
        key = str(uuid4())
        first = market.check_out(shopper, cart_id, key=key)
        assert first.status_code == 201, first.text
        again = market.check_out(shopper, cart_id, key=key)
        assert again.status_code in (200, 201), again.text
        assert again.json()["id"] == first.json()["id"], "a retried checkout is the same order"

    # The stock agrees: 5 baskets sold, not 10.
    stock = market.http.get(f"/v1/listings/{apples}", headers=shop.owner).json()["stock"]
    assert stock["reserved"] == 5

    # The merchant's insight (flushed about every second): 5 orders, 5 adds to cart, in J8X.
    report = eventually(lambda: insight(market, shop),
                        lambda r: shown(r, "order") and shown(r, "add_to_cart"), seconds=5)
    assert report["totals"].get("order", {}).get("events") == 5, report["totals"]
    assert report["totals"].get("add_to_cart", {}).get("events") == 5, report["totals"]
    assert cell(report, "order", "J8X") == {"events": 5, "consumers": 5}, report["cells"]
    assert cell(report, "add_to_cart", "J8X") == {"events": 5, "consumers": 5}, report["cells"]
    assert region_row(report, "order", "J8X") == 5

    # Five other people look at the shop's fiche before having an account...
    visitors = [market.shopper(register=False) for _ in range(5)]
    for visitor in visitors:
        assert market.http.get(f"/v1/merchants/{shop.id}",
                               headers=visitor.headers).status_code == 200
    # ...then register with a Gatineau (J8X) address and look again.
    for visitor, postal_code in zip(visitors, J8X_CODES, strict=True):
        market.register(visitor, name="Visiteuse", email="visiteuse@courriel.example",
                        postal_code=postal_code)
        assert market.http.get(f"/v1/merchants/{shop.id}",
                               headers=visitor.headers).status_code == 200

    # Ten looks by five people; at least the five looks after registering count in J8X
    # (the first ones may count as "unknown", or in J8X if the region was known by then).
    report = eventually(lambda: insight(market, shop),
                        lambda r: shown(r, "fiche_view")
                        and r["totals"]["fiche_view"]["events"] >= 10, seconds=5)
    assert report["totals"].get("fiche_view", {}).get("events") == 10, report["totals"]
    in_j8x = cell(report, "fiche_view", "J8X")
    assert in_j8x is not None and in_j8x["consumers"] == 5, report["cells"]
    assert isinstance(in_j8x["events"], int) and 5 <= in_j8x["events"] <= 10, in_j8x
    elsewhere = [c for c in report["cells"]
                 if c["kind"] == "fiche_view" and c["region"] not in ("J8X", "unknown")]
    assert elsewhere == [], elsewhere
    # Ten looks today, by five distinct people.
    [today] = [d for d in report["by_day"] if d["kind"] == "fiche_view"]
    assert (today["events"], today["consumers"]) == (10, 5), today
