"""A merchant's whole catalogue from one file, and its point of sale's stock feed by SKU, over
HTTP on both backends: every row and line accounted for, exactly."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import uuid4

from application.actors import Role
from tests.support import Api

FRESH = {"Prefer": "read-your-writes"}
COLUMNS = ("sku", "title_fr", "description_fr", "category", "price_cents", "tax_class",
           "origin", "on_hand", "publish", "variant_label", "listing_ref")


def row(n: int, **overrides: Any) -> dict[str, Any]:
    return {"sku": f"P-{n:04d}", "title_fr": f"Produit {n}", "description_fr": "Fait ici",
            "category": "alimentation", "price_cents": 100 + n, "tax_class": "zero_rated",
            "origin": "produced", "on_hand": n % 7, "publish": "oui", **overrides}


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def catalogue() -> list[dict[str, Any]]:
    """400 rows: 396 listings sold as themselves (4 of them bad), a honey in 4 variants."""
    rows = [row(n) for n in range(396)]
    rows += [row(900 + n, sku=f"MIEL-{g}", title_fr="Miel de trèfle", price_cents=300 + n,
                 variant_label=f"{g} g", listing_ref="MIEL") for n, g in enumerate(
                     (125, 250, 500, 1000))]
    rows[10] = row(10, sku="P-\x00010")  # a NUL in the SKU
    rows[20] = row(20, price_cents="-5", category="armes")  # two reasons
    rows[30] = row(30, title_fr="")  # French title missing
    rows[40] = row(40, on_hand="9999999999")  # beyond the stock limit
    return rows


def import_csv(api: Api, merchant_id: str, owner: dict[str, str], text: str) -> Any:
    response = api.client.post(f"/v1/merchants/{merchant_id}/listings/import",
                               headers={**owner, "Content-Type": "text/csv"}, content=text)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_400_row_catalogue_is_imported_once_with_its_bad_rows_explained(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    rows = catalogue()
    report = import_csv(api, merchant_id, owner, as_csv(rows))
    assert (report["imported"], report["already_imported"], report["conflicting"],
            report["rejected"]) == (396, 0, 0, 4)
    assert len(report["rows"]) == 400
    rejected = {r["line"]: sorted((e["field"], e["code"]) for e in r["errors"])
                for r in report["rows"] if r["outcome"] == "rejected"}
    assert rejected == {  # file lines: the header is line 1
        12: [("sku", "text_control_characters")],
        22: [("category", "literal_error"), ("price_cents", "greater_than")],
        32: [("title_fr", "missing")],
        42: [("on_hand", "less_than_equal")]}
    assert all(e["detail"] for r in report["rows"] for e in r["errors"])  # French messages

    # The honey is one listing sold in four variants, priced from its lowest.
    hits = api.client.get("/v1/search/listings", params={"q": "miel"}, headers=FRESH).json()
    assert [(h["title_fr"], h["price"]["cents"], h["available"]) for h in hits["items"]] == [
        ("Miel de trèfle", 300, sum((900 + n) % 7 for n in range(4)))]
    listing = api.client.get(f"/v1/listings/{hits['items'][0]['id']}", headers=owner).json()
    assert [(v["sku"], v["label"], v["price"]["cents"]) for v in listing["variants"]] == [
        ("MIEL-125", "125 g", 300), ("MIEL-250", "250 g", 301), ("MIEL-500", "500 g", 302),
        ("MIEL-1000", "1000 g", 303)]

    # Sending the good rows again imports nothing: every one is already imported.
    before = api.log_length()
    good = [r for n, r in enumerate(rows) if n not in (10, 20, 30, 40)]
    again = import_csv(api, merchant_id, owner, as_csv(good))
    assert [again[k] for k in ("imported", "already_imported", "conflicting", "rejected")] == [
        0, 396, 0, 0]
    assert api.log_length() == before

    # A row with other values for a SKU already imported conflicts, the fields named.
    changed = import_csv(api, merchant_id, owner, as_csv([
        row(5, price_cents=999, title_fr="Autre nom"), row(6)]))
    assert [(r["outcome"], [e["field"] for e in r["errors"]]) for r in changed["rows"]] == [
        ("conflicting", ["title_fr", "price_cents"]), ("already_imported", [])]
    assert api.log_length() == before


def test_a_stock_feed_of_1000_lines_with_3_unknown_skus_is_reported_exactly(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    rows = [{**row(n), "publish": True, "on_hand": 5} for n in range(997)]
    imported = api.client.post(f"/v1/merchants/{merchant_id}/listings/import", headers=owner,
                               json=rows)
    assert imported.json()["imported"] == 997, imported.text
    lines = [{"sku": f"P-{n:04d}", "on_hand": 5 if n < 100 else 6 + n % 50} for n in range(997)]
    unknown = ["INCONNU-1", "P-9999", "p-0001"]  # SKUs are exact: p-0001 is not P-0001
    for position, sku in zip((0, 500, 999), unknown, strict=True):
        lines.insert(position, {"sku": sku, "on_hand": 3})
    assert len(lines) == 1000

    before = api.log_length()
    response = api.client.post(f"/v1/merchants/{merchant_id}/stock-feed", headers=owner,
                               json=lines)
    assert response.status_code == 200, response.text
    assert response.json() == {"updated": 897, "unchanged": 100, "unknown_skus": unknown,
                               "rejected": []}
    assert api.log_length() == before + 897  # one StockSet per changed listing, one commit
    hits = api.client.get("/v1/search/listings", params={"q": "produit 996"},
                          headers=FRESH).json()["items"]
    assert [(h["title_fr"], h["available"]) for h in hits][:1] == [("Produit 996", 6 + 996 % 50)]

    # The same feed again changes nothing; a CSV feed says the same as JSON.
    text = "sku,on_hand\n" + "".join(f"{line['sku']},{line['on_hand']}\n" for line in lines)
    again = api.client.post(f"/v1/merchants/{merchant_id}/stock-feed",
                            headers={**owner, "Content-Type": "text/csv"}, content=text)
    assert again.json() == {"updated": 0, "unchanged": 997, "unknown_skus": unknown,
                            "rejected": []}
    assert api.log_length() == before + 897


def test_a_feed_line_below_the_reserved_units_is_rejected_and_the_rest_saved(
        api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    imported = api.client.post(f"/v1/merchants/{merchant_id}/listings/import", headers=owner,
                               json=[{**row(1), "publish": True, "on_hand": 4}, row(2)])
    assert [r["outcome"] for r in imported.json()["rows"]] == ["imported", "rejected"]
    assert imported.json()["rows"][1]["errors"][0]["field"] == "publish"  # JSON: a boolean
    api.client.post(f"/v1/merchants/{merchant_id}/listings/import", headers=owner,
                    json=[{**row(2), "publish": False}])
    consumer = api.auth_as(Role.CONSUMER, uuid4())
    listing_id = api.client.get("/v1/search/listings", params={"q": "produit 1"},
                                headers=FRESH).json()["items"][0]["id"]
    api.client.post("/v1/consumers", headers=consumer, json={
        "name": "Marie Tremblay", "email": "marie@courriel.example"})
    cart_id = api.client.post("/v1/carts", headers=consumer).json()["id"]
    api.client.put(f"/v1/carts/{cart_id}/lines/{listing_id}", headers=consumer,
                   json={"quantity": 3})
    assert api.client.post(f"/v1/carts/{cart_id}/checkout", headers=consumer,
                           json={}).status_code == 201
    response = api.client.post(f"/v1/merchants/{merchant_id}/stock-feed", headers=owner, json=[
        {"sku": "P-0001", "on_hand": 2}, {"sku": "P-0002", "on_hand": 8},
        {"sku": "P-0002", "on_hand": 9}])
    assert response.json() == {"updated": 1, "unchanged": 0, "unknown_skus": [], "rejected": [
        {"line": 1, "reasons": [{
            "field": "on_hand", "code": "stock_below_reserved",
            "detail": "Le stock ne peut pas descendre sous les 3 unités réservées."}]},
        {"line": 3, "reasons": [{
            "field": "sku", "code": "sku_repeated",
            "detail": "Ce SKU figure déjà plus haut dans ce lot ; la première ligne compte."}]}]}


def test_a_point_of_sale_feeding_all_day_reads_listings_from_their_snapshots(
        api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    api.client.post(f"/v1/merchants/{merchant_id}/listings/import", headers=owner,
                    json=[{**row(n), "publish": True} for n in range(3)])
    feed = f"/v1/merchants/{merchant_id}/stock-feed"
    for level in range(1, 46):  # past two snapshots (every 20 events) of each listing
        response = api.client.post(feed, headers=owner, json=[
            {"sku": f"P-{n:04d}", "on_hand": level + n} for n in range(3)])
        assert response.json()["updated"] == 3, (level, response.text)
    stock = [api.client.get(f"/v1/listings/{hit['id']}", headers=owner).json()["stock"]
             for hit in api.client.get("/v1/search/listings", params={"q": "produit"},
                                       headers=FRESH).json()["items"]]
    assert sorted(s["on_hand"] for s in stock) == [45, 46, 47]


def test_a_sku_moved_to_another_listing_between_two_feeds_feeds_the_new_one(
        api: Api) -> None:
    """The point of sale relabels: the SKU fed a moment ago now belongs to another product.
    The next feed sets the new product's stock, not the old one's, in every API process (each
    remembers where it last found a SKU, and checks)."""
    merchant_id, owner = api.approved_merchant()
    api.client.post(f"/v1/merchants/{merchant_id}/listings/import", headers=owner,
                    json=[{**row(n), "publish": True} for n in (1, 2)])
    feed = f"/v1/merchants/{merchant_id}/stock-feed"
    ids = {hit["title_fr"]: hit["id"] for hit in api.client.get(
        "/v1/search/listings", params={"q": "produit"}, headers=FRESH).json()["items"]}
    first, second = ids["Produit 1"], ids["Produit 2"]
    assert api.client.post(feed, headers=owner, json=[
        {"sku": "P-0001", "on_hand": 11}, {"sku": "P-0002", "on_hand": 12}]).json()[
        "updated"] == 2

    def revise(listing_id: str, sku: str) -> None:
        response = api.client.patch(f"/v1/listings/{listing_id}", headers=owner,
                                    json={"sku": sku})
        assert response.status_code == 200, response.text

    revise(first, "P-0001-ANCIEN")  # the first product gives its SKU up...
    revise(second, "P-0001")  # ...and the second takes it
    report = api.client.post(feed, headers=owner, json=[
        {"sku": "P-0001", "on_hand": 21}, {"sku": "P-0002", "on_hand": 22},
        {"sku": "P-0001-ANCIEN", "on_hand": 31}]).json()
    assert report == {"updated": 2, "unchanged": 0, "unknown_skus": ["P-0002"],
                      "rejected": []}
    stock = {listing_id: api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()[
        "stock"]["on_hand"] for listing_id in (first, second)}
    assert stock == {first: 31, second: 21}
