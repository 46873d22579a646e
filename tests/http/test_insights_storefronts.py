"""Merchant insight with small groups hidden, stored as counters only; storefronts scoping
search and crediting orders — over HTTP, both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from application.actors import Role
from tests.support import Api, Shop, consumer_body

TODAY = datetime.now(UTC).date().isoformat()


def consumers(api: Api, count: int, postal_code: str = "J8X 1A1") -> list[dict[str, str]]:
    made = []
    for _ in range(count):
        subject = uuid4()
        headers = api.auth_as(Role.CONSUMER, subject)
        body = consumer_body(address={"street": "1, rue A", "municipality": "Gatineau",
                                      "postal_code": postal_code, "region": "07"})
        assert api.client.post("/v1/consumers", headers=headers, json=body).status_code == 201
        made.append(headers)
    return made


def fiche_cell(report: dict) -> dict:
    [cell] = [c for c in report["cells"] if c["kind"] == "fiche_view"]
    return cell


def test_a_region_shows_from_five_distinct_consumers_and_nothing_personal_is_stored(
    api: Api,
) -> None:
    merchant, owner = Shop(api).merchant()
    people = consumers(api, 5)
    for headers in people[:4]:
        assert api.client.get(f"/v1/merchants/{merchant}", headers=headers).status_code == 200
    api.client.get(f"/v1/merchants/{merchant}", headers=people[0])  # the same person again
    url = f"/v1/merchants/{merchant}/insights"
    hidden = api.client.get(url, headers=owner).json()
    assert fiche_cell(hidden) == {"day": TODAY, "kind": "fiche_view", "region": "J8X",
                                  "events": "< 5", "consumers": "< 5"}
    assert hidden["totals"]["fiche_view"] == {"events": "< 5", "consumers": "< 5"}

    api.client.get(f"/v1/merchants/{merchant}", headers=people[4])
    shown = api.client.get(url, headers=owner).json()
    assert fiche_cell(shown) == {"day": TODAY, "kind": "fiche_view", "region": "J8X",
                                 "events": 6, "consumers": 5}
    assert shown["by_region"] == [{"region": "J8X", "kind": "fiche_view", "events": 6,
                                   "consumers": ">= 5"}]
    api.client.get(f"/v1/merchants/{merchant}", headers=owner)  # the owner is no signal
    assert fiche_cell(api.client.get(url, headers=owner).json())["events"] == 6

    other, other_owner = Shop(api).merchant(neq="3312340009")
    assert api.client.get(url, headers=other_owner).status_code == 404
    assert api.client.get(url).status_code == 401

    tables = api.container.insights.store.dump_tables()  # type: ignore[attr-defined]
    stored = repr(tables)
    subjects = [h["Authorization"] for h in people]
    assert tables["insight_counts"] and "J8X" in stored
    for headers in people:
        token_subject = api.container.tokens.verify(headers["Authorization"][7:]).subject
        assert token_subject not in stored and token_subject.replace("-", "") not in stored
    assert "J8X 1A1" not in stored and "J8X1A1" not in stored and "1A1" not in stored
    assert "127.0.0.1" not in stored and "testclient" not in stored
    assert all(s not in stored for s in subjects)


def test_people_who_give_their_postal_code_midday_are_not_counted_twice(api: Api) -> None:
    """Four people look before they have a profile (region unknown), then register in J8X and
    look again: still four people that day, so the day and the total stay hidden; a fifth
    shows the day with exactly five. (Summing the regions' cells counted eight: a group under
    K shown.)"""
    merchant, owner = Shop(api).merchant()
    url = f"/v1/merchants/{merchant}/insights"
    subjects = [uuid4() for _ in range(5)]
    for subject in subjects[:4]:
        headers = api.auth_as(Role.CONSUMER, subject)
        assert api.client.get(f"/v1/merchants/{merchant}", headers=headers).status_code == 200
    api.client.get(url, headers=owner)  # written with their region unknown
    for subject in subjects[:4]:
        headers = api.auth_as(Role.CONSUMER, subject)
        body = consumer_body(address={"street": "1, rue A", "municipality": "Gatineau",
                                      "postal_code": "J8X 1A1", "region": "07"})
        assert api.client.post("/v1/consumers", headers=headers, json=body).status_code == 201
        assert api.client.get(f"/v1/merchants/{merchant}", headers=headers).status_code == 200
    report = api.client.get(url, headers=owner).json()
    assert report["totals"]["fiche_view"] == {"events": "< 5", "consumers": "< 5"}
    assert [d for d in report["by_day"] if d["kind"] == "fiche_view"] == [
        {"day": TODAY, "kind": "fiche_view", "events": "< 5", "consumers": "< 5"}]

    [fifth] = consumers(api, 1)
    assert api.client.get(f"/v1/merchants/{merchant}", headers=fifth).status_code == 200
    report = api.client.get(url, headers=owner).json()
    assert [d for d in report["by_day"] if d["kind"] == "fiche_view"] == [
        {"day": TODAY, "kind": "fiche_view", "events": 9, "consumers": 5}]
    assert report["totals"]["fiche_view"] == {"events": 9, "consumers": ">= 5"}
    assert fiche_cell_in(report, "J8X") == {"day": TODAY, "kind": "fiche_view",
                                            "region": "J8X", "events": 5, "consumers": 5}


def fiche_cell_in(report: dict, region: str) -> dict:
    return next(c for c in report["cells"] if c["kind"] == "fiche_view"
                and c["region"] == region)


def test_search_terms_show_only_when_five_consumers_used_them(api: Api) -> None:
    shop = Shop(api)
    merchant, owner = shop.merchant(name="Miellerie du Lac")
    api.listing(merchant, owner, publish=True, stock=3, title_fr="Miel de trèfle")
    api.container.projections.catch_up()
    people = consumers(api, 5)
    for headers in people[:4]:
        found = api.client.get("/v1/search/listings", params={"q": "Miel"}, headers=headers)
        assert found.json()["total"] == 1
    url = f"/v1/merchants/{merchant}/insights"
    assert api.client.get(url, headers=owner).json()["top_terms"] == []
    api.client.get("/v1/search/listings", params={"q": "miel"}, headers=people[4])
    assert api.client.get(url, headers=owner).json()["top_terms"] == [
        {"term": "miel", "searches": 5}]


def test_an_outaouais_storefront_never_shows_montreal_and_is_credited_with_its_orders(
    api: Api,
) -> None:
    shop = Shop(api)
    admin = api.auth(Role.ADMIN)
    opened = api.client.post("/v1/storefronts", headers=admin, json={
        "slug": "outaouais", "name_fr": "Achat local Outaouais",
        "name_en": "Buy local Outaouais", "regions": ["07"]})
    assert opened.status_code == 201, opened.text
    assert api.client.post("/v1/storefronts", headers=shop.consumer, json={
        "slug": "xx", "name_fr": "x", "name_en": "x", "regions": ["07"]}).status_code == 403
    gatineau, g_owner = shop.merchant(name="Miellerie de Gatineau")
    montreal, m_owner = shop.merchant(
        name="Miellerie de Montréal", neq="3312340007",
        address={"street": "1, rue Sainte-Catherine", "municipality": "Montréal",
                 "postal_code": "H2X 1Y4", "region": "06"})
    honey = api.listing(gatineau, g_owner, publish=True, stock=5, title_fr="Miel doré")
    api.listing(montreal, m_owner, publish=True, stock=5, title_fr="Miel doré")
    api.container.projections.catch_up()

    everywhere = api.client.get("/v1/search/listings", params={"q": "miel"}).json()
    assert {i["merchant"]["id"] for i in everywhere["items"]} == {gatineau, montreal}
    scoped = api.client.get("/v1/search/listings",
                            params={"q": "miel", "storefront": "outaouais"}).json()
    assert {i["merchant"]["id"] for i in scoped["items"]} == {gatineau}
    assert {i["id"] for i in api.client.get("/v1/search/merchants").json()["items"]} == {
        gatineau, montreal}
    scoped = api.client.get("/v1/search/merchants", params={"storefront": "outaouais"}).json()
    assert {i["id"] for i in scoped["items"]} == {gatineau}
    montreal_asked = api.client.get("/v1/search/listings", params={
        "q": "miel", "storefront": "outaouais", "region": "06"}).json()
    assert montreal_asked["items"] == []
    assert api.client.get("/v1/search/listings", params={
        "storefront": "nulle-part"}).status_code == 404

    cart = api.client.post("/v1/carts", headers=shop.consumer,
                           json={"storefront": "outaouais"}).json()
    assert cart["storefront"] == "outaouais"
    api.client.put(f"/v1/carts/{cart['id']}/lines/{honey}", headers=shop.consumer,
                   json={"quantity": 2})
    order = shop.check_out(cart["id"]).json()
    unknown = api.client.post("/v1/carts", headers=shop.consumer, json={"storefront": "mars"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "storefront_unknown")
    report = api.client.get("/v1/reports/storefronts", headers=admin).json()
    assert report == [{"storefront": "outaouais", "region": "07", "orders": 1,
                       "sales_cents": order["total"]["cents"], "merchants": 1}]
    assert api.client.get("/v1/reports/storefronts", headers=shop.consumer).status_code == 403
    assert [s["slug"] for s in api.client.get("/v1/storefronts").json()] == ["outaouais"]


def cell(report: dict, kind: str) -> dict:
    return next(c for c in report["cells"] if c["kind"] == kind)


def test_insight_counts_what_people_did_not_the_requests_they_sent(api: Api) -> None:
    shop = Shop(api)
    merchant, owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=50, price_cents=5_00)
    for headers in consumers(api, 5):
        cart = api.client.post("/v1/carts", headers=headers).json()["id"]
        line = f"/v1/carts/{cart}/lines/{listing}"
        # 3 in the cart, then 2 (fewer is not an add), then 2 again (nothing new)
        for quantity in (3, 2, 2):
            api.client.put(line, headers=headers, json={"quantity": quantity})
        key = {**headers, "Idempotency-Key": f"commande-{cart}"}
        first = api.client.post(f"/v1/carts/{cart}/checkout", headers=key, json={})
        again = api.client.post(f"/v1/carts/{cart}/checkout", headers=key, json={})
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]
    report = api.client.get(f"/v1/merchants/{merchant}/insights", headers=owner).json()
    assert cell(report, "add_to_cart") == {"day": TODAY, "kind": "add_to_cart", "region": "J8X",
                                           "events": 5, "consumers": 5}
    assert cell(report, "order") == {"day": TODAY, "kind": "order", "region": "J8X",
                                     "events": 5, "consumers": 5}


def test_a_shopper_who_registers_is_counted_in_their_region_from_then_on(api: Api) -> None:
    merchant, owner = Shop(api).merchant()
    people = [api.auth_as(Role.CONSUMER, uuid4()) for _ in range(5)]
    for headers in people:  # a look before registering: no region to count it in
        assert api.client.get(f"/v1/merchants/{merchant}", headers=headers).status_code == 200
    api.container.insights.flush()
    for headers in people:
        body = consumer_body(address={"street": "1, rue A", "municipality": "Gatineau",
                                      "postal_code": "J8Y 2B2", "region": "07"})
        assert api.client.post("/v1/consumers", headers=headers, json=body).status_code == 201
        api.client.get(f"/v1/merchants/{merchant}", headers=headers)
    report = api.client.get(f"/v1/merchants/{merchant}/insights", headers=owner).json()
    regions = {c["region"]: c["events"] for c in report["cells"] if c["kind"] == "fiche_view"}
    assert regions == {"unknown": 5, "J8Y": 5}
