"""A stranger without a token learns nothing (401, whatever the id), and a merchant prying into
a competitor's affairs is told there is nothing there (404, never 403)."""

from __future__ import annotations

from uuid import uuid4

from tests.journeys.helpers import CHELSEA, GATINEAU, MONTREAL, Marketplace, merchant_application


def assert_unauthenticated(response: object, what: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status == 401, f"{what}: {status} {response.text}"  # type: ignore[attr-defined]
    assert response.json()["code"] == "unauthenticated", what  # type: ignore[attr-defined]


def test_anonymous_calls_get_401_whatever_the_id(market: Marketplace) -> None:
    # Three merchants: one approved, one under review; and an id nobody has.
    approved = market.approved_merchant("Librairie Rose-Marie", GATINEAU, ["librairie"])
    under_review = market.apply(merchant_application("Atelier de poterie du Ruisseau", CHELSEA,
                                                     ["artisanat"]))
    unknown = str(uuid4())
    listing_id = market.listing(approved, "Carnet de croquis relié main", on_hand=5,
                                price_cents=2400, tax_class="taxable", origin="designed",
                                category="librairie", description_fr="Papier 160 g, 96 pages",
                                publish=False)
    anonymous = market.http

    # No token: approving any of them is 401, known or not.
    for merchant_id, what in ((unknown, "unknown merchant"), (under_review, "under review"),
                              (approved.id, "approved merchant")):
        assert_unauthenticated(anonymous.post(f"/v1/merchants/{merchant_id}/approval"),
                               f"anonymous approval of an {what}")

    # No token: checking out a cart, reading payouts, publishing a listing — all 401.
    assert_unauthenticated(anonymous.post(f"/v1/carts/{uuid4()}/checkout", json={}),
                           "anonymous checkout of a random cart")
    assert_unauthenticated(anonymous.get(f"/v1/merchants/{unknown}/payouts"),
                           "anonymous payouts of an unknown merchant")
    assert_unauthenticated(anonymous.post(f"/v1/listings/{uuid4()}/publication"),
                           "anonymous publication of a random listing")
    assert_unauthenticated(anonymous.post(f"/v1/listings/{listing_id}/publication"),
                           "anonymous publication of a real draft")

    # Nothing changed: the application is still under review, the draft still a draft.
    review = market.http.get(f"/v1/merchants/{under_review}", headers=market.validator).json()
    assert review["status"] == "under_review"
    draft = market.http.get(f"/v1/listings/{listing_id}", headers=approved.owner).json()
    assert draft["status"] == "draft"

    # Merchant B, signed in, pries into merchant A's affairs: 404 everywhere, never 403.
    competitor = market.approved_merchant("Librairie du Centre", MONTREAL, ["librairie"])
    looked = market.http.get(f"/v1/merchants/{under_review}", headers=competitor.owner)
    assert looked.status_code == 404, f"another's application: {looked.status_code}"
    for merchant_id, what in ((under_review, "a merchant under review"),
                              (approved.id, "an approved merchant")):
        payouts = market.http.get(f"/v1/merchants/{merchant_id}/payouts",
                                  headers=competitor.owner)
        assert payouts.status_code == 404, f"payouts of {what}: {payouts.status_code}"
        account = market.http.put(f"/v1/merchants/{merchant_id}/payout-account",
                                  headers=competitor.owner)
        assert account.status_code == 404, (
            f"payout account of {what}: {account.status_code} {account.text}")

    # The owner, of course, sees its own.
    assert market.http.get(f"/v1/merchants/{approved.id}/payouts",
                           headers=approved.owner).status_code == 200
