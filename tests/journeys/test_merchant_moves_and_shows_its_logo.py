"""A cheese shop moves from Gatineau to Rimouski: it says so, with its new hours and a logo
photographed on a phone (GPS in the EXIF). Shoppers near Rimouski find it, the shared page
shows it with its logo as the link preview's image, and the logo carries no position. It
then asks for a new NEQ after a reorganisation, which a validator approves. All through a
real `comptoir serve`, on both backends."""

from __future__ import annotations

import io

from PIL import Image

from tests.http.images import has_gps, jpeg_with_gps
from tests.journeys.helpers import GATINEAU, RYW, Marketplace, fresh_neq, ids

RIMOUSKI = {"street": "12, rue Saint-Germain Est", "municipality": "Rimouski",
            "postal_code": "G5L 1A1", "region": "01"}


def test_a_merchant_moves_to_rimouski_with_its_hours_and_logo(market: Marketplace) -> None:
    # A cheese shop of Gatineau sells a cheddar.
    shop = market.approved_merchant("Fromagerie La Meule", GATINEAU, ["fromagerie"])
    cheddar = market.listing(shop, "Cheddar de la Meule", on_hand=5, price_cents=1450,
                             category="fromagerie", description_fr="Vieilli un an")
    near_rimouski = {"lat": 48.449, "lon": -68.523, "radius_km": 30}
    assert ids(market.search_merchants(**near_rimouski)) == set()

    # It uploads its logo, photographed on a phone that wrote where it was.
    photo = jpeg_with_gps((900, 900))
    assert has_gps(photo)
    uploaded = market.http.post(f"/v1/merchants/{shop.id}/images", headers=shop.owner,
                                files={"file": ("logo.jpg", photo, "image/jpeg")})
    assert uploaded.status_code == 201, uploaded.text
    logo = uploaded.json()["id"]

    # It moves to Rimouski, with its hours and the logo, in one change.
    changed = market.http.patch(f"/v1/merchants/{shop.id}/profile", headers=shop.owner, json={
        "address": RIMOUSKI, "logo": logo,
        "hours": {"tuesday": [{"opens": "10:00", "closes": "18:00"}]},
        "description_fr": "Fromages du Bas-Saint-Laurent."})
    assert changed.status_code == 200, changed.text
    slug = changed.json()["slug"]

    # Shoppers near Rimouski find the shop and its cheddar; those near Gatineau no longer do.
    assert ids(market.search_merchants(**near_rimouski)) == {shop.id}
    assert ids(market.search_listings(region="01")) == {cheddar}
    assert ids(market.search_listings(region="07")) == set()

    # The shared page shows it, its hours, and the logo as the link preview's image.
    page = market.http.get(f"/m/{slug}", headers=RYW)
    assert page.status_code == 200
    assert "Rimouski" in page.text and "10 h 00 – 18 h 00" in page.text
    assert f'/images/{logo}/large.webp">' in page.text and 'property="og:image"' in page.text
    served = market.http.get(f"/images/{logo}/large.webp")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert "immutable" in served.headers["cache-control"]
    assert not has_gps(served.content)
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (900, 900) and not image.getexif()

    # After a reorganisation it asks for a new NEQ: nothing changes until a validator agrees.
    new_neq = fresh_neq()
    asked = market.http.post(f"/v1/merchants/{shop.id}/identity-change", headers=shop.owner,
                             json={"neq": new_neq})
    assert asked.status_code == 200, asked.text
    assert asked.json()["neq"] != new_neq
    queue = market.http.get("/v1/identity-changes", headers={**market.validator, **RYW},
                            params={"status": "pending"})
    assert [row["merchant_id"] for row in queue.json()["items"]] == [shop.id]
    approved = market.http.post(f"/v1/merchants/{shop.id}/identity-change/approval",
                                headers=market.validator)
    assert approved.status_code == 200, approved.text
    assert market.http.get(f"/v1/merchants/{shop.id}").json()["neq"] == new_neq
