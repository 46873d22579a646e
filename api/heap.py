"""The garbage collector of a serving process, tuned once it has started.

What a process builds at start (the app, its routes and schemas, the container, the demo) lives
as long as the process, yet CPython's collector walks it again at every full collection, and a
busy request path triggers one every few hundred milliseconds: measured in a 1,000-line stock
feed (in process, PostgreSQL, 2026-11-29), the collector took 20 ms of a 103 ms feed. Frozen
after start (`gc.freeze` moves them to a permanent generation that collections ignore), those
objects are never walked again: 4 ms a feed. The youngest generation is also collected after
10,000 allocations instead of 700: most of a request's objects are freed by their reference
counts before then, and it took the rest to 2–3 ms a feed. Objects created later are collected
as before, cycles included.
"""

from __future__ import annotations

import gc

YOUNGEST_THRESHOLD = 10_000


def settle() -> None:
    """Collect what start-up left behind, then freeze the rest: call once the process has
    built everything it keeps."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
