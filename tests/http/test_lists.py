"""The paged lists over HTTP, on both backends (docs/lists.md): the validators' queue, a
merchant's inbox and catalogue, a shopper's orders, a merchant's payouts. Each is paged with
keyset cursors (no duplicates, no gaps, stable when a row arrives mid-paging), filtered, and
read with `Prefer: read-your-writes` so that it shows what was just written."""

from __future__ import annotations

from typing import Any

from api.replay import replay
from application.actors import Role
from tests.support import Api, Shop

FRESH = {"Prefer": "read-your-writes"}


def page(api: Api, path: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = api.client.get(path, headers={**headers, **FRESH}, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def every_page(api: Api, path: str, headers: dict[str, str], **params: Any
               ) -> list[dict[str, Any]]:
    """Each page of a list, following `next` to the end."""
    pages = [page(api, path, headers, **params)]
    while pages[-1]["next"] is not None:
        pages.append(page(api, path, headers, **{**params, "cursor": pages[-1]["next"]}))
    return pages


def ids(pages: list[dict[str, Any]], key: str = "id") -> list[str]:
    return [item[key] for p in pages for item in p["items"]]


def test_the_validators_queue_pages_oldest_first_with_what_the_rules_found(api: Api) -> None:
    # An approved merchant, then seven applications waiting for review, one a month apart
    # in spirit: the queue is oldest first.
    approved, _ = api.approved_merchant(name="Déjà Approuvé")
    waiting = [api.apply(name=f"Commerce {n}") for n in range(7)]

    # Three pages of 3, 3 and 1; meanwhile an eighth application arrives and joins the end.
    first = page(api, "/v1/merchants", api.validator, status="under_review", limit=3)
    assert (ids([first]), first["total"]) == (waiting[:3], 7)
    late = api.apply(name="Commerce tardif", neq="3312345670",
                     tax={"small_supplier": True}, fulfilment={"shipping_fee_cents": 900})
    second = page(api, "/v1/merchants", api.validator, status="under_review", limit=3,
                  cursor=first["next"])
    third = page(api, "/v1/merchants", api.validator, status="under_review", limit=3,
                 cursor=second["next"])
    assert ids([second]) == waiting[3:6]
    assert (ids([third]), third["next"], third["total"]) == ([waiting[6], late], None, 8)

    # Each says what the eligibility rules found; the NEQ is for the validator to confirm.
    head = first["items"][0]
    assert (head["name"], head["status"], head["region"], head["municipality"],
            head["categories"]) == ("Commerce 0", "under_review", "07", "Gatineau",
                                    ["fromagerie"])
    assert head["applied_at"] == head["status_at"]
    assert head["eligibility"] == [
        {"rule": "quebec_address", "outcome": "met", "code": "quebec_address",
         "params": {"region": "07", "region_name": "Outaouais", "municipality": "Gatineau",
                    "postal_area": "J8X"}},
        {"rule": "location", "outcome": "met", "code": "location_in_quebec", "params": {}},
        {"rule": "neq", "outcome": "to_confirm", "code": "neq_registration_to_confirm",
         "params": {"kind": "sole_proprietorship"}},
        {"rule": "categories", "outcome": "met", "code": "categories", "params": {"count": 1}},
        {"rule": "taxes", "outcome": "met", "code": "tax_registered", "params": {}},
        {"rule": "fulfilment", "outcome": "met", "code": "fulfilment",
         "params": {"methods": ["pickup", "delivery"]}},
    ]
    tail = {f["rule"]: f for f in third["items"][1]["eligibility"]}
    assert tail["neq"]["params"] == {"kind": "legal_person"}
    assert (tail["taxes"]["code"], tail["taxes"]["params"]) == (
        "small_supplier", {"platform_remits": True})
    assert tail["fulfilment"]["params"] == {"methods": ["pickup", "shipping"]}

    # Filters: several statuses at once, a region; no filter lists every merchant.
    api.client.post(f"/v1/merchants/{waiting[0]}/rejection", headers=api.validator,
                    json={"reason": "NEQ introuvable au registre"})
    decided = page(api, "/v1/merchants", api.validator, status=["approved", "rejected"])
    assert [(i["id"], i["status"]) for i in decided["items"]] == [
        (approved, "approved"), (waiting[0], "rejected")]
    assert decided["items"][1]["status_at"] > decided["items"][1]["applied_at"]
    montreal = api.apply(name="Librairie du Plateau", address={
        "street": "1, rue Rachel", "municipality": "Montréal", "postal_code": "H2J 2H9",
        "region": "06"})
    in_06 = page(api, "/v1/merchants", {**api.auth(Role.ADMIN)}, region="06")
    assert (ids([in_06]), in_06["total"]) == ([montreal], 1)
    everyone = every_page(api, "/v1/merchants", api.validator, limit=200)
    assert ids(everyone) == [approved, *waiting, late, montreal]
    newest = page(api, "/v1/merchants", api.validator, order="newest", limit=2)
    assert ids([newest]) == [montreal, late]


def test_a_merchant_inbox_lists_its_own_parts_only_by_status_and_date(api: Api) -> None:
    shop = Shop(api)
    a, a_owner = shop.merchant(name="Fromagerie A")
    b, b_owner = shop.merchant(name="Boulangerie B")
    cheese = api.listing(a, a_owner, publish=True, stock=100, price_cents=12_99)
    bread = api.listing(b, b_owner, publish=True, stock=100, price_cents=4_50,
                        tax_class="taxable", category="boulangerie")
    # Seven orders, each with A's cheese; the odd ones with B's bread too.
    orders = [shop.check_out(shop.cart({cheese: n + 1, **({bread: 1} if n % 2 else {})})).json()
              for n in range(7)]
    part_of = {o["id"]: next(m for m in o["merchant_orders"] if m["merchant_id"] == a)
               for o in orders}

    # Newest first, pages of 3; an order placed mid-paging lands before the first page.
    inbox = f"/v1/merchants/{a}/orders"
    first = page(api, inbox, a_owner, limit=3)
    newer = shop.check_out(shop.cart({cheese: 1})).json()
    rest = every_page(api, inbox, a_owner, limit=3, cursor=first["next"])
    pages = [first, *rest]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert ids(pages, "order_id") == [o["id"] for o in reversed(orders)]
    assert (first["total"], rest[-1]["total"]) == (7, 8)
    assert ids([page(api, inbox, a_owner, limit=1)], "order_id") == [newer["id"]]

    # Exact figures, A's own part only, never B's lines.
    for item in (i for p in pages for i in p["items"]):
        mine = part_of[item["order_id"]]
        assert (item["merchant_id"], item["merchant_name"], item["status"],
                item["payment_status"], item["fulfilment"], item["total"]["cents"],
                item["merchant_share"]["cents"], item["refunded"]["cents"]) == (
            a, "Fromagerie A", "placed", "captured", "pickup", mine["total"]["cents"],
            mine["merchant_share"]["cents"], 0)
    oldest = pages[-1]["items"][0]
    assert (oldest["units"], oldest["total"]["cents"]) == (1, 12_99)
    b_inbox = page(api, f"/v1/merchants/{b}/orders", b_owner)
    assert ids([b_inbox], "order_id") == [orders[n]["id"] for n in (5, 3, 1)]
    assert {i["merchant_id"] for i in b_inbox["items"]} == {b}

    # A answers: accepts two, fulfils one of them, declines a third.
    def act(order: dict[str, Any], action: str, **body: Any) -> None:
        response = api.client.post(f"/v1/orders/{order['id']}/merchant-orders/{a}/{action}",
                                   headers=a_owner, json=body or None)
        assert response.status_code == 200, response.text

    act(orders[0], "acceptance")
    act(orders[1], "acceptance")
    act(orders[1], "fulfilment")
    act(orders[2], "decline", reason="Rupture de stock")
    by_status = {status: ids([page(api, inbox, a_owner, status=status)], "order_id")
                 for status in ("placed", "accepted", "fulfilled", "declined", "cancelled")}
    assert by_status == {
        "placed": [newer["id"], *(o["id"] for o in reversed(orders[3:]))],
        "accepted": [orders[0]["id"]], "fulfilled": [orders[1]["id"]],
        "declined": [orders[2]["id"]], "cancelled": []}
    declined = page(api, inbox, a_owner, status="declined")["items"][0]
    assert declined["refunded"] == declined["total"]
    both = page(api, inbox, a_owner, status=["accepted", "fulfilled"], order="oldest")
    assert ids([both], "order_id") == [orders[0]["id"], orders[1]["id"]]

    # By date: placed_after is inclusive, placed_before exclusive.
    cut = next(i["placed_at"] for i in pages[1]["items"] if i["order_id"] == orders[3]["id"])
    after = page(api, inbox, a_owner, placed_after=cut, status="placed")
    before = page(api, inbox, a_owner, placed_before=cut)
    assert ids([after], "order_id") == [newer["id"], *(o["id"] for o in reversed(orders[3:]))]
    assert ids([before], "order_id") == [o["id"] for o in reversed(orders[:3])]
    assert page(api, inbox, a_owner, placed_after="2000-01-01",
                placed_before="2000-01-02")["items"] == []


def test_a_shopper_lists_its_own_orders_newest_first(api: Api) -> None:
    shop = Shop(api)
    m, owner = shop.merchant(name="Épicerie Fine")
    jam = api.listing(m, owner, publish=True, stock=100, price_cents=7_25, title_fr="Confiture")
    orders = [shop.check_out(shop.cart({jam: n + 1})).json() for n in range(7)]
    failed = shop.check_out(shop.cart({jam: 1}), payment_method="pm_card_chargeDeclined").json()
    someone_else = Shop(api)
    someone_else.check_out(someone_else.cart({jam: 1}))

    mine = f"/v1/consumers/{shop.consumer_id}/orders"
    pages = every_page(api, mine, shop.consumer, limit=3)
    assert [len(p["items"]) for p in pages] == [3, 3, 2]
    assert ids(pages) == [failed["id"], *(o["id"] for o in reversed(orders))]
    assert {p["total"] for p in pages} == {8}
    first = pages[-1]["items"][-1]
    assert (first["status"], first["payment_status"], first["total"]["cents"],
            first["storefront"]) == ("confirmed", "captured", orders[0]["total"]["cents"], None)
    assert first["merchant_orders"] == [{
        "merchant_id": m, "merchant_name": "Épicerie Fine", "status": "placed",
        "fulfilment": "pickup", "units": 1, "total": orders[0]["total"],
        "refunded": {"cents": 0, "currency": "CAD"}}]
    assert (pages[0]["items"][0]["status"], pages[0]["items"][0]["payment_status"],
            pages[0]["items"][0]["merchant_orders"][0]["status"]) == (
        "failed", "failed", "cancelled")

    # A partial refund shows on the order and its part; completed orders filter out.
    part = f"/v1/orders/{orders[2]['id']}/merchant-orders/{m}"
    assert api.client.post(f"{part}/refunds", headers=owner, json={
        "amount_cents": 2_00, "reason": "Pot fêlé"}).status_code == 201
    assert api.client.post(f"{part}/acceptance", headers=owner).status_code == 200
    assert api.client.post(f"{part}/fulfilment", headers=owner).status_code == 200
    done = page(api, mine, shop.consumer, status="completed")
    [completed] = done["items"]
    assert (completed["id"], completed["refunded"]["cents"],
            completed["merchant_orders"][0]["refunded"]["cents"],
            completed["merchant_orders"][0]["status"]) == (orders[2]["id"], 2_00, 2_00,
                                                           "fulfilled")
    paid = page(api, mine, shop.consumer, payment_status="captured", status="confirmed")
    assert paid["total"] == 6

    # Another shopper's orders are not found; an admin may read them.
    assert api.client.get(mine, headers=someone_else.consumer).status_code == 404
    assert page(api, mine, api.auth(Role.ADMIN))["total"] == 8


def test_a_merchants_catalogue_lists_every_status_with_stock(api: Api) -> None:
    shop = Shop(api)
    m, owner = shop.merchant()
    made = [api.listing(m, owner, publish=n >= 3, stock=10 + n, title_fr=f"Produit {n}",
                        price_cents=1_00 * (n + 1)) for n in range(7)]
    assert api.client.post(f"/v1/listings/{made[6]}/withdrawal",
                           headers=owner).status_code == 200
    shop.check_out(shop.cart({made[4]: 3}))
    assert api.client.patch(f"/v1/listings/{made[5]}", headers=owner, json={
        "title_fr": "Produit cinq", "price_cents": 55_55}).status_code == 200

    catalogue = f"/v1/merchants/{m}/listings"
    pages = every_page(api, catalogue, owner, limit=3)
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert ids(pages) == list(reversed(made))
    rows = {i["id"]: i for p in pages for i in p["items"]}
    assert [(rows[x]["status"], rows[x]["title_fr"], rows[x]["price"]["cents"],
             rows[x]["stock"]) for x in made[3:]] == [
        ("published", "Produit 3", 4_00, {"available": 13, "on_hand": 13, "reserved": 0}),
        ("published", "Produit 4", 5_00, {"available": 11, "on_hand": 14, "reserved": 3}),
        ("published", "Produit cinq", 55_55,
         {"available": 15, "on_hand": 15, "reserved": 0}),
        ("withdrawn", "Produit 6", 7_00, {"available": 16, "on_hand": 16, "reserved": 0})]
    drafts = page(api, catalogue, owner, status="draft", order="oldest")
    assert (ids([drafts]), drafts["total"]) == (made[:3], 3)
    on_sale = page(api, catalogue, owner, status=["published", "withdrawn"])
    assert on_sale["total"] == 4

    # Drafts are the owner's and staff's to see: to anyone else the catalogue is not found.
    _, other = shop.merchant()
    assert api.client.get(catalogue, headers=other).status_code == 404
    assert api.client.get(catalogue, headers=shop.consumer).status_code == 404
    assert page(api, catalogue, api.validator)["total"] == 7


def test_payouts_page_by_status_with_the_totals_of_what_matches(api: Api) -> None:
    shop = Shop(api)
    m, owner = shop.merchant()
    listing = api.listing(m, owner, publish=True, stock=100, price_cents=10_00)
    orders = [shop.check_out(shop.cart({listing: n + 1})).json() for n in range(7)]
    for order in orders[:2]:  # fulfilled: released, then held (no payout account yet)
        for action in ("acceptance", "fulfilment"):
            assert api.client.post(f"/v1/orders/{order['id']}/merchant-orders/{m}/{action}",
                                   headers=owner).status_code == 200
    api.container.projections.settle()

    payouts = f"/v1/merchants/{m}/payouts"
    pages = every_page(api, payouts, owner, limit=3)
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert ids(pages, "order_id") == [o["id"] for o in orders]  # oldest first
    shares = [o["merchant_orders"][0]["merchant_share"]["cents"] for o in orders]
    assert [i["share_cents"] for p in pages for i in p["items"]] == shares
    assert {(p["total"], p["totals"]["share_cents"]) for p in pages} == {(7, sum(shares))}
    held = page(api, payouts, owner, status="held")
    assert [(i["order_id"], i["status"]) for i in held["items"]] == [
        (orders[0]["id"], "held"), (orders[1]["id"], "held")]
    assert (held["total"], held["totals"]["share_cents"]) == (2, shares[0] + shares[1])
    waiting = page(api, payouts, owner, status="waiting", order="newest", limit=2)
    assert (ids([waiting], "order_id"), waiting["total"]) == (
        [orders[6]["id"], orders[5]["id"]], 5)


def test_a_bad_cursor_or_filter_is_a_422_problem_in_french_by_default(api: Api) -> None:
    merchant, owner = api.approved_merchant()
    for n in range(3):
        api.listing(merchant, owner, title_fr=f"Article {n}")
    catalogue = f"/v1/merchants/{merchant}/listings"
    cursor = page(api, catalogue, owner, limit=1)["next"]
    assert cursor is not None

    def problem(headers: dict[str, str], **params: Any) -> dict[str, Any]:
        response = api.client.get(catalogue, headers={**owner, **headers}, params=params)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        return response.json()

    garbage = problem({}, cursor="pas-un-curseur")
    assert (garbage["code"], garbage["errors"][0]["field"], garbage["errors"][0]["code"]) == (
        "validation_failed", "query.cursor", "cursor_invalid")
    assert garbage["errors"][0]["detail"].startswith("Curseur invalide")
    english = problem({"Accept-Language": "en"}, cursor=cursor + "x")
    assert english["errors"][0]["detail"].startswith("Invalid cursor")
    # A cursor is its list's and its filters': brought elsewhere, it is refused.
    assert problem({}, cursor=cursor, status="draft")["errors"][0]["code"] == "cursor_invalid"
    assert problem({}, cursor=cursor, order="oldest")["errors"][0]["code"] == "cursor_invalid"
    elsewhere = api.client.get(f"/v1/merchants/{merchant}/orders", headers=owner,
                               params={"cursor": cursor})
    assert (elsewhere.status_code, elsewhere.json()["errors"][0]["code"]) == (
        422, "cursor_invalid")
    # Unknown states, limits out of range and unknown parameters are refused too.
    assert [e["code"] for e in problem({}, status="vendu")["errors"]] == ["enum"]
    assert problem({}, limit=0)["errors"][0]["field"] == "query.limit"
    assert problem({}, limit=201)["errors"][0]["code"] == "less_than_equal"
    assert problem({}, statut="draft")["errors"][0]["code"] == "extra_forbidden"
    bad_date = api.client.get(f"/v1/merchants/{merchant}/orders", headers=owner,
                              params={"placed_after": "hier"})
    assert (bad_date.status_code, bad_date.json()["errors"][0]["field"]) == (
        422, "query.placed_after")
    wrong = api.client.get(f"/v1/merchants/{merchant}/payouts", headers=owner,
                           params={"status": "paid"})
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "query.status.0")


def test_erasing_a_shopper_leaves_every_list_whole(api: Api) -> None:
    shop = Shop(api)
    m, owner = shop.merchant()
    listing = api.listing(m, owner, publish=True, stock=10)
    order = shop.check_out(shop.cart({listing: 2})).json()
    inbox, mine = f"/v1/merchants/{m}/orders", f"/v1/consumers/{shop.consumer_id}/orders"
    before = (page(api, inbox, owner), page(api, mine, shop.consumer))

    erased = api.client.post(f"/v1/privacy/subjects/{shop.consumer_id}/erasure",
                             headers=shop.consumer)
    assert erased.status_code == 200, erased.text
    assert (page(api, inbox, owner), page(api, mine, shop.consumer)) == before
    assert ids([before[0]], "order_id") == [order["id"]]

    # Rebuilt from the log, where the shopper's data can no longer be read: the same rows.
    assert replay(api.container)["lists"] == []
    assert api.container.projections.failures()["lists"] == []
