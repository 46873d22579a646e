"""The development mailbox at /dev/mail: mails written as files when no SMTP server is set,
listed and shown with their links clickable; nothing of it in production, which refuses to
start without an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.container import build_container, check_startup
from api.main import create_app
from api.settings import InvalidSettingsError, Settings
from tests.mail.inbox import Inbox, deliver, with_smtp
from tests.support import Api

PASSWORD = "érable en fût 2026"


@pytest.fixture
def dev_api(settings: Settings) -> Iterator[Api]:
    container = build_container(settings.model_copy(update={"run_projections": False}))
    try:
        with TestClient(create_app(container=container)) as client:
            yield Api(client, container)
    finally:
        container.close()


def test_the_mailbox_lists_mails_and_shows_one_whose_link_verifies_the_account(
        dev_api: Api) -> None:
    api = dev_api
    assert api.client.post("/v1/accounts", json={"email": "camille@courriel.example",
                                                 "password": PASSWORD}).status_code == 202
    deliver(api)

    listed = api.client.get("/dev/mail", params={"format": "json"}).json()["mails"]
    [mail] = listed
    assert (mail["to"], mail["subject"], mail["href"]) == (
        "camille@courriel.example", "Confirmez votre adresse courriel",
        f"/dev/mail/{mail['id']}")
    assert mail["message_id"] == f"<{mail['id']}@comptoir.quebec>"
    assert api.client.get("/dev/mail", headers={"Accept": "application/json"}).json()[
        "mails"] == listed
    page = api.client.get("/dev/mail")
    assert page.headers["content-type"].startswith("text/html")
    assert f'<a href="/dev/mail/{mail["id"]}">Confirmez votre adresse courriel</a>' in page.text

    one = api.client.get(mail["href"], params={"format": "json"}).json()
    [link] = one["links"]
    assert link.startswith("http://127.0.0.1:8000/v1/accounts/email-verification?token=")
    shown = api.client.get(mail["href"]).text
    assert f'<a href="{link}">{link}</a>' in shown  # clickable
    assert api.client.get(link.removeprefix("http://127.0.0.1:8000")).json() == {
        "verified": True}


def test_an_unknown_mail_is_not_found(dev_api: Api) -> None:
    response = dev_api.client.get("/dev/mail/4fb063a1-e55c-5dbd-bc9c-522a3fa035ee")
    assert (response.status_code, response.json()["code"]) == (404, "route_not_found")


def test_production_has_no_mailbox_pages(settings: Settings, inbox: Inbox) -> None:
    production = with_smtp(settings, inbox, environment="production", run_projections=False)
    container = build_container(production)
    try:
        with TestClient(create_app(container=container)) as client:
            assert client.get("/dev/mail").status_code == 404
            assert client.get("/dev/mail/4fb063a1-e55c-5dbd-bc9c-522a3fa035ee",
                              params={"format": "json"}).status_code == 404
    finally:
        container.close()
    assert container.dev_mailbox is None


def test_production_refuses_to_start_without_an_smtp_server(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    for start in (check_startup, build_container):
        with pytest.raises(InvalidSettingsError) as refused:
            start(production)
        assert str(refused.value).startswith(
            "COMPTOIR_SMTP_HOST: production sends its mails through an SMTP server")
