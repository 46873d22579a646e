"""The synthetic catalogue: deterministic, all of Québec, and valid by the API's own rules."""

from __future__ import annotations

from uuid import uuid4

from api.schemas.listings import ListingIn
from api.schemas.merchants import MerchantApplicationIn
from bench.dataset import generate
from domain.listing import ListingDetails
from domain.quebec import REGIONS


def test_the_same_seed_gives_the_same_catalogue() -> None:
    assert list(generate(50, 3, seed=42)) == list(generate(50, 3, seed=42))
    assert list(generate(50, 3, seed=42)) != list(generate(50, 3, seed=43))


def test_merchants_cover_all_seventeen_regions() -> None:
    regions = {m.fiche["address"]["region"] for m in generate(3000)}
    assert regions == set(REGIONS)


def test_every_fiche_and_listing_passes_the_api_and_domain_rules() -> None:
    for merchant in generate(300, 2, seed=1):
        body = dict(merchant.fiche)
        body.pop("external_id")
        profile = MerchantApplicationIn.model_validate(body).to_form().check(uuid4())
        assert profile.location.is_in_quebec()
        for listing in merchant.listings:
            fields = {k: v for k, v in listing.items() if k != "stock"}
            ListingDetails.check(ListingIn.model_validate(fields).model_dump())
