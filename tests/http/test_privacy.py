"""Law 25 over real HTTP (uvicorn on 127.0.0.1), both backends: personal data is never in clear
at rest, in URLs, logs or problem details; an erased person is gone from every byte of the
stores while their orders, amounts and payouts stay balanced; export and retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from adapters.clock import FixedClock
from api.container import build_container
from api.settings import Settings
from application.actors import Actor, Role
from domain.erasure import SubjectKind
from tests.integration.test_event_store import VALIDATOR
from tests.integration.test_payouts import Market
from tests.support import (
    comptoir_server,
    consumer_body,
    everything_stored,
    listing_body,
    merchant_body,
)

# Distinctive, so that any occurrence anywhere is theirs.
PERSON = {"name": "Zephirine Quasimodo", "email": "zephirine.quasimodo@courriel.example",
          "phone": "819-555-0177",
          "address": {"street": "77, rue Xylophonique", "municipality": "Gatineau",
                      "postal_code": "J8X 1A1", "region": "07"}}
CONTACT = {"name": "Gontran Bricabracovitch", "email": "gontran.bricabrac@pain.example",
           "phone": "819-555-0166"}
TRACES = ["Quasimodo", "zephirine", "555-0177", "5550177", "Xylophonique",
          "Bricabracovitch", "gontran.bricabrac", "555-0166", "5550166"]


def traces_in(data: bytes) -> list[str]:
    lowered = data.lower()
    return [t for t in TRACES if t.lower().encode() in lowered]


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    with comptoir_server(settings) as base:
        yield base


def test_an_erased_person_is_gone_from_every_byte_and_the_books_still_balance(
    server: str, settings: Settings
) -> None:
    store = build_container(settings.model_copy(update={"run_projections": False}))
    try:
        http = httpx.Client(base_url=server, timeout=10)
        admin = {"Authorization": f"Bearer {store.tokens.issue(Role.ADMIN, subject=uuid4())}"}
        validator = {"Authorization": "Bearer " + store.tokens.issue(
            Role.VALIDATOR, subject=uuid4())}
        merchant = http.post("/v1/merchants", json=merchant_body(
            contact=CONTACT, fulfilment={"pickup": True, "shipping_fee_cents": 9_95})).json()
        assert http.post(f"/v1/merchants/{merchant['id']}/approval",
                         headers=validator).status_code == 200
        owner = {"Authorization": "Bearer " + store.tokens.issue(
            Role.MERCHANT, subject=uuid4(), merchant_id=UUID(merchant["id"]))}
        listing = http.post(f"/v1/merchants/{merchant['id']}/listings", headers=owner,
                            json=listing_body(price_cents=20_00, tax_class="taxable")).json()
        http.put(f"/v1/listings/{listing['id']}/stock", headers=owner, json={"on_hand": 5})
        http.post(f"/v1/listings/{listing['id']}/publication", headers=owner)

        person_id = uuid4()
        me = {"Authorization": f"Bearer {store.tokens.issue(Role.CONSUMER, subject=person_id)}"}
        refused = http.post("/v1/consumers", headers=me,
                            json={**consumer_body(**PERSON), "email": "zephirine.quasimodo@"})
        assert refused.status_code == 422
        assert traces_in(refused.content) == []  # problem details never echo the input
        assert http.post("/v1/consumers", headers=me, json=consumer_body(**PERSON)
                         ).status_code == 201
        cart = http.post("/v1/carts", headers=me).json()
        http.put(f"/v1/carts/{cart['id']}/lines/{listing['id']}", headers=me,
                 json={"quantity": 2})
        order = http.post(f"/v1/carts/{cart['id']}/checkout", headers=me,
                          json={"fulfilment": {merchant["id"]: "shipping"}}).json()
        assert order["delivery_address"]["street"] == PERSON["address"]["street"]
        exported = http.get(f"/v1/privacy/subjects/{person_id}/export", headers=me).json()
        assert (exported["profile"]["email"], [o["id"] for o in exported["orders"]]) == (
            PERSON["email"], [order["id"]])
        assert exported["orders"][0]["merchant_orders"][0]["lines"][0]["quantity"] == 2
        as_csv = http.get(f"/v1/privacy/subjects/{person_id}/export?format=csv", headers=me)
        assert as_csv.text.splitlines()[1].startswith(f"{order['id']},")
        stranger = {"Authorization": "Bearer " + store.tokens.issue(Role.CONSUMER,
                                                                    subject=uuid4())}
        assert http.get(f"/v1/privacy/subjects/{person_id}/export",
                        headers=stranger).status_code == 404
        at_rest = everything_stored(settings, mailbox=False)  # mails are the recipients'
        assert b"Fromagerie du March" in at_rest  # the dump holds the stores' data ...
        assert traces_in(at_rest) == []  # ... and the person's only encrypted

        erased = http.post(f"/v1/privacy/subjects/{person_id}/erasure", headers=me)
        assert erased.json() == {"subject_id": str(person_id), "erased": True,
                                 "already_erased": False}
        contact_subject = next(
            e.contact.subject_id for e in store.privacy.events(
                "comptoir.Merchant.Applied") if str(e.originator_id) == merchant["id"])
        assert http.post(f"/v1/privacy/subjects/{contact_subject}/erasure",
                         headers=owner).status_code == 404  # admins erase contacts
        assert http.post(f"/v1/privacy/subjects/{contact_subject}/erasure",
                         headers=admin).status_code == 200

        profile = http.get(f"/v1/consumers/{person_id}", headers=me).json()["profile"]
        assert (profile["forgotten"], profile["name"], profile["email"]) == (True, None, None)
        after = http.get(f"/v1/orders/{order['id']}", headers=me).json()
        assert after["delivery_address"]["forgotten"] is True
        assert after["total"] == order["total"]
        [part] = after["merchant_orders"]
        assert order["total"]["cents"] == part["merchant_share"]["cents"] + part[
            "commission"]["cents"] + (part["gst"]["cents"] + part["qst"]["cents"]
                                      if part["taxes_remitted_by"] == "platform" else 0)
        fiche = http.get(f"/v1/merchants/{merchant['id']}", headers=admin).json()
        assert fiche["contact"]["forgotten"] is True
        again = http.get(f"/v1/privacy/subjects/{person_id}/export", headers=me).json()
        assert (again["erased"], again["profile"]["forgotten"]) == (True, True)
        assert again["orders"][0]["total_cents"] == order["total"]["cents"]

        everything = everything_stored(settings)
        assert traces_in(everything) == []
        server_log = b"".join(p.read_bytes() for p in Path(settings.data_dir).glob("*.log"))
        assert b"\"route\": \"/v1/carts\"" in server_log  # the log is there, and clean
        assert traces_in(server_log) == []
    finally:
        store.close()


def test_retention_erases_inactive_consumers_and_contacts_of_merchants_gone(
    settings: Settings,
) -> None:
    shop = build_container(settings)
    try:
        market = Market(shop)
        finished = market.buy()
        for merchant_id in market.listings:
            market.fulfil(finished.id, merchant_id)
        open_order = market.buy()  # its parts are never fulfilled: it stays open
        idle = Actor(Role.CONSUMER, str(uuid4()))
        shop.consumers.register(idle, {"name": "Idle", "email": "idle@x.example",
                                       "phone": None, "address": None})
        gone = next(iter(market.listings))
        shop.merchants.close(market.owners[gone], gone)

        # Events carry the time they happened: judge them from two years on.
        shop.privacy.clock = FixedClock(datetime.now(UTC) + timedelta(days=30))
        assert shop.privacy.apply_retention(dry_run=True) == []  # nothing is old enough
        shop.privacy.clock = FixedClock(datetime.now(UTC) + timedelta(days=2 * 366))
        planned = shop.privacy.apply_retention(dry_run=True)
        assert {(c.subject_id, c.kind) for c in planned} == {
            (finished.consumer_id, SubjectKind.CONSUMER), (UUID(idle.subject),
                                                           SubjectKind.CONSUMER),
            (shop.merchants.get(VALIDATOR, gone).contact.subject_id,
             SubjectKind.MERCHANT_CONTACT)}
        assert open_order.consumer_id not in {c.subject_id for c in planned}
        assert shop.keys.get(finished.consumer_id) is not None  # a dry run erases nothing

        done = shop.privacy.apply_retention()
        assert [c.erased for c in done] == [True, True, True]
        assert shop.keys.get(finished.consumer_id) is None
        assert shop.orders.get(VALIDATOR, finished.id).total == finished.total
        assert shop.privacy.apply_retention() == []  # erased once
    finally:
        shop.close()


@pytest.mark.parametrize("reveal", [False, True], ids=["auditors_blind", "auditors_see"])
def test_auditors_see_no_personal_data_unless_the_setting_allows_it(
        settings: Settings, reveal: bool) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app
    from tests.support import Api, Shop

    settings.auditors_see_personal_data = reveal  # type: ignore[misc]
    container = build_container(settings)
    try:
        with TestClient(create_app(container=container)) as client:
            api = Api(client, container)
            shop = Shop(api)
            merchant, owner = shop.merchant(contact=CONTACT)
            listing = api.listing(merchant, owner, publish=True, stock=5)
            stranger = api.auth_as(Role.CONSUMER, uuid4())  # distinctive name, phone, street
            response = client.post("/v1/consumers", headers=stranger, json=PERSON)
            assert response.status_code == 201
            cart = client.post("/v1/carts", headers=stranger).json()["id"]
            client.put(f"/v1/carts/{cart}/lines/{listing}", headers=stranger,
                       json={"quantity": 1})
            order = client.post(f"/v1/carts/{cart}/checkout", headers=stranger, json={
                "fulfilment": {merchant: "delivery"}})
            assert order.status_code == 201, order.text
            order_id = order.json()["id"]
            container.projections.settle()
            auditor = api.auth(Role.AUDITOR)
            # every answer an auditor can get about this order, this merchant, this person
            seen = b""
            for url in [f"/v1/orders/{order_id}", f"/v1/merchants/{merchant}",
                        f"/v1/listings/{listing}", f"/v1/merchants/{merchant}/payouts",
                        f"/v1/audit/aggregates/{order_id}", f"/v1/audit/aggregates/{merchant}",
                        f"/v1/audit/aggregates/{cart}", "/v1/reports/storefronts",
                        "/v1/audit/events?limit=500"]:
                answer = client.get(url, headers=auditor)
                assert answer.status_code == 200, (url, answer.text)
                seen += answer.content
            person = order.json()["consumer_id"]
            seen += client.get(f"/v1/audit/aggregates/{person}", headers=auditor).content
            if reveal:
                assert "Xylophonique" in order_seen(client, order_id, auditor)
                assert traces_in(seen)
            else:
                assert traces_in(seen) == []
    finally:
        container.close()


def order_seen(client: object, order_id: str, headers: dict[str, str]) -> str:
    return client.get(f"/v1/orders/{order_id}", headers=headers).text  # type: ignore[attr-defined]


def test_people_who_sign_in_but_never_shopped_download_their_data_too(api: Any) -> None:
    """A merchant's owner and a validator (Law 25 access and portability): their export was a
    404, as if only shoppers were people. A shopper's own now says how she signs in."""
    from domain.account import StaffRole

    merchant_id, _ = api.approved_merchant()
    accounts = api.container.accounts
    owner = accounts.create_verified("josee.proprio@fromagerie.example", "une phrase de passe",
                                     owner_of=UUID(merchant_id))
    staff = accounts.create_verified("remi.validation@comptoir.example", "une phrase de passe",
                                     staff=StaffRole.VALIDATOR)
    for person, email in ((owner, "josee.proprio@fromagerie.example"),
                          (staff, "remi.validation@comptoir.example")):
        signed_in = api.client.post("/v1/sessions", json={
            "email": email, "password": "une phrase de passe"}).json()
        api.client.cookies.clear()
        me = {"Authorization": f"Bearer {signed_in['access_token']}"}
        exported = api.client.get(f"/v1/privacy/subjects/{person}/export", headers=me)
        assert exported.status_code == 200, exported.text
        data = exported.json()
        assert (data["kind"], data["erased"], data["profile"]["email"]) == (
            "account", False, email)
        assert data["account"]["email"] == email and data["account"]["email_verified"] is True
        if person == owner:
            assert data["account"]["merchants"] == [{
                "id": merchant_id, "membership": "owner", "name": "Fromagerie du Marché"}]
            assert data["account"]["staff_roles"] == []
        else:
            assert (data["account"]["merchants"], data["account"]["staff_roles"]) == (
                [], ["validator"])
        stranger = api.auth_as(Role.CONSUMER, uuid4())
        assert api.client.get(f"/v1/privacy/subjects/{person}/export",
                              headers=stranger).status_code == 404

    # The shop's "Mes données" button, signed in as the owner (her portal session).
    client = api.client
    client.cookies.clear()
    assert client.post("/compte/connexion", data={
        "email": "josee.proprio@fromagerie.example", "password": "une phrase de passe",
        "suivant": "/portail"}, follow_redirects=False).status_code == 303
    page = client.get("/compte/donnees")
    assert page.status_code == 200, page.text
    assert page.json()["account"]["merchants"][0]["membership"] == "owner"
    assert "josee.proprio@fromagerie.example" not in page.headers.get("content-disposition", "")
