"""What the README promises a new user of `make run`: the demo server, no mail server. She signs
up with curl-like calls, reads her verification mail at /dev/mail, signs in, buys a cheddar from
the demo's Gatineau cheese shop; the shop's owner (a demo account) has registered its webhook
endpoint, and finds the new-order mail at /dev/mail too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.settings import Settings
from application.demo import DEMO_PASSWORD
from tests.http.test_webhooks import Receiver
from tests.journeys.helpers import eventually
from tests.support import comptoir_server

CHEESE_SHOP_OWNER = "bonjour@fromagerie.du.marche.example"
NEWCOMER = "elodie.roy@courriel.example"
PASSWORD = "fromage en grains 2026"


@pytest.fixture
def demo(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    monkeypatch.setenv("COMPTOIR_WEBHOOK_POLL_SECONDS", "0.05")
    with comptoir_server(settings, "--demo") as base, httpx.Client(base_url=base,
                                                                  timeout=30) as http:
        yield http


def dev_mail(http: httpx.Client, to: str, subject_starts: str) -> dict[str, Any]:
    """The one mail of the development mailbox to `to` whose subject starts so, read."""
    def listed() -> list[dict[str, Any]]:
        mails = http.get("/dev/mail", params={"format": "json"}).json()["mails"]
        return [m for m in mails if m["to"] == to and m["subject"].startswith(subject_starts)]
    found = eventually(listed, bool, 20)
    assert len(found) == 1, found
    [mail] = found
    return http.get(mail["href"], params={"format": "json"}).json()


def bearer(http: httpx.Client, email: str, password: str) -> dict[str, str]:
    answer = http.post("/v1/sessions", json={"email": email, "password": password})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_new_user_signs_up_reads_her_mail_at_dev_mail_and_buys_from_the_demo(
        demo: httpx.Client) -> None:
    http = demo
    receiver = Receiver()
    try:
        # The cheese shop's owner signs in with the demo password and plugs in its till.
        shop = bearer(http, CHEESE_SHOP_OWNER, DEMO_PASSWORD)
        [shop_id] = http.get("/v1/accounts/me", headers=shop).json()["merchants"]
        hook = http.post(f"/v1/merchants/{shop_id}/webhook-endpoints", headers=shop,
                         json={"url": receiver.url, "event_types": ["order.placed.v1"]})
        assert hook.status_code == 201, hook.text

        # The newcomer signs up; the link of her mail is clickable at /dev/mail.
        assert http.post("/v1/accounts", json={"email": NEWCOMER, "password": PASSWORD}
                         ).status_code == 202
        mail = dev_mail(http, NEWCOMER, "Confirmez votre adresse courriel")
        [link] = mail["links"]
        assert link.startswith(f"{http.base_url}/v1/accounts/email-verification?token=")
        assert http.get(link).json() == {"verified": True}
        me = bearer(http, NEWCOMER, PASSWORD)

        registered = http.post("/v1/consumers", headers=me, json={
            "name": "Élodie Roy", "email": NEWCOMER, "phone": "819-555-0199",
            "address": {"street": "8, rue Eddy", "municipality": "Gatineau",
                        "postal_code": "J8X 2V5", "region": "07"}})
        assert registered.status_code == 201, registered.text
        found = http.get("/v1/search/listings", params={
            "q": "cheddar de l'Outaouais", "near": "J8X"}).json()["items"]
        assert [item["title_fr"] for item in found] == ["Cheddar fort de l'Outaouais"]
        cheddar = found[0]["id"]
        cart = http.post("/v1/carts", headers=me).json()["id"]
        assert http.put(f"/v1/carts/{cart}/lines/{cheddar}", headers=me,
                        json={"quantity": 3}).status_code == 200
        order = http.post(f"/v1/carts/{cart}/checkout", headers=me, json={})
        assert order.status_code == 201, order.text
        assert order.json()["total"]["cents"] == 3 * 1299

        # Both mails are at /dev/mail; the till got the order.
        ref = order.json()["id"][:8].upper()  # the demo's own orders were mailed too
        confirmation = dev_mail(http, NEWCOMER, f"Commande {ref}")
        assert "Fromagerie du Marché" in confirmation["text"]
        assert "38,97" in confirmation["text"]
        new_order = dev_mail(http, CHEESE_SHOP_OWNER, f"Nouvelle commande {ref}")
        assert "Cheddar fort de l'Outaouais" in new_order["text"]
        [(_, body)] = receiver.wait_for(1)
        assert json.loads(body)["data"]["order_id"] == order.json()["id"]
    finally:
        receiver.close()
