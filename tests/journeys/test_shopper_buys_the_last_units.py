"""A shopper finds Outaouais and Montréal products with ordinary French words, buys every last
unit in one cart, and the catalogue shows them sold out at once."""

from __future__ import annotations

from tests.journeys.helpers import CHELSEA, GATINEAU, MONTREAL, Marketplace, eventually, ids


def test_shopper_buys_the_last_units_and_search_shows_them_sold_out(
    market: Marketplace,
) -> None:
    # Three approved merchants, in Chelsea, Gatineau and Montréal, each with one product.
    sucrerie = market.approved_merchant("Sucrerie des Collines", CHELSEA, ["alimentation"])
    fromagerie = market.approved_merchant("Fromagerie du Marché", GATINEAU, ["fromagerie"])
    miellerie = market.approved_merchant("Miellerie Saint-Laurent", MONTREAL, ["alimentation"])
    sirop = market.listing(sucrerie, "Sirop d'érable ambré", on_hand=3, price_cents=1495,
                           category="alimentation",
                           description_fr="Bouteille de 540 ml, récolte du printemps")
    cheddar = market.listing(fromagerie, "Cheddar fort de l'Outaouais", on_hand=4,
                             price_cents=1299, category="fromagerie",
                             description_fr="Vieilli deux ans, lait de vache")
    miel = market.listing(miellerie, "Miel de trèfle", on_hand=2, price_cents=899,
                          category="alimentation", description_fr="Pot de 500 g, non pasteurisé")
    ours = {sirop, cheddar, miel}

    # The shopper searches the way people type: articles, elisions, accents.
    assert ids(market.search_listings(q="sirop d'érable")) == {sirop}
    assert ids(market.search_listings(q="l'érable")) == {sirop}
    assert ids(market.search_listings(q="cheddar de l'Outaouais")) == {cheddar}
    assert ids(market.search_listings(q="miel", in_stock=True)) == {miel}

    # She registers, and puts every remaining unit of the three products in one cart.
    shopper = market.shopper(name="Émilie Bélanger", email="emilie.belanger@courriel.example")
    cart_id = market.cart(shopper, {sirop: 3, cheddar: 4, miel: 2})
    cart = market.http.get(f"/v1/carts/{cart_id}", headers=shopper.headers).json()
    assert cart["ready"] is True
    assert len(cart["merchants"]) == 3
    assert cart["subtotal"]["cents"] == 3 * 1495 + 4 * 1299 + 2 * 899

    # One checkout, one payment with the default local gateway.
    answer = market.check_out(shopper, cart_id)
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert order["payment"]["status"] == "captured"
    assert {part["merchant_id"] for part in order["merchant_orders"]} == {
        sucrerie.id, fromagerie.id, miellerie.id}
    # Groceries are zero-rated and picked up: she pays the shelf prices, nothing more.
    assert order["total"]["cents"] == 3 * 1495 + 4 * 1299 + 2 * 899

    # Within a second of the answer, "in stock" search no longer offers any of them.
    in_stock = eventually(lambda: market.search_listings(fresh=False, in_stock=True),
                          lambda page: not (ids(page) & ours), seconds=1.0)
    assert not ids(in_stock) & ours, "sold-out listings still offered as in stock"

    # A plain search still shows them, sold out.
    everything = {item["id"]: item for item in market.search_listings()["items"]}
    for listing_id in ours:
        assert (everything[listing_id]["available"], everything[listing_id]["in_stock"]) == (
            0, False), everything[listing_id]
