"""Images end to end over HTTP, both backends (docs/merchants.md): upload, refusal of what is
not a JPEG, PNG or WebP or is too big, metadata gone, serving with cache headers, a logo as
the page's og:image, a listing's ordered photos, and other tenants kept out."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from PIL import Image

from application.actors import Role
from tests.http.images import SVG, TRAILER, has_gps, jpeg_with_gps, png, png_claiming
from tests.support import Api, unique_neq

FRESH = {"Prefer": "read-your-writes"}
IMMUTABLE = "public, max-age=31536000, immutable"


def upload(api: Api, merchant_id: str, headers: dict[str, str], data: bytes,
           name: str = "photo.jpg", content_type: str = "image/jpeg") -> Any:
    return api.client.post(f"/v1/merchants/{merchant_id}/images", headers=headers,
                           files={"file": (name, data, content_type)})


def uploaded(api: Api, merchant_id: str, headers: dict[str, str], data: bytes) -> str:
    response = upload(api, merchant_id, headers, data)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def stored_files(api: Api) -> list[Path]:
    root = api.container.settings.data_dir / "images"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_an_upload_is_reencoded_without_metadata_and_served_for_a_year(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    original = jpeg_with_gps((1200, 800))
    assert has_gps(original)  # the test's photo does carry a position
    response = upload(api, merchant_id, owner, original)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", body["id"])
    assert (body["width"], body["height"], body["source_format"]) == (1200, 800, "JPEG")
    assert response.headers["location"] == body["urls"]["large"]
    for size, longest in (("small", 320), ("medium", 800), ("large", 1600)):
        served = api.client.get(body["urls"][size])
        assert served.status_code == 200, served.text
        assert served.headers["content-type"] == "image/webp"
        assert served.headers["cache-control"] == IMMUTABLE
        assert served.headers["etag"] == f'"{body["id"]}-{size}"'
        assert served.headers["x-content-type-options"] == "nosniff"
        # Read back with Pillow: a WebP of the right size, no EXIF, no GPS, nothing after.
        with Image.open(io.BytesIO(served.content)) as image:
            assert image.format == "WEBP"
            assert max(image.size) == min(longest, 1200)
            assert not image.getexif()
            assert not image.getexif().get_ifd(0x8825)
            assert not {"exif", "xmp", "icc_profile"} & set(image.info)
        assert not has_gps(served.content)
        assert TRAILER not in served.content and b"Appareil photo" not in served.content
    # A cache revalidating gets a 304; HEAD answers the headers only.
    again = api.client.get(body["urls"]["small"], headers={"If-None-Match": served_etag(body)})
    assert again.status_code == 304 and again.content == b""
    head = api.client.head(body["urls"]["small"])
    assert head.status_code == 200 and head.headers["cache-control"] == IMMUTABLE
    # The same file again is the same image: content addressed.
    assert upload(api, merchant_id, owner, original).json()["id"] == body["id"]


def served_etag(body: dict[str, Any]) -> str:
    return f'"{body["id"]}-small"'


def test_the_camera_orientation_is_applied_then_dropped(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    body = upload(api, merchant_id, owner, jpeg_with_gps((400, 200), orientation=6)).json()
    assert (body["width"], body["height"]) == (200, 400)  # turned as the camera was held
    served = api.client.get(body["urls"]["large"]).content
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (200, 400) and not image.getexif()


@pytest.mark.parametrize(("name", "data", "content_type", "status", "code"), [
    ("photo.jpg", b"Ceci n'est pas une image.\n" * 20, "image/jpeg", 415,
     "image_type_unsupported"),
    ("logo.svg", SVG, "image/svg+xml", 415, "image_type_unsupported"),
    ("logo.jpg", SVG, "image/jpeg", 415, "image_type_unsupported"),
    ("anim.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01"
     b"\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "image/gif",
     415, "image_type_unsupported"),
    ("cut.jpg", jpeg_with_gps()[:600], "image/jpeg", 422, "image_unreadable"),
    ("bomb.png", png_claiming(100_000, 100_000), "image/png", 422, "image_too_many_pixels"),
    ("big.png", png_claiming(8000, 6000), "image/png", 422, "image_too_many_pixels"),
    ("dot.png", png((4, 4)), "image/png", 422, "image_too_small"),
])
def test_what_is_not_an_accepted_image_is_refused_and_nothing_is_stored(
        api: Api, name: str, data: bytes, content_type: str, status: int, code: str) -> None:
    merchant_id, owner = api.approved_merchant()
    before = api.log_length()
    response = upload(api, merchant_id, owner, data, name, content_type)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert response.headers["content-language"] == "fr"
    assert stored_files(api) == []
    assert api.log_length() == before


def test_too_many_bytes_are_refused_with_413(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    limit = api.container.settings.image_max_bytes
    # Past the limit but within the multipart allowance: the service says how much is allowed.
    just_over = upload(api, merchant_id, owner, b"\xff\xd8" + b"\x00" * (limit + 10))
    assert just_over.status_code == 413, just_over.text
    assert just_over.json()["code"] == "image_too_large"
    # Far past it: the body guard refuses before anything is parsed.
    far_over = upload(api, merchant_id, owner, b"\x00" * (limit + 200_000))
    assert far_over.status_code == 413
    assert far_over.headers["content-type"].startswith("application/problem+json")
    # Other routes keep the ordinary body limit.
    big_json = api.client.patch(f"/v1/merchants/{merchant_id}/profile", headers={
        **owner, "Content-Type": "application/json"},
        content=b'{"description_fr": "' + b"a" * 2_000_000 + b'"}')
    assert big_json.status_code == 413
    assert stored_files(api) == []


def test_a_file_is_required(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    response = api.client.post(f"/v1/merchants/{merchant_id}/images", headers=owner,
                               data={"other": "x"})
    assert response.status_code == 422
    assert "file" in [e["field"] for e in response.json()["errors"]]


def test_a_logo_becomes_the_pages_og_image(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    logo = uploaded(api, merchant_id, owner, png())
    changed = api.client.patch(f"/v1/merchants/{merchant_id}/profile", headers=owner,
                               json={"logo": logo})
    assert changed.status_code == 200, changed.text
    assert changed.json()["logo"]["urls"]["large"] == f"/images/{logo}/large.webp"
    fiche = api.client.get(f"/v1/merchants/{merchant_id}").json()
    assert fiche["logo"]["id"] == logo
    page = api.client.get(f"/m/{fiche['slug']}", headers=FRESH)
    assert page.status_code == 200
    base = api.container.settings.public_base_url.rstrip("/")
    assert f'<meta property="og:image" content="{base}/images/{logo}/large.webp">' in page.text
    assert f'<img class="logo" src="/images/{logo}/small.webp"' in page.text
    assert "img-src 'self'" in page.headers["content-security-policy"]
    assert api.client.get(f"/images/{logo}/large.webp").status_code == 200
    # Removing the logo removes the tag.
    api.client.patch(f"/v1/merchants/{merchant_id}/profile", headers=owner, json={"logo": None})
    assert "og:image" not in api.client.get(f"/m/{fiche['slug']}").text


def test_a_listing_shows_its_photos_in_the_order_given(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner)
    first = uploaded(api, merchant_id, owner, png((300, 300)))
    second = uploaded(api, merchant_id, owner, jpeg_with_gps((640, 480)))
    url = f"/v1/listings/{listing_id}/photos"
    response = api.client.put(url, headers=owner, json={"photos": [second, first]})
    assert response.status_code == 200, response.text
    assert [p["id"] for p in response.json()["photos"]] == [second, first]
    response = api.client.put(url, headers=owner, json={"photos": [first, second]})
    assert [p["id"] for p in response.json()["photos"]] == [first, second]
    shown = api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()["photos"]
    assert [(p["id"], p["urls"]["medium"]) for p in shown] == [
        (first, f"/images/{first}/medium.webp"), (second, f"/images/{second}/medium.webp")]
    before = api.log_length()
    for photos, field in (([first, "0" * 32], "photos.1"), ([first, first], "photos"),
                          (["../../x"], "photos.0"), ([first] * 11, "photos")):
        refused = api.client.put(url, headers=owner, json={"photos": photos})
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]], refused.json()
    assert api.log_length() == before
    assert api.client.put(url, headers=owner, json={"photos": []}).json()["photos"] == []


def test_another_merchant_cannot_touch_a_merchants_images(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, publish=True, stock=1)
    photo = uploaded(api, merchant_id, owner, png())
    assert api.client.put(f"/v1/listings/{listing_id}/photos", headers=owner,
                          json={"photos": [photo]}).status_code == 200
    other_id, other = api.approved_merchant(neq=unique_neq())
    theirs = uploaded(api, other_id, other, png((200, 300)))
    files_before, log_before = stored_files(api), api.log_length()
    for headers, status in ((other, 404), (api.auth_as(Role.CONSUMER, uuid4()), 404),
                            (api.validator, 403), ({}, 401)):
        assert upload(api, merchant_id, headers, png((500, 500))).status_code == status
        changed = api.client.put(f"/v1/listings/{listing_id}/photos", headers=headers,
                                 json={"photos": [theirs]})
        assert changed.status_code == status, changed.text
        logo = api.client.patch(f"/v1/merchants/{merchant_id}/profile", headers=headers,
                                json={"logo": theirs})
        assert logo.status_code == status, logo.text
    assert stored_files(api) == files_before
    assert api.log_length() == log_before


@pytest.mark.parametrize("path", [
    f"/images/{'0' * 32}/large.webp", "/images/not-an-id/large.webp",
    f"/images/{'0' * 32}/huge.webp", "/images/..%2F..%2Fsecrets/large.webp",
])
def test_an_unknown_image_is_a_404_problem(api: Api, path: str) -> None:
    response = api.client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_search_shows_a_listings_first_photo_and_follows_its_changes(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, publish=True, stock=2, title_fr="Tomme fleurie")
    first = uploaded(api, merchant_id, owner, png((300, 300)))
    second = uploaded(api, merchant_id, owner, png((400, 300)))

    def shown() -> object:
        hits = api.client.get("/v1/search/listings", params={"q": "tomme"},
                              headers={"Prefer": "read-your-writes"}).json()["items"]
        assert [h["id"] for h in hits] == [listing_id]
        return hits[0]["photo"]

    assert shown() is None
    url = f"/v1/listings/{listing_id}/photos"
    api.client.put(url, headers=owner, json={"photos": [second, first]})
    assert shown() == {"id": second, "urls": {
        size: f"/images/{second}/{size}.webp" for size in ("small", "medium", "large")}}
    page = api.client.get("/", params={"q": "tomme"}).text
    assert f'<img class="card-photo" src="/images/{second}/small.webp"' in page
    slug = api.client.get(f"/v1/merchants/{merchant_id}").json()["slug"]
    fiche = api.client.get(f"/m/{slug}").text  # the merchant's page, from the same rows
    assert f'<img class="card-photo" src="/images/{second}/small.webp"' in fiche
    api.client.put(url, headers=owner, json={"photos": [first]})
    assert shown()["id"] == first  # type: ignore[index]
    api.client.put(url, headers=owner, json={"photos": []})
    assert shown() is None
