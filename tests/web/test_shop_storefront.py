"""The shop through a regional storefront (both backends, over HTTP): a regional platform links
to `/?storefront=outaouais`; its shoppers see only the businesses it covers, the page names
it, the browser remembers it, and the cart they fill is credited to it — the same scope and
credit as the API's `?storefront=` and `POST /v1/carts {"storefront": …}`."""

from __future__ import annotations

import html
import re

from application.actors import Role
from tests.support import Api
from tests.web.test_shop_forms import signed_in


def test_a_storefronts_shoppers_see_only_its_region_and_their_orders_are_credited_to_it(
        api: Api) -> None:
    admin = api.auth(Role.ADMIN)
    assert api.client.post("/v1/storefronts", headers=admin, json={
        "slug": "outaouais", "name_fr": "Achat local Outaouais",
        "name_en": "Buy local Outaouais", "regions": ["07"]}).status_code == 201
    gatineau, g_owner = api.approved_merchant(name="Érablière de Gatineau",
                                              categories=["alimentation"])
    montreal, m_owner = api.approved_merchant(
        name="Érablière de Montréal", categories=["alimentation"],
        address={"street": "1, rue Sainte-Catherine", "municipality": "Montréal",
                 "postal_code": "H2X 1Y4", "region": "06"})
    syrup = api.listing(gatineau, g_owner, publish=True, stock=5, category="alimentation",
                        title_fr="Sirop d'érable ambré")
    api.listing(montreal, m_owner, publish=True, stock=5, category="alimentation",
                title_fr="Sirop d'érable foncé")
    api.container.projections.catch_up()

    client = signed_in(api)
    everywhere = html.unescape(client.get("/", params={"q": "sirop d'érable"}).text)
    assert "Érablière de Gatineau" in everywhere and "Érablière de Montréal" in everywhere
    linked = client.get("/", params={"q": "sirop d'érable", "storefront": "outaouais"})
    page = html.unescape(linked.text)
    assert "Érablière de Gatineau" in page and "Érablière de Montréal" not in page
    assert "la vitrine « Achat local Outaouais »" in page
    assert 'name="storefront" value="outaouais"' in page  # the next search stays in it
    # Remembered by this browser: a search without the parameter stays in the storefront.
    again = html.unescape(client.get("/", params={"q": "sirop"}).text)
    assert "Érablière de Montréal" not in again and "Achat local Outaouais" in again

    # What she buys there is credited to the storefront.
    added = client.post("/panier", data={"listing_id": syrup, "quantity": "2",
                                         "csrftoken": csrf(client, f"/produits/{syrup}")},
                        follow_redirects=False)
    assert added.status_code == 303, added.text
    cart = client.get(f"/v1/carts/{client.cookies['comptoir_panier']}")  # her session's
    assert (cart.status_code, cart.json()["storefront"]) == (200, "outaouais")

    # Out of it: the whole of Québec again; an unknown storefront scopes nothing.
    out = html.unescape(client.get("/", params={"q": "sirop", "storefront": ""}).text)
    assert "Érablière de Montréal" in out and "Achat local Outaouais" not in out
    assert "comptoir_vitrine" not in client.cookies
    unknown = html.unescape(client.get("/", params={"q": "sirop", "storefront": "mars"}).text)
    assert "Érablière de Montréal" in unknown


def csrf(client: object, path: str) -> str:
    page = client.get(path).text  # type: ignore[attr-defined]
    return re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
