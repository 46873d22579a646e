"""Fixtures of the integration suites that drive a whole container with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from adapters.clock import FixedClock
from api.container import Container, build_container
from api.settings import Settings


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))


@pytest.fixture
def shop(settings: Settings, clock: FixedClock) -> Iterator[Container]:
    container = build_container(settings, clock=clock)
    yield container
    container.close()
