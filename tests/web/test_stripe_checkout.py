"""The shop's checkout when Stripe is the gateway (both backends, the real `stripe` library
against tests/fake_stripe.py): the order is placed without a card, the next page mounts
Stripe's Payment Element with the order's client secret (Stripe.js allowed on that page only),
and the order is paid when Stripe says the card was confirmed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from application.actors import Role
from tests.fake_stripe import FakeStripe, signed_event
from tests.http.test_stripe_payouts import SECRET, paying_with_stripe
from tests.support import Api
from tests.web.test_shop_forms import a_listing, csrf_of, signed_in


@pytest.fixture
def stripe_shop(settings: Settings) -> Iterator[tuple[Api, FakeStripe]]:
    with paying_with_stripe(settings, stripe_publishable_key="pk_test_1",
                            public_base_url="https://comptoir.example") as paying:
        yield paying


def test_the_card_is_entered_in_stripes_form_and_the_order_follows_the_payment(
        stripe_shop: tuple[Api, FakeStripe]) -> None:
    api, fake = stripe_shop
    listing = a_listing(api)
    client: TestClient = signed_in(api)
    assert client.post("/panier", data={"csrftoken": csrf_of(client, f"/produits/{listing}"),
                                        "listing_id": listing, "quantity": "2"},
                       follow_redirects=False).status_code == 303
    checkout = client.get("/caisse")
    assert "pm_card_visa" not in checkout.text  # no test cards: Stripe's form comes next
    assert "Continuer vers le paiement" in checkout.text
    assert "js.stripe.com" not in checkout.headers["content-security-policy"]

    form = {"csrftoken": csrf_of(client, "/caisse"), "cle": "cle-stripe-1",
            "name": "Rémi Côté", "phone": "819-555-0142", "street": "", "municipality": "",
            "postal_code": "", "region": "", "payment_method": "pm_card_visa"}
    placed = client.post("/caisse", data=form, follow_redirects=False)
    assert placed.status_code == 303, placed.text
    order_id = placed.headers["location"].removeprefix("/commandes/").removesuffix("/paiement")
    assert placed.headers["location"] == f"/commandes/{order_id}/paiement"
    paying = client.get(placed.headers["location"])
    assert paying.status_code == 200, paying.text
    secret = re.search(r'data-secret="([^"]+)"', paying.text).group(1)  # type: ignore[union-attr]
    assert secret.startswith("pi_") and "_secret_" in secret
    assert 'data-key="pk_test_1"' in paying.text
    assert f'data-back="https://comptoir.example/commandes/{order_id}?merci=1"' in paying.text
    assert '<script src="https://js.stripe.com/v3/"></script>' in paying.text
    policy = paying.headers["content-security-policy"]
    assert "script-src 'self' https://js.stripe.com;" in policy
    assert "frame-src https://js.stripe.com https://hooks.stripe.com;" in policy
    assert "connect-src 'self' https://api.stripe.com;" in policy

    order = client.get(f"/v1/orders/{order_id}").json()
    assert (order["status"], order["payment"]["status"]) == ("awaiting_payment", "pending")
    # A reload asks again and gets the same payment, not a second one.
    again = client.get(f"/commandes/{order_id}/paiement")
    assert f'data-secret="{secret}"' in again.text
    length = api.log_length()
    client.get(f"/commandes/{order_id}/paiement")
    assert api.log_length() == length

    intent = fake.confirm_in_browser(secret.split("_secret_")[0])
    assert intent["status"] == "requires_capture"
    payload, header = signed_event("payment_intent.amount_capturable_updated", intent, SECRET)
    stripe_side = TestClient(client.app)  # Stripe sends no cookie
    answer = stripe_side.post("/v1/payments/webhooks/stripe", content=payload, headers={
        "Stripe-Signature": header, "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    paid = client.get(f"/v1/orders/{order_id}").json()
    assert (paid["status"], paid["payment"]["status"]) == ("confirmed", "captured")
    # Paid: the payment page now leads to the order.
    done = client.get(f"/commandes/{order_id}/paiement", follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, f"/commandes/{order_id}")
    # Another shopper cannot reach it.
    other = stripe_side.get(f"/commandes/{order_id}/paiement",
                            headers=api.auth(Role.CONSUMER, uuid4()), follow_redirects=False)
    assert other.status_code == 404
