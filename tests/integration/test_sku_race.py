"""Two listings created at once with one SKU, on both backends: only one wins (the claim's
optimistic concurrency check), the other is told `sku_taken`."""

from __future__ import annotations

import threading
from uuid import uuid4

from api.container import Container
from api.schemas.merchants import MerchantApplicationIn
from application.actors import Actor, Role
from domain.errors import InvalidValueError
from tests.support import listing_body, merchant_body


def test_of_two_concurrent_creations_with_one_sku_exactly_one_wins(container: Container
                                                                   ) -> None:
    merchant = container.merchants.apply(MerchantApplicationIn(**merchant_body()).to_form())
    container.merchants.approve(Actor(Role.VALIDATOR, str(uuid4())), merchant.id)
    owner = Actor(Role.MERCHANT, str(uuid4()), merchant.id)
    for round_ in range(5):
        start, outcomes = threading.Barrier(2), []

        def create(round_: int = round_, start: threading.Barrier = start,
                   outcomes: list[str] = outcomes) -> None:
            start.wait()
            try:
                container.catalog.create_listing(owner, merchant.id,
                                                 listing_body(sku=f"RACE-{round_}"))
                outcomes.append("created")
            except InvalidValueError as error:
                outcomes.append(error.code)

        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["created", "sku_taken"]
