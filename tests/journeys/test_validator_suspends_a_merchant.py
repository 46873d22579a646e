"""A complaint comes in: a validator suspends the merchant while a shopper has its truffles in
her cart. The merchant vanishes from the shop, the cart says why, nothing can be bought; once
reinstated, everything is back."""

from __future__ import annotations

from tests.journeys.helpers import QUEBEC, RYW, Marketplace, ids


def test_validator_suspends_a_merchant_and_it_leaves_search_and_carts(
    market: Marketplace,
) -> None:
    # A chocolate maker in Québec city sells truffles.
    chocolatier = market.approved_merchant("Chocolaterie du Vieux-Québec", QUEBEC,
                                           ["alimentation"])
    truffes = market.listing(chocolatier, "Truffes au chocolat noir", on_hand=10,
                             price_cents=1650, tax_class="taxable", origin="transformed",
                             category="alimentation", description_fr="Boîte de 12 truffes")
    assert ids(market.search_listings(q="truffes")) == {truffes}
    assert ids(market.search_merchants(q="chocolaterie")) == {chocolatier.id}

    # A shopper in Québec puts 2 boxes in her cart.
    shopper = market.shopper(name="Sophie Lemieux", email="sophie.lemieux@courriel.example",
                             postal_code="G1R 2L3", municipality="Québec", region="03")
    cart_id = market.cart(shopper, {truffes: 2})

    # A validator suspends the merchant.
    suspended = market.http.post(f"/v1/merchants/{chocolatier.id}/suspension",
                                 headers={**market.validator, **RYW},
                                 json={"reason": "Plainte en cours d'examen"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"

    # Neither the merchant nor its truffles can be found any more.
    assert ids(market.search_listings(q="truffes")) == set()
    assert truffes not in ids(market.search_listings())
    assert ids(market.search_merchants(q="chocolaterie")) == set()
    assert chocolatier.id not in ids(market.search_merchants())
    assert market.http.get(f"/v1/merchants/{chocolatier.id}").status_code == 404
    assert market.http.get(f"/v1/listings/{truffes}").status_code == 404

    # Her cart keeps the line but flags it: it cannot be bought.
    cart = market.http.get(f"/v1/carts/{cart_id}", headers=shopper.headers).json()
    [line] = [line for m in cart["merchants"] for line in m["lines"]]
    assert line["listing_id"] == truffes
    assert "merchant_unavailable" in line["problems"]
    assert cart["ready"] is False

    # Checking out is refused with a problem document, and nothing is created.
    refused = market.check_out(shopper, cart_id)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 409 and refused.json()["code"]
    cart = market.http.get(f"/v1/carts/{cart_id}", headers=shopper.headers).json()
    assert (cart["status"], cart["order_id"]) == ("open", None)
    stock = market.http.get(f"/v1/listings/{truffes}", headers=chocolatier.owner).json()["stock"]
    assert stock == {"available": 10, "on_hand": 10, "reserved": 0}

    # The complaint is dismissed: the validator reinstates the merchant.
    reinstated = market.http.post(f"/v1/merchants/{chocolatier.id}/reinstatement",
                                  headers={**market.validator, **RYW})
    assert reinstated.status_code == 200, reinstated.text
    assert reinstated.json()["status"] == "approved"

    # The merchant and its truffles are back in both searches, and the cart is ready again.
    assert ids(market.search_listings(q="truffes")) == {truffes}
    assert ids(market.search_merchants(q="chocolaterie")) == {chocolatier.id}
    assert market.http.get(f"/v1/merchants/{chocolatier.id}").status_code == 200
    assert market.http.get(f"/v1/listings/{truffes}").status_code == 200
    cart = market.http.get(f"/v1/carts/{cart_id}", headers=shopper.headers).json()
    [line] = [line for m in cart["merchants"] for line in m["lines"]]
    assert line["problems"] == []
    assert cart["ready"] is True

    # And she can buy.
    bought = market.check_out(shopper, cart_id)
    assert bought.status_code == 201, bought.text
    assert bought.json()["payment"]["status"] == "captured"
