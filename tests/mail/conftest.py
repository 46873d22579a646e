"""Fixtures of the mail tests: a real SMTP server in this process, and the API sending to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.container import build_container
from api.main import create_app
from api.settings import Settings
from tests.mail.inbox import Inbox, smtp_server, with_smtp
from tests.support import Api


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mail_api(settings: Settings, inbox: Inbox) -> Iterator[Api]:
    """The API with mail through the test server; the log is followed and the outbox sent
    when the test says so (`deliver`), not by background threads."""
    container = build_container(with_smtp(settings, inbox, run_projections=False))
    try:
        with TestClient(create_app(container=container)) as client:
            yield Api(client, container)
    finally:
        container.close()

