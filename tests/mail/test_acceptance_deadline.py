"""The acceptance deadline over HTTP, both backends, on a clock the test moves: a paid merchant
order its merchant leaves unanswered is declined by the platform after 48 h, its stock back in
search, its part refunded, the shopper and the merchant told; one accepted in time is left
alone; a merchant accepting at the same moment as the job: one wins, the other is a no-op or
a 409."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.clock import FixedClock
from api.container import build_container
from api.main import create_app
from api.settings import Settings
from application.actors import Role
from tests.mail.inbox import Inbox, deliver, text, with_smtp
from tests.support import Api, Shop

SHOPPER = "marie.tremblay@courriel.example"
MERCHANT = "sophie@fromagerie.example"
REASON = "Non acceptée dans les 48 h (déclin automatique)"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def shop_api(settings: Settings, inbox: Inbox, clock: FixedClock) -> Iterator[Api]:
    container = build_container(with_smtp(settings, inbox, run_projections=False), clock=clock)
    try:
        with TestClient(create_app(container=container)) as client:
            yield Api(client, container)
    finally:
        container.close()


def reference(order_id: str) -> str:
    return order_id.replace("-", "")[:8].upper()


def decline_unaccepted(api: Api) -> int:
    """The job, as `comptoir work` runs it, once the index has caught up with the log."""
    api.container.projections.settle()
    return api.container.jobs.jobs["decline_unaccepted"]()


def paid_order(api: Api, quantity: int = 3) -> tuple[Shop, str, dict[str, str], str, str]:
    shop = Shop(api)
    merchant_id, owner = shop.merchant(name="Fromagerie Boréale")
    listing = api.listing(merchant_id, owner, publish=True, stock=5, price_cents=12_99)
    order = shop.check_out(shop.cart({listing: quantity})).json()
    assert order["payment"]["status"] == "captured", order
    return shop, merchant_id, owner, listing, order["id"]


def part_of(api: Api, shop: Shop, order_id: str) -> dict[str, Any]:
    [part] = api.client.get(f"/v1/orders/{order_id}", headers=shop.consumer).json()[
        "merchant_orders"]
    return part


def available(api: Api, listing: str) -> int:
    api.container.projections.settle()
    [hit] = api.client.get("/v1/search/listings", params={"q": "cheddar"}).json()["items"]
    assert hit["id"] == listing
    return hit["available"]


def test_an_unanswered_order_is_declined_and_refunded_after_its_deadline(
        shop_api: Api, inbox: Inbox, clock: FixedClock) -> None:
    api = shop_api
    shop, merchant_id, owner, listing, order_id = paid_order(api)
    placed = part_of(api, shop, order_id)
    accept_by = datetime.fromisoformat(placed["accept_by"])
    assert accept_by == clock.now() + timedelta(hours=48)
    assert available(api, listing) == 2

    # 47 hours on, the merchant still has time: nothing happens
    clock.advance(timedelta(hours=47))
    assert decline_unaccepted(api) == 0
    assert part_of(api, shop, order_id)["status"] == "placed"

    # past 48 hours, the job declines it on the platform's behalf and refunds it in full
    clock.advance(timedelta(hours=1, seconds=1))
    assert decline_unaccepted(api) == 1
    part = part_of(api, shop, order_id)
    assert (part["status"], part["declined_automatically"], part["reason"]) == (
        "declined", True, REASON)
    assert part["accept_by"] is None
    [refund] = part["refunds"]
    assert (refund["amount"], refund["status"], refund["reason"]) == (
        {"cents": 38_97, "currency": "CAD"}, "settled", REASON)
    assert part["refundable"]["cents"] == 0

    # the stock is back on sale, in search too
    assert available(api, listing) == 5

    # the job again: nothing left to do; the merchant, too late, cannot accept it any more
    assert decline_unaccepted(api) == 0
    late = api.client.post(f"/v1/orders/{order_id}/merchant-orders/{merchant_id}/acceptance",
                           headers=owner)
    assert late.status_code == 409, late.text

    # the shopper and the merchant are told, each in their terms
    deliver(api)
    ref = reference(order_id)
    told = inbox.one(SHOPPER, f"Fromagerie Boréale n'a pas accepté à temps sa partie de la "
                              f"commande {ref}")
    assert text(told) == f"""Bonjour,

