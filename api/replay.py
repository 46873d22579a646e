"""`comptoir audit replay`: rebuild every read model from zero into a scratch area (a temporary
directory, or a temporary PostgreSQL schema) and compare it with the live one."""

from __future__ import annotations

from typing import Any, Protocol, cast

from api.container import Container
from projections.follower import Follower


class ReadModelStore(Protocol):
    def dump(self) -> Any: ...


def replay(container: Container) -> dict[str, list[str]]:
    """Each read model's differences (live only / rebuilt only), empty when they agree."""
    live = {name: container.projections[name] for name in container.projections.names}
    scratch = container.backend.scratch()
    try:
        found: dict[str, list[str]] = {}
        for store in scratch.read_models(container.signer).stores:
            name = store.projection.name
            live[name].catch_up()
            Follower(container.app, store).catch_up()
            # The live follower of a read model this scratch copy also has: it dumps its rows.
            live_store = cast(ReadModelStore, live[name].store)
            found[name] = differences(live_store.dump(), store.dump())
        return found
    finally:
        scratch.close()


def differences(live: Any, rebuilt: Any, most: int = 20) -> list[str]:
    """What only one side has, as readable lines (the first `most`)."""
    if live == rebuilt:
        return []
    live_rows, rebuilt_rows = _rows(live), _rows(rebuilt)
    only_live = [f"live only: {r}" for r in live_rows if r not in rebuilt_rows]
    only_rebuilt = [f"rebuilt only: {r}" for r in rebuilt_rows if r not in live_rows]
    return (only_live + only_rebuilt)[:most] or ["same rows, in another order"]


def _rows(dump: Any) -> set[str]:
    if isinstance(dump, tuple) and all(isinstance(part, list) for part in dump):
        return {repr(row) for part in dump for row in part}
    return {repr(row) for row in dump}
