"""People, not tokens: a maple producer and a shopper each sign up over real HTTP, confirm
their address from the mail that reaches a real SMTP server, and sign in; the producer applies
with its account and sells; the shopper shops in a browser session (cookie and CSRF token);
both are told by mail, and the producer's till system hears of the order by webhook once,
after its receiver failed twice, signed as Standard Webhooks says."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from api.settings import Settings
from tests.http.test_webhooks import Receiver
from tests.journeys.helpers import (
    GATINEAU,
    Marketplace,
    eventually,
    marketplace_mailing_to,
    merchant_application,
)
from tests.mail.inbox import Inbox, links, text

PRODUCER = "genevieve@erabliere-lapointe.example"
SHOPPER = "Camille.Gagnon@Courriel.example"  # typed with capitals, as people do
PASSWORD = "sirop d’érable 2026"


@pytest.fixture
def served(settings: Settings, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Marketplace]:
    """`comptoir serve` sending its mail to the test's SMTP server and retrying webhooks fast."""
    with marketplace_mailing_to(inbox.port, settings, monkeypatch,
                                COMPTOIR_WEBHOOK_RETRY_FIRST_SECONDS="0.1",
                                COMPTOIR_WEBHOOK_RETRY_MAX_SECONDS="0.3",
                                COMPTOIR_WEBHOOK_POLL_SECONDS="0.05") as market:
        yield market


def mail_to(inbox: Inbox, address: str, subject_starts: str) -> Any:
    """The one mail to `address` whose subject starts so, once the sender's job has sent it."""
    def found() -> list[Any]:
        return [m for m in inbox.to(address) if str(m["Subject"]).startswith(subject_starts)]
    arrived = eventually(found, bool, 20)
    assert len(arrived) == 1, [m["Subject"] for m in inbox.to(address)]
    return arrived[0]


def follow(http: httpx.Client, link: str) -> httpx.Response:
    """A mail's link, followed on the server under test (the links name the public URL)."""
    path = link.split("://", 1)[1].split("/", 1)[1]
    return http.get(f"/{path}")


def signed_up(market: Marketplace, inbox: Inbox, email: str) -> None:
    """Sign up, then follow the link of the verification mail."""
    http = market.http
    answer = http.post("/v1/accounts", json={"email": email, "password": PASSWORD})
    assert (answer.status_code, answer.json()) == (202, {"status": "check_your_mail"})
    refused = http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert refused.json()["code"] == "email_unverified"
    mail = mail_to(inbox, email.lower(), "Confirmez votre adresse courriel")
    [link] = [link for link in links(mail) if "email-verification" in link]
    assert PASSWORD not in text(mail)
    assert follow(http, link).json() == {"verified": True}


