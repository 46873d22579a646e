"""What one sending round has read, read once: a checkout's four mails (the shopper's, each
merchant's) name the same order at the same version and the same merchants.

Kept only while the round lasts (a context variable, so only the sender's thread sees it): what
it decrypted for the round does not outlive it, and the next round reads everything afresh. An
erasure seen during a round (the sender asks every MARK_EVERY mails handed over) empties it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_read: ContextVar[dict[Hashable, object] | None] = ContextVar("sending_round", default=None)


@contextmanager
def one_round() -> Iterator[None]:
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def forget_round() -> None:
    read = _read.get()
    if read is not None:
        read.clear()


def once_per_round(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, or what it gave earlier in this round (outside a round: `read()`)."""
    seen = _read.get()
    if seen is None:
        return read()
    if key not in seen:
        seen[key] = read()
    return seen[key]  # type: ignore[return-value]
