"""A real SMTP server in the tests' process (aiosmtpd on 127.0.0.1, a free port) and what
reached it, parsed: the mails notifications send, as a mail client would read them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller

from api.settings import Settings
from tests.support import Api, free_port

LINK = re.compile(r"https?://\S+")


class Inbox:
    """aiosmtpd's handler: keeps every mail; `refuse` answers the next DATA commands with
    the given replies instead (a server that is busy, or refuses a mail for good)."""

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[EmailMessage] = []
        self.refuse: list[str] = []
        self.peers: list[Any] = []  # per mail that reached DATA, the connection it came on
        self.hang_up_at: set[int] = set()  # the server drops the connection at these MAILs
        self._mails_begun = 0
        self._arrived = threading.Condition()

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          mail_options: list[str]) -> str:
        self._mails_begun += 1
        if self._mails_begun in self.hang_up_at:  # an idle timeout, a restart
            server.transport.close()
            return "421 4.4.2 Closing connection"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.peers.append(session.peer)
        if self.refuse:
            return self.refuse.pop(0)
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def one(self, address: str, subject: str) -> EmailMessage:
        [found] = [m for m in self.to(address) if m["Subject"] == subject]
        return found

    def wait_for(self, count: int, timeout: float = 15) -> bool:
        """Until `count` mails have arrived (the sender job runs in its own thread)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")  # lines, as SMTP carried them


def links(message: EmailMessage) -> list[str]:
    return LINK.findall(text(message))


@contextmanager
def smtp_server(smtputf8: bool = True) -> Iterator[Inbox]:
    """`smtputf8`: the server offers SMTPUTF8 (RFC 6531), as most do; an older relay does not."""
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port,
                            enable_SMTPUTF8=smtputf8)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def with_smtp(settings: Settings, inbox: Inbox, **more: Any) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port,
                                       "smtp_tls": "none", **more})


def path_of(link: str) -> str:
    """A link's path and query, to follow it with the test client."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def deliver(api: Api) -> int:
    """Follow the log into the outbox (and the processes that write back), then send."""
    api.container.projections.settle()
    return api.container.mail.send_due()
