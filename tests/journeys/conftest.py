"""Journeys run against a real `comptoir serve` (uvicorn on 127.0.0.1), on SQLite and on
PostgreSQL: `settings` (tests/conftest.py) gives a fresh store per test and backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.settings import Settings
from tests.journeys.helpers import Marketplace, marketplace
from tests.mail.inbox import Inbox, smtp_server


@pytest.fixture
def market(settings: Settings) -> Iterator[Marketplace]:
    with marketplace(settings) as running:
        yield running


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server in the test's process (aiosmtpd) and what reached it."""
    with smtp_server() as inbox:
        yield inbox
