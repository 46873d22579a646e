"""Two neighbours want the same cretons; the one who checks out second is told exactly which
product ran short and how many are left, so that her app can offer to take that many."""

from __future__ import annotations

from tests.journeys.helpers import GATINEAU, Marketplace


def test_out_of_stock_problem_tells_the_client_what_to_do(market: Marketplace) -> None:
    # A butcher in Gatineau has 3 jars of cretons.
    butcher = market.approved_merchant("Boucherie Lapointe", GATINEAU, ["boucherie"])
    title = "Cretons maison à l'ancienne"
    cretons = market.listing(butcher, title, on_hand=3, price_cents=695, category="boucherie",
                             origin="transformed", description_fr="Pot de 250 g")

    # Two shoppers each put 2 jars in their cart.
    alice = market.shopper(name="Alice Bouchard", email="alice.bouchard@courriel.example")
    beatrice = market.shopper(name="Béatrice Roy", email="beatrice.roy@courriel.example",
                              postal_code="J8Y 3B5")
    alice_cart = market.cart(alice, {cretons: 2})
    beatrice_cart = market.cart(beatrice, {cretons: 2})

    # Alice checks out first and gets her 2 jars.
    first = market.check_out(alice, alice_cart)
    assert first.status_code == 201, first.text
    assert first.json()["payment"]["status"] == "captured"

    # Béatrice checks out: refused, with what to do about it.
    second = market.check_out(beatrice, beatrice_cart)
    assert second.status_code == 409, second.text
    assert second.headers["content-type"].startswith("application/problem+json")
    problem = second.json()
    assert problem["code"] == "insufficient_stock"
    assert problem.get("listing_id") == cretons, problem
    # Its French title: `listing_title`, since RFC 9457 reserves `title` for the problem type.
    assert problem.get("listing_title") == title, problem
    assert problem["title"] != title
    assert problem.get("available") == 1, problem

    # Her cart says the same, and nothing was reserved for her.
    cart = market.http.get(f"/v1/carts/{beatrice_cart}", headers=beatrice.headers).json()
    [line] = [line for m in cart["merchants"] for line in m["lines"]]
    assert (line["available"], line["problems"]) == (1, ["insufficient_stock"])
    assert (cart["status"], cart["ready"]) == ("open", False)
