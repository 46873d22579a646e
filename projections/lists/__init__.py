"""The lists read model: what screens and integrations page through (docs/lists.md).

One projection, one tracked position, a few tables: the validators' queue (applications.py),
orders and each merchant's parts of them (orders.py), each merchant's catalogue
(listings.py) and its people (members.py). Rows carry ids, states, dates, amounts in cents,
merchant names and listing titles; never a person's name, contact or address, so erasing a
person changes no row and a rebuild after an erasure gives the same lists.
"""

from __future__ import annotations

from typing import Any, Protocol

from eventsourcing.utils import get_topic

from projections.lists import applications, listings, members, orders
from projections.lists.applications import ApplicationRows
from projections.lists.listings import ListingRows
from projections.lists.members import MemberRows
from projections.lists.orders import OrderRows

HANDLERS = {**applications.HANDLERS, **orders.HANDLERS, **listings.HANDLERS,
            **members.HANDLERS}


class ListsUnit(ApplicationRows, OrderRows, ListingRows, MemberRows, Protocol):
    """The rows one batch of events writes (a unit of work over one transaction)."""


class ListsProjection:
    name = "lists"
    version = 2  # 2: each merchant's people
    topics = tuple(get_topic(cls) for cls in HANDLERS)

    def process(self, event: Any, unit: ListsUnit) -> None:
        HANDLERS[type(event)](event, unit)