Fromagerie Boréale n'a pas accepté sa partie de votre commande {ref} dans les 48 h prévues : \
elle est annulée automatiquement.
Ce qui reste à rembourser de cette partie (38,97 $) vous est remboursé ; un avis suit.

Votre commande : http://127.0.0.1:8000/commandes/{order_id}

— L'équipe Comptoir
"""
    refunded = inbox.one(SHOPPER, f"Remboursement de 38,97 $ — commande {ref}")
    assert "Motif : commande non acceptée dans les 48 h (annulation automatique)" in text(
        refunded)
    lapsed = inbox.one(MERCHANT, f"Commande {ref} annulée : non acceptée à temps — "
                                 f"Fromagerie Boréale")
    assert text(lapsed) == f"""Bonjour,

Fromagerie Boréale n'a pas accepté la commande {ref} dans les 48 h prévues. Elle a été déclinée \
automatiquement : son stock est remis en vente et l'acheteur est remboursé de 38,97 $.

La commande : http://127.0.0.1:8000/portail/commandes/{order_id}

— L'équipe Comptoir
"""
    assert [m["Subject"] for m in inbox.to(SHOPPER)] == [
        f"Commande {ref} confirmée", told["Subject"], refunded["Subject"]]

    # auditors read why: the decline event says it was automatic
    auditor = api.auth(Role.AUDITOR)
    events = api.client.get("/v1/audit/events", headers=auditor,
                            params={"aggregate_id": order_id}).json()["events"]
    declined = [e for e in events if e["topic"] == "comptoir.Order.MerchantOrderDeclined"]
    assert [(e["payload"]["automatic"], e["payload"]["reason"]) for e in declined] == [
        (True, REASON)]


def test_an_order_accepted_before_its_deadline_is_left_alone(
        shop_api: Api, inbox: Inbox, clock: FixedClock) -> None:
    api = shop_api
    shop, merchant_id, owner, listing, order_id = paid_order(api)
    # accepted with an hour to spare
    clock.advance(timedelta(hours=47))
    accepted = api.client.post(
        f"/v1/orders/{order_id}/merchant-orders/{merchant_id}/acceptance", headers=owner)
    assert accepted.status_code == 200, accepted.text
    # long after the deadline, the job finds nothing to decline
    clock.advance(timedelta(days=3))
    assert decline_unaccepted(api) == 0
    part = part_of(api, shop, order_id)
    assert (part["status"], part["declined_automatically"], part["refunds"]) == (
        "accepted", False, [])
    assert available(api, listing) == 2
    deliver(api)
    assert [m["Subject"] for m in inbox.to(MERCHANT)] == [
        "Votre commerce Fromagerie Boréale est approuvé sur Comptoir",
        f"Nouvelle commande {reference(order_id)} — Fromagerie Boréale"]


def race(api: Api, order_id: str, merchant_id: str, owner: dict[str, str]) -> dict[str, int]:
    """The job and the merchant's acceptance, started at the same instant."""
    start = threading.Barrier(2)
    answers: dict[str, int] = {}

    def job() -> None:
        start.wait()
        answers["job"] = api.container.jobs.jobs["decline_unaccepted"]()

    def accept() -> None:
        start.wait()
        answers["merchant"] = api.client.post(
            f"/v1/orders/{order_id}/merchant-orders/{merchant_id}/acceptance",
            headers=owner).status_code

    threads = [threading.Thread(target=job), threading.Thread(target=accept)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_merchant_accepting_as_the_job_runs_either_wins_or_gets_a_409(
        shop_api: Api, clock: FixedClock) -> None:
    api = shop_api
    outcomes = []
    for _ in range(3):
        shop, merchant_id, owner, listing, order_id = paid_order(api, quantity=1)
        api.container.projections.settle()  # the index knows the order before the race
        clock.advance(timedelta(hours=49))
        answers = race(api, order_id, merchant_id, owner)
        part = part_of(api, shop, order_id)
        if answers["merchant"] == 200:  # the merchant won: the job changed nothing
            assert (answers["job"], part["status"], part["refunds"]) == (0, "accepted", [])
        else:  # the job won: the merchant's acceptance is refused, the part refunded
            assert (answers["merchant"], answers["job"], part["status"]) == (
                409, 1, "declined")
            assert part["refunds"][0]["amount"] == part["total"]
        outcomes.append(part["status"])
        api.container.projections.settle()
        assert decline_unaccepted(api) == 0  # and whoever won, nothing is left to do
    assert set(outcomes) <= {"accepted", "declined"}
