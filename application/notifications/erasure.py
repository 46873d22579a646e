"""Law 25: erasing a person leaves no address of theirs in the mail machinery.

Outbox rows hold no address, only the person's id: they are deleted all the same, so nothing
is left to send them. The development mailbox holds mails in clear, as an inbox would: their
files go too. Logs name mails by id and template, never by address.
"""

from __future__ import annotations

import logging
from uuid import UUID

from application.notifications.mailer import DevMailbox
from application.notifications.outbox import Outbox

log = logging.getLogger("comptoir.mail")


class MailErasure:
    def __init__(self, outbox: Outbox, mailbox: DevMailbox | None) -> None:
        self.outbox, self.mailbox = outbox, mailbox

    def __call__(self, subject_id: UUID) -> None:
        rows = self.outbox.forget(subject_id)
        files = self.mailbox.forget(subject_id) if self.mailbox is not None else 0
        log.info("erasure: %s outbox row(s) and %s development mail(s) deleted", rows, files)
