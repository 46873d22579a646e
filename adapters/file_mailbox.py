"""The development mailbox: each mail written as an .eml file instead of sent, listed at
/dev/mail (development only: production refuses to start without an SMTP server).

Files are `data_dir/mail/<person id>/<mail id>.eml`: named by ids, never by an address, and
filed by person so that erasing one deletes their folder at once.
"""

from __future__ import annotations

import os
import shutil
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from uuid import UUID

from application.notifications.mailer import DevMail, Outgoing, wire_bytes


class FileMailbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, mail: Outgoing) -> None:
        folder = self.directory / str(mail.person)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{mail.mail_id}.eml"
        partial = path.with_suffix(".part")  # never a half-written mail in the list
        partial.write_bytes(wire_bytes(mail.message))
        os.replace(partial, path)

    def done(self) -> None:
        pass

    def mails(self) -> list[DevMail]:
        paths = sorted(self.directory.glob("*/*.eml"), key=lambda p: p.stat().st_mtime_ns,
                       reverse=True)
        return [_read(path) for path in paths]

    def read(self, mail_id: UUID) -> DevMail | None:
        found = next(iter(self.directory.glob(f"*/{mail_id}.eml")), None)
        return _read(found) if found is not None else None

    def forget(self, person: UUID) -> int:
        folder = self.directory / str(person)
        count = len(list(folder.glob("*.eml")))
        shutil.rmtree(folder, ignore_errors=True)
        return count


def _read(path: Path) -> DevMail:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    return DevMail(UUID(path.stem), str(message["To"]), str(message["Subject"]),
                   str(message["Date"]), str(message["Message-ID"]),
                   body.get_content() if body is not None else "")
