"""Law 25 and mail, both backends: an erased person is sent nothing more — rows waiting for
them go at once, rows made for later events are dropped at send time — and no file of the
development mailbox keeps their address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.container import build_container
from api.main import create_app
from api.settings import Settings
from tests.mail.inbox import Inbox, deliver
from tests.support import Api, Shop

SHOPPER = "marie.tremblay@courriel.example"  # tests.support.consumer_body
TRACES = [b"marie.tremblay", b"Marie Tremblay", b"rue Laval", b"555-0142"]


def shopper_rows(api: Api) -> list[tuple]:
    return [row for row in api.container.projections["notifications"].store.rows()
            if row[1] == "shopper"]


def bought(api: Api) -> tuple[Shop, str, dict[str, str], dict[str, Any]]:
    """A shopper's order of one cheese from Fromagerie Boréale: the shop, the merchant's id,
    its owner's headers and the order."""
    shop = Shop(api)
    merchant_id, owner = shop.merchant(name="Fromagerie Boréale")
    listing = api.listing(merchant_id, owner, publish=True, stock=5, price_cents=12_99)
    order = shop.check_out(shop.cart({listing: 1}))
    assert order.status_code == 201, order.text
    return shop, merchant_id, owner, order.json()


def erase(api: Api, shop: Shop) -> None:
    erased = api.client.post(f"/v1/privacy/subjects/{shop.consumer_id}/erasure",
                             headers=shop.consumer)
    assert erased.status_code == 200, erased.text


def test_an_erased_shopper_is_sent_nothing_not_even_about_what_happens_after(
        mail_api: Api, inbox: Inbox) -> None:
    api = mail_api
    shop, merchant_id, owner, order = bought(api)
    api.container.projections.settle()
    assert [row[2:4] for row in shopper_rows(api)] == [("order_confirmed", "pending")]

    # Erased before the mail went: the row waiting for them goes with their key.
    erase(api, shop)
    assert shopper_rows(api) == []
    # The merchant then declines its part: new mails for them are dropped when sent.
    assert api.client.post(f"/v1/orders/{order['id']}/merchant-orders/{merchant_id}/decline",
                           headers=owner, json={"reason": "Rupture de stock"}).status_code == 200
    deliver(api)

    assert inbox.to(SHOPPER) == []
    assert shopper_rows(api) == []
    assert [m["To"] for m in inbox.messages] == ["sophie@fromagerie.example"] * 2
    assert api.container.projections.failures()["notifications"] == []


@pytest.fixture
def dev_api(settings: Settings) -> Iterator[Api]:
    """Development without an SMTP server: mails are files under data_dir/mail."""
    container = build_container(settings.model_copy(update={"run_projections": False}))
    try:
        with TestClient(create_app(container=container)) as client:
            yield Api(client, container)
    finally:
        container.close()


def test_erasure_deletes_the_development_mails_of_the_person_and_keeps_the_others(
        dev_api: Api, settings: Settings) -> None:
    api = dev_api
    shop, *_ = bought(api)
    assert deliver(api) == 3  # approval, confirmation, new order
    mail_dir = Path(settings.data_dir) / "mail"
    files = sorted(mail_dir.rglob("*"))
    # Named by ids only: the person's folder, the mail's id.
    uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    assert all(re.fullmatch(f"{uuid}(/{uuid}\\.eml)?", str(p.relative_to(mail_dir)))
               for p in files)
    assert any(SHOPPER.encode() in p.read_bytes() for p in files if p.is_file())

    erase(api, shop)

    remaining = [p.read_bytes() for p in mail_dir.rglob("*") if p.is_file()]
    assert [t for t in TRACES if any(t in data for data in remaining)] == []
    listed = api.client.get("/dev/mail", params={"format": "json"}).json()["mails"]
    assert sorted(m["to"] for m in listed) == ["sophie@fromagerie.example"] * 2


def test_a_person_erased_while_their_mail_is_being_written_keeps_no_file_of_it(
        dev_api: Api, settings: Settings) -> None:
    # The erasure comes between reading their address and writing the file: it finds no file
    # to delete yet; the sender, asking after it hands mails over, deletes it.
    api = dev_api
    shop, *_ = bought(api)
    api.container.projections.settle()
    mailbox = api.container.mail.mailer
    hand_over = mailbox.send

    def erased_meanwhile(mail: Any) -> None:
        if mail.person == shop.consumer_id:
            erase(api, shop)
        hand_over(mail)

    mailbox.send = erased_meanwhile
    assert api.container.mail.send_due() == 3  # approval, confirmation, new order
    remaining = [p.read_bytes() for p in (Path(settings.data_dir) / "mail").rglob("*.eml")]
    assert len(remaining) == 2
    assert [t for t in TRACES if any(t in data for data in remaining)] == []
