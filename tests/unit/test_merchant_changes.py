"""Profile changes, identity changes and images, in memory: the domain's rules, the events'
round trip through the store (a reloaded merchant equals the one saved), and the Pillow
codec's refusals."""

from __future__ import annotations

import io
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from PIL import Image

from adapters.image_stores import FileImageStore
from adapters.pillow_images import PillowImageCodec
from application.actors import Actor, Role
from application.app import Comptoir
from application.errors import ConflictError, NotFoundError
from application.images import IMAGE_SIZES, ImageRejectedError, Images, ImageTypeUnsupportedError
from application.merchant_profiles import MerchantProfiles
from application.merchants import Merchants
from domain.errors import IllegalTransitionError, InvalidValueError, ValidationFailedError
from domain.merchant import Merchant
from domain.merchant_changes import OpeningHours, parse_website
from tests.http.images import jpeg_with_gps, png_claiming
from tests.unit.test_merchant import form

VALIDATOR = Actor(Role.VALIDATOR, str(uuid4()))


@pytest.fixture
def applied(memory_app: Comptoir) -> tuple[UUID, Actor]:
    view = Merchants(memory_app).apply(form())
    return view.id, Actor(Role.MERCHANT, str(uuid4()), view.id)


def test_hours_are_kept_in_day_order_and_overlaps_refused() -> None:
    hours = OpeningHours.parse({"friday": [{"opens": "13:00", "closes": "24:00"},
                                           {"opens": "08:00", "closes": "12:00"}],
                                "monday": [{"opens": "09:00", "closes": "17:00"}]})
    assert hours.periods == ("monday 09:00-17:00", "friday 08:00-12:00", "friday 13:00-24:00")
    assert hours.by_day()["friday"] == [("08:00", "12:00"), ("13:00", "24:00")]
    with pytest.raises(ValidationFailedError) as refused:
        OpeningHours.parse({"funday": [], "monday": [{"opens": "09:00", "closes": "10:00"},
                                                     {"opens": "09:30", "closes": "11:00"}]})
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("funday", "day_unknown"), ("monday", "hours_overlap")}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "jAvAsCrIpT:alert(1)",
                                 "data:text/html;base64,PHNjcmlwdD4=", "ftp://exemple.ca",
                                 "https://a@b.example", "https:/\x00/x", "//exemple.ca",
                                 "https://" + "a" * 300 + ".ca"])
def test_a_website_is_an_http_address(url: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_website(url)
    assert parse_website(" https://exemple.ca/boutique ") == "https://exemple.ca/boutique"


def test_a_profile_change_survives_a_reload(memory_app: Comptoir,
                                            applied: tuple[UUID, Actor]) -> None:
    merchant_id, owner = applied
    MerchantProfiles(memory_app).change_profile(owner, merchant_id, {
        "hours": {"sunday": [{"opens": "10:00", "closes": "14:00"}]},
        "address": {"street": "1, rue du Quai", "municipality": "Rimouski",
                    "postal_code": "G5L 1A1", "region": "01"},
        "contact": {"name": "Julie Gagnon", "email": "julie@exemple.ca"}})
    merchant = memory_app.repository.get(merchant_id)
    assert isinstance(merchant, Merchant)
    assert merchant.hours == OpeningHours(("sunday 10:00-14:00",))
    assert merchant.address.municipality == "Rimouski"
    assert merchant.contact.get("name") == "Julie Gagnon"
    [event] = [e for e in memory_app.repository.event_store.get(merchant_id)
               if isinstance(e, Merchant.ProfileChanged)]
    assert set(event.fields) == {"hours", "address", "contact"}  # type: ignore[attr-defined]


def test_an_identity_change_is_applied_only_by_a_validator(
        memory_app: Comptoir, applied: tuple[UUID, Actor]) -> None:
    merchant_id, owner = applied
    profiles = MerchantProfiles(memory_app)
    with pytest.raises(IllegalTransitionError):
        profiles.approve_identity_change(VALIDATOR, merchant_id)  # nothing pending
    old = memory_app.repository.get(merchant_id).neq.value
    view = profiles.request_identity_change(owner, merchant_id, None, "3398765432")
    assert view.neq == old and view.pending_identity is not None
    with pytest.raises(NotFoundError):  # another merchant's member
        profiles.approve_identity_change(Actor(Role.MERCHANT, "x", uuid4()), merchant_id)
    assert profiles.approve_identity_change(VALIDATOR, merchant_id).neq == "3398765432"
    other = Merchants(memory_app).apply(form()).id  # the first one's old NEQ: free again
    other_owner = Actor(Role.MERCHANT, "y", other)
    with pytest.raises(ConflictError):
        profiles.request_identity_change(other_owner, other, None, "3398765432")


def test_the_codec_keeps_pixels_only(tmp_path: Path, memory_app: Comptoir,
                                     applied: tuple[UUID, Actor]) -> None:
    merchant_id, owner = applied
    images = Images(memory_app, store=FileImageStore(tmp_path), codec=PillowImageCodec())
    stored = images.upload(owner, merchant_id, jpeg_with_gps((2000, 1000)))
    for size, side in IMAGE_SIZES.items():
        with Image.open(io.BytesIO(images.read(stored.id, size))) as image:
            assert (image.format, max(image.size)) == ("WEBP", side)
            assert image.size[0] == 2 * image.size[1]
            assert not image.getexif()
    with pytest.raises(ImageTypeUnsupportedError):
        images.upload(owner, merchant_id, b"%PDF-1.7\n" + b"0" * 100)
    with pytest.raises(ImageRejectedError) as bomb:
        images.upload(owner, merchant_id, png_claiming(50_000, 50_000))
    assert bomb.value.code == "image_too_many_pixels"


def test_a_new_location_at_the_same_address_is_a_move(memory_app: Comptoir,
                                                       applied: tuple[UUID, Actor]) -> None:
    merchant_id, owner = applied
    merchant = memory_app.repository.get(merchant_id)
    address = {"street": merchant.address.street, "municipality": merchant.address.municipality,
               "postal_code": merchant.address.postal_code.value,
               "region": merchant.address.region}
    MerchantProfiles(memory_app).change_profile(owner, merchant_id, {
        "address": address, "location": {"lat": 45.52, "lon": -73.58}})
    moved = memory_app.repository.get(merchant_id)
    assert (moved.location.lat, moved.location.lon) == (45.52, -73.58)
    [event] = [e for e in memory_app.repository.event_store.get(merchant_id)
               if isinstance(e, Merchant.ProfileChanged)]
    assert list(event.fields) == ["address"]  # type: ignore[attr-defined]
