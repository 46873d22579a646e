"""Writing a mail from its outbox row, when it is sent: which writer, in which language."""

from __future__ import annotations

from collections.abc import Callable

from application.notifications import account_mails, merchant_mails, shopper_mails
from application.notifications.drafts import Content, Draft, Reader
from application.notifications.outbox import OutboxMail

Writer = Callable[[Reader, Draft], Content | None]
WRITERS: dict[str, Writer] = {
    **shopper_mails.WRITERS, **merchant_mails.WRITERS, **account_mails.WRITERS}


def write(reader: Reader, mail: OutboxMail, language: str) -> Content | None:
    """The mail, or None when it has nothing left to say."""
    return WRITERS[mail.template](reader, Draft(mail, language))
