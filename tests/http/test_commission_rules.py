"""Commission rules over HTTP, both backends: only an admin sets them, bad rates change
nothing, orders record the rules they were priced under (to the cent) and keep them after a
change, statements show them, auditors read every change in the log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from application.actors import Role
from projections.payouts_ledger import month_of
from tests.support import Api, Shop

RULES = "/v1/commission-rules"


def put(api: Api, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return api.client.put(f"{RULES}{path}", json=body, headers=headers)


def buy(shop: Shop, cheese: str, beer: str) -> tuple[str, dict[str, Any]]:
    response = shop.check_out(shop.cart({cheese: 2, beer: 1}))
    assert response.status_code == 201, response.text
    [part] = response.json()["merchant_orders"]
    return response.json()["id"], part


def figures(part: dict[str, Any]) -> tuple[int, ...]:
    return tuple(part[k]["cents"] for k in ("subtotal", "gst", "qst", "commission", "total",
                                            "merchant_share"))


def test_orders_keep_the_rules_they_were_placed_under_to_the_cent(api: Api) -> None:
    admin = api.auth(Role.ADMIN)
    shop = Shop(api)
    merchant_id, owner = shop.merchant(name="Fromagerie Boréale")
    cheese = api.listing(merchant_id, owner, publish=True, stock=10, price_cents=12_99,
                         category="fromagerie", tax_class="zero_rated")
    beer = api.listing(merchant_id, owner, publish=True, stock=10, price_cents=4_75,
                       title_fr="Bière blonde", category="boissons", tax_class="taxable")
    # the default at 8 % with a 1.00 minimum, cheese at 6 %
    assert put(api, "/default", {"rate": "0.08", "minimum_cents": 100}, admin).status_code == 200
    set_cheese = put(api, "/categories/fromagerie", {"rate": "0.06"}, admin)
    assert set_cheese.status_code == 200, set_cheese.text
    assert set_cheese.json()["categories"]["fromagerie"] == {
        "rule_id": "category:fromagerie", "version": 3, "rate": "0.06",
        "minimum": {"cents": 0, "currency": "CAD"}}

    # 25.98 × 6 % + 4.75 × 8 % = 1.9388 → 1.94; GST 0.2375 → 0.24, QST 0.4738 → 0.47
    first_id, first = buy(shop, cheese, beer)
    assert figures(first) == (30_73, 24, 47, 1_94, 31_44, 29_50)
    assert [(r["rule_id"], r["version"], r["rate"], r["minimum"]["cents"], r["base"]["cents"])
            for r in first["commission_rules"]] == [
        ("category:fromagerie", 3, "0.06", 0, 25_98), ("default", 2, "0.08", 100, 4_75)]

    # the admin gives this merchant 3 % with a 5.00 minimum, and raises cheese to 10 %
    mine = put(api, f"/merchants/{merchant_id}", {"rate": 0.03, "minimum_cents": 5_00}, admin)
    assert mine.status_code == 200, mine.text
    assert put(api, "/categories/fromagerie", {"rate": "0.1"}, admin).status_code == 200

    # a new order: 30.73 × 3 % = 0.92, below the minimum → 5.00
    _, second = buy(shop, cheese, beer)
    assert figures(second) == (30_73, 24, 47, 5_00, 31_44, 26_44)
    assert [(r["rule_id"], r["version"]) for r in second["commission_rules"]] == [
        (f"merchant:{merchant_id}", 4)]
    # the first order is untouched
    [again] = api.client.get(f"/v1/orders/{first_id}",
                             headers=shop.consumer).json()["merchant_orders"]
    assert (figures(again), again["commission_rules"]) == (figures(first),
                                                           first["commission_rules"])

    # the merchant's statement names the rules of each commission
    api.container.projections.settle()
    month = month_of(datetime.now(UTC))
    statement = api.client.get(f"/v1/merchants/{merchant_id}/payout-statements/{month}",
                               headers=owner).json()
    commissions = [(e["amount_cents"], e["reference"]) for e in statement["lines"]
                   if e["kind"] == "commission"]
    assert commissions == [
        (1_94, "category:fromagerie v3 6 % on 25.98; default v2 8 % on 4.75; minimum 1.00"),
        (5_00, f"merchant:{merchant_id} v4 3 % on 30.73; minimum 5.00")]


def test_an_order_placed_before_a_change_keeps_its_terms(api: Api) -> None:
    admin = api.auth(Role.ADMIN)
    shop = Shop(api)
    merchant_id, owner = shop.merchant()
    cheese = api.listing(merchant_id, owner, publish=True, stock=5, price_cents=20_00)
    placed = shop.check_out(shop.cart({cheese: 1})).json()
    # no rule yet: the platform's setting (8 %), recorded as the default at version 0
    [before] = placed["merchant_orders"]
    assert before["commission"]["cents"] == 1_60
    assert [(r["rule_id"], r["version"]) for r in before["commission_rules"]] == [("default", 0)]
    assert put(api, "/default", {"rate": "0.5", "minimum_cents": 0}, admin).status_code == 200
    [after] = api.client.get(f"/v1/orders/{placed['id']}",
                             headers=shop.consumer).json()["merchant_orders"]
    assert (after["commission"], after["commission_rules"]) == (
        before["commission"], before["commission_rules"])
    # and a refund of it gives back its commission at its own rate, in proportion
    refunded = api.client.post(
        f"/v1/orders/{placed['id']}/merchant-orders/{merchant_id}/refunds", headers=owner,
        json={"amount_cents": before["total"]["cents"], "reason": "Abîmé"})
    assert refunded.status_code == 201, refunded.text
    [part] = refunded.json()["merchant_orders"]
    assert part["refunds"][0]["commission"]["cents"] == 1_60


@pytest.mark.parametrize("role", [Role.VALIDATOR, Role.AUDITOR, Role.CONSUMER, Role.MERCHANT])
def test_only_an_admin_changes_the_rules(api: Api, role: Role) -> None:
    merchant_id = api.apply()
    who = api.auth(role, merchant_id if role == Role.MERCHANT else None)
    before = api.log_length()
    for path in ("/default", "/categories/fromagerie", f"/merchants/{merchant_id}"):
        response = put(api, path, {"rate": "0.01"}, who)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert api.client.delete(f"{RULES}/categories/fromagerie", headers=who).status_code == 403
    assert put(api, "/default", {"rate": "0.01"}, {}).status_code == 401
    assert api.log_length() == before


@pytest.mark.parametrize("body", [
    {"rate": "-0.01"}, {"rate": "1.01"}, {"rate": "NaN"}, {"rate": "Infinity"},
    {"rate": "1e400"}, {"rate": 1e308}, {"rate": "0.123456"}, {"rate": "huit"}, {},
    {"rate": "0.05", "minimum_cents": -1}, {"rate": "0.05", "minimum_cents": 10**12},
    {"rate": "0.05", "minimum_cents": 1.5}, {"rate": "0.05", "extra": 1},
])
def test_bad_rates_are_a_422_problem_and_change_nothing(api: Api, body: dict) -> None:
    admin = api.auth(Role.ADMIN)
    before = api.log_length()
    response = put(api, "/default", body, admin)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["status"] == 422 and problem["errors"]
    assert api.log_length() == before
    assert api.client.get(RULES, headers=admin).json()["version"] == 0


def test_an_unknown_category_or_merchant_is_refused(api: Api) -> None:
    admin = api.auth(Role.ADMIN)
    assert put(api, "/categories/licornes", {"rate": "0.05"}, admin).status_code == 422
    unknown = "00000000-0000-4000-8000-000000000000"
    assert put(api, f"/merchants/{unknown}", {"rate": "0.05"}, admin).status_code == 404
    assert api.client.delete(f"{RULES}/default", headers=admin).status_code in (404, 405)


def test_the_auditor_reads_every_rule_change_in_the_log(api: Api) -> None:
    admin, auditor = api.auth(Role.ADMIN), api.auth(Role.AUDITOR)
    assert put(api, "/default", {"rate": "0.07", "minimum_cents": 50}, admin).status_code == 200
    assert put(api, "/categories/boissons", {"rate": "0.1"}, admin).status_code == 200
    assert api.client.delete(f"{RULES}/categories/boissons", headers=admin).status_code == 200
    events = api.client.get("/v1/audit/events", headers=auditor,
                            params={"aggregate_id": api.client.get(
                                RULES, headers=auditor).json()["id"]}).json()["events"]
    assert [e["topic"] for e in events] == [
        "comptoir.CommissionSchedule.Opened", "comptoir.CommissionSchedule.RuleSet",
        "comptoir.CommissionSchedule.RuleSet", "comptoir.CommissionSchedule.RuleRemoved"]
    first = events[1]["payload"]
    assert (first["rule_id"], first["rate"], first["minimum"]["cents"]) == ("default", "0.07",
                                                                           50)
    assert first["by"]  # the admin's opaque id
    rules = api.client.get(RULES, headers=auditor).json()
    assert (rules["version"], rules["categories"], rules["default"]["rate"]) == (4, {}, "0.07")
