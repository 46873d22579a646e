"""A written mail as a mail client reads it back: French in headers and body, the sender's
name without touching its address, and no way for a name with a line break in it to add a
header or end the headers."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from application.notifications.mailer import SHORT_ASCII_AS_IS, compose

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


@given(name=st.sampled_from(["Subject", "To", "From", "Message-ID", "X-Entete-Tres-Longue"]),
       value=st.text(st.characters(min_codepoint=0, max_codepoint=0x7F,
                                   blacklist_characters="\r\n"), max_size=90)
       | st.text(max_size=40))
def test_headers_are_written_byte_for_byte_as_the_standard_policy_writes_them(
        name: str, value: str) -> None:
    # The shortcut for short ASCII values must change how fast, never what is written (nor
    # what is refused: compat32 refuses a value that would smuggle in a header).
    for policy_ in (SHORT_ASCII_AS_IS, SHORT_ASCII_AS_IS.clone(linesep="\r\n"),
                    SHORT_ASCII_AS_IS.clone(max_line_length=40),
                    SHORT_ASCII_AS_IS.clone(max_line_length=None)):
        standard = policy.compat32.clone(linesep=policy_.linesep,
                                         max_line_length=policy_.max_line_length)
        for fold in ("fold", "fold_binary"):
            assert written(policy_, fold, name, value) == written(standard, fold, name, value)


def written(policy_: Any, fold: str, name: str, value: str) -> object:
    try:
        return getattr(policy_, fold)(name, value)
    except Exception as refused:  # noqa: BLE001 - compared, as what was written is
        return type(refused)


def test_a_whole_mail_is_written_as_the_standard_policy_writes_it() -> None:
    written = compose(MAIL_ID, "Comptoir Québec <ne-pas-repondre@comptoir.quebec>",
                      "amelie@courriel.example", "fr",
                      "Commande confirmée chez l'Érablière du Côteau — n° 1234 " * 2,
                      "Bonjour Amélie,\n" * 30, AT)
    assert b"Message-ID: <6f1c1a52-3a43-4c55-9d1e-8a2b5f0c7e11@comptoir.quebec>\n" in (
        written.as_bytes())
    assert written.as_bytes() == written.as_bytes(policy=policy.compat32)
