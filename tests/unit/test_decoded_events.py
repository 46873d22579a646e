"""The followers of a process share the events they decode, of impersonal topics only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.decoded import DecodedEvents


@dataclass(frozen=True)
class Notification:
    id: int
    topic: str


class CountingMapper:
    def __init__(self) -> None:
        self.decoded: list[int] = []

    def to_domain_event(self, notification: Notification) -> Any:
        self.decoded.append(notification.id)
        return object()


def test_an_impersonal_event_is_decoded_once_for_every_follower() -> None:
    mapper = CountingMapper()
    shared = DecodedEvents(mapper, shareable=("comptoir.Listing.",))
    stock_set = Notification(7, "comptoir.Listing.StockSet")
    by_search, by_lists = shared.decode(stock_set), shared.decode(stock_set)
    assert by_search is by_lists
    assert mapper.decoded == [7]


def test_an_event_that_may_hold_personal_data_is_decoded_by_each_and_never_kept() -> None:
    mapper = CountingMapper()
    shared = DecodedEvents(mapper, shareable=("comptoir.Listing.",))
    registered = Notification(8, "comptoir.Consumer.Registered")
    assert shared.decode(registered) is not shared.decode(registered)
    assert mapper.decoded == [8, 8]
    # A topic that only starts like a shareable one's aggregate is not shared either.
    imports = Notification(9, "comptoir.ListingImport.Started")
    shared.decode(imports), shared.decode(imports)
    assert mapper.decoded == [8, 8, 9, 9]


def test_only_the_last_events_are_kept() -> None:
    mapper = CountingMapper()
    shared = DecodedEvents(mapper, shareable=("comptoir.Listing.",), size=3)
    for position in range(1, 6):
        shared.decode(Notification(position, "comptoir.Listing.StockSet"))
    for position in (3, 4, 5, 1):
        shared.decode(Notification(position, "comptoir.Listing.StockSet"))
    assert mapper.decoded == [1, 2, 3, 4, 5, 1]