def token_session(market: Marketplace, email: str, **body: Any) -> dict[str, str]:
    """Signed in as a program: its bearer token."""
    answer = market.http.post("/v1/sessions", json={"email": email, "password": PASSWORD,
                                                    **body})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_producer_and_a_shopper_sign_up_sell_buy_and_are_told(
        served: Marketplace, inbox: Inbox) -> None:
    market, http = served, served.http
    receiver = Receiver((500, 500))
    try:
        # -- The producer signs up, applies with its account, is approved, and sells. ----------
        signed_up(market, inbox, PRODUCER)
        as_person = token_session(market, PRODUCER)
        application = merchant_application(
            "Érablière Lapointe", GATINEAU, ["alimentation"],
            contact={"name": "Geneviève Lapointe", "email": PRODUCER, "phone": "819-555-0123"})
        applied = http.post("/v1/merchants", headers=as_person, json=application)
        assert applied.status_code == 201, applied.text
        merchant_id = applied.json()["id"]
        approved = http.post(f"/v1/merchants/{merchant_id}/approval", headers=market.validator)
        assert approved.status_code == 200, approved.text
        assert mail_to(inbox, PRODUCER, "Votre commerce Érablière Lapointe est approuvé")

        owner = token_session(market, PRODUCER)  # a new sign-in: the owner of its merchant
        assert http.get("/v1/accounts/me", headers=owner).json()["merchants"] == {
            merchant_id: "owner"}
        created = http.post(f"/v1/merchants/{merchant_id}/listings", headers=owner, json={
            "title_fr": "Sirop d'érable ambré 540 ml", "category": "alimentation",
            "description_fr": "Sirop pur, récolte du printemps, Gatineau.",
            "price_cents": 1495, "tax_class": "zero_rated", "origin": "produced"})
        assert created.status_code == 201, created.text
        syrup = created.json()["id"]
        assert http.put(f"/v1/listings/{syrup}/stock", headers=owner,
                        json={"on_hand": 12}).status_code == 200
        assert http.post(f"/v1/listings/{syrup}/publication", headers=owner).status_code == 200
        endpoint = http.post(f"/v1/merchants/{merchant_id}/webhook-endpoints", headers=owner,
                             json={"url": receiver.url, "event_types": ["order.placed.v1"]})
        assert endpoint.status_code == 201, endpoint.text
        secret = endpoint.json()["secret"]

        # -- The shopper signs up and signs in in her browser: a cookie and a CSRF token. ------
        signed_up(market, inbox, SHOPPER)
        browser = httpx.Client(base_url=market.base, timeout=30)
        try:
            signed_in = browser.post("/v1/sessions", json={"email": SHOPPER.lower(),
                                                           "password": PASSWORD})
            assert signed_in.status_code == 201, signed_in.text
            assert "comptoir_session" in browser.cookies
            csrf = {"X-CSRFToken": signed_in.json()["csrf_token"]}
            consumer_id = signed_in.json()["account_id"]

            # Without the CSRF token her session changes nothing.
            forged = browser.post("/v1/carts")
            assert (forged.status_code, forged.json()["code"]) == (403, "csrf_failed")

            registered = browser.post("/v1/consumers", headers=csrf, json={
                "name": "Camille Gagnon", "email": SHOPPER.lower(), "phone": "819-555-0142",
                "address": {"street": "10, rue Laval", "municipality": "Gatineau",
                            "postal_code": "J8X 1A1", "region": "07"}})
            assert registered.status_code == 201, registered.text
            assert registered.json()["id"] == consumer_id

            # She finds the syrup as she would say it, near her town.
            found = browser.get("/v1/search/listings", headers={"Prefer": "read-your-writes"},
                                params={"q": "sirop d'érable", "near": "Gatineau"}).json()
            assert [(i["id"], i["available"]) for i in found["items"]] == [(syrup, 12)]

            cart = browser.post("/v1/carts", headers=csrf)
            assert cart.status_code == 201, cart.text
            cart_id = cart.json()["id"]
            assert browser.put(f"/v1/carts/{cart_id}/lines/{syrup}", headers=csrf,
                               json={"quantity": 2}).status_code == 200
            order = browser.post(f"/v1/carts/{cart_id}/checkout",
                                 headers={**csrf, "Prefer": "read-your-writes"}, json={})
            assert order.status_code == 201, order.text
            assert (order.json()["payment"]["status"], order.json()["total"]["cents"]) == (
                "captured", 2990)
            order_id = order.json()["id"]
            assert [o["id"] for o in browser.get(f"/v1/consumers/{consumer_id}/orders",
                                                 headers={"Prefer": "read-your-writes"}
                                                 ).json()["items"]] == [order_id]
        finally:
            browser.close()

        # -- Both are told. -------------------------------------------------------------------
        receipt = text(mail_to(inbox, SHOPPER.lower(), "Commande"))
        assert "Érablière Lapointe" in receipt and "29,90" in receipt
        assert "123456789RT0001" in receipt and "1234567890TQ0001" in receipt  # Québec receipt
        new_order = text(mail_to(inbox, PRODUCER, "Nouvelle commande"))
        assert "Sirop d'érable ambré 540 ml" in new_order
        assert "rue Laval" not in new_order  # a pickup: the producer needs no address

        # -- The till system hears of it once, after two failures, signed. --------------------
        requests = receiver.wait_for(3)
        time.sleep(1)  # several retry periods: nothing more comes
        assert len(receiver.requests) == 3
        assert len({headers["webhook-id"] for headers, _ in requests}) == 1
        headers, body = requests[-1]
        Webhook(secret).verify(body, headers)
        payload = json.loads(body)
        assert (payload["type"], payload["data"]["order_id"], payload["data"]["merchant_id"]) == (
            "order.placed.v1", order_id, merchant_id)
        assert [(line["listing_id"], line["quantity"]) for line in payload["data"]["lines"]] == [
            (syrup, 2)]
        for personal in (b"Camille", b"Gagnon", b"rue Laval", b"819-555-0142",
                         SHOPPER.lower().encode()):
            assert personal not in body
    finally:
        receiver.close()

    # Nothing was mailed twice, and nobody but these two was written to.
    assert sorted({m["To"] for m in inbox.messages}) == sorted([PRODUCER, SHOPPER.lower()])
    assert len({m["Message-ID"] for m in inbox.messages}) == len(inbox.messages)
