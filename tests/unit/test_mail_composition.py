"""A written mail as a mail client reads it back: French in headers and body, the sender's
name without touching its address, and no way for a name with a line break in it to add a
header or end the headers."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from uuid import UUID

from application.notifications.mailer import compose

MAIL_ID = UUID("6f1c1a52-3a43-4c55-9d1e-8a2b5f0c7e11")
AT = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)


def read(subject: str, text: str = "Bonjour Amélie,\nvotre sirop d'érable est prêt.\n",
         sender: str = "Comptoir Québec <ne-pas-repondre@comptoir.quebec>") -> EmailMessage:
    written = compose(MAIL_ID, sender, "amelie@courriel.example", "fr", subject, text, AT)
    message = BytesParser(policy=policy.default).parsebytes(written.as_bytes())
    assert isinstance(message, EmailMessage)
    return message


def test_french_headers_and_body_are_read_back_as_written() -> None:
    message = read("Commande confirmée chez l'Érablière du Côteau — n° 1234")
    assert message["Subject"] == "Commande confirmée chez l'Érablière du Côteau — n° 1234"
    assert message["From"].addresses[0].display_name == "Comptoir Québec"
    assert message["From"].addresses[0].addr_spec == "ne-pas-repondre@comptoir.quebec"
    assert message["To"] == "amelie@courriel.example"
    assert message["Message-ID"] == f"<{MAIL_ID}@comptoir.quebec>"
    assert (message["Content-Language"], message["Auto-Submitted"]) == ("fr-CA", "auto-generated")
    assert message["Date"].datetime == AT
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content() == "Bonjour Amélie,\nvotre sirop d'érable est prêt.\n"


def test_a_line_break_in_a_subject_adds_no_header_and_ends_no_headers() -> None:
    message = read("Votre commande chez Fromagerie\r\nBcc: pirate@ailleurs.example\r\n\r\nFAUX")
    assert message["Subject"] == ("Votre commande chez Fromagerie Bcc: pirate@ailleurs.example "
                                  "FAUX")
    assert message["Bcc"] is None
    assert sorted(message.keys()) == sorted([
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "From", "To", "Subject",
        "Date", "Message-ID", "Auto-Submitted", "Content-Language"])
    body = message.get_body(("plain",))
    assert body is not None and body.get_content().startswith("Bonjour Amélie")
