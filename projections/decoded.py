"""Events decoded once for all the followers of a process.

Every follower reads the log on its own and decodes what it reads: a stock feed's 1,000
events were decoded by each follower that wants listings' events (search, lists, webhooks),
most of the worker's CPU for a feed. A follower that decodes an event of a shareable topic
keeps it here, by its log position, for the others that come by a moment later. Events are
immutable, so one object serves all of them.

Only topics named shareable, whose events carry no personal data: a decrypted name or address
is never held beyond the batch that decoded it (Law 25: an erasure must not leave it in
memory). The last `size` such events are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class DecodedEvents:
    def __init__(self, mapper: Any, shareable: tuple[str, ...], size: int = 8192) -> None:
        self.mapper, self.shareable, self.size = mapper, shareable, size
        self._events: OrderedDict[int, Any] = OrderedDict()
        self._lock = threading.Lock()

    def decode(self, notification: Any) -> Any:
        if not notification.topic.startswith(self.shareable):
            return self.mapper.to_domain_event(notification)
        with self._lock:
            event = self._events.get(notification.id)
        if event is None:
            event = self.mapper.to_domain_event(notification)
            with self._lock:
                self._events[notification.id] = event
                while len(self._events) > self.size:
                    self._events.popitem(last=False)
        return event
