"""The `Mailer` over SMTP (the standard library's smtplib): TLS as configured (STARTTLS,
implicit TLS, or none for a local relay), sign-in when configured, and one connection for a
sending round's mails (a connection, its TLS handshake and sign-in per mail cap one sender near
the server's round trips: 20 mails a second at 50 ms, where 70 checkouts a second ask for 280).
A connection the server closed between two mails is opened again once; a failure closes it.

What the server says may quote the address; a failure is reported by its SMTP code and the
kind of error only. A 5xx about the mail itself (recipient refused, content refused) is
permanent; everything else — the server away, a 4xx, a refused sign-in or sender, which are
the platform's configuration and not the mail's — is tried again later.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from contextlib import suppress
from typing import Literal

from application.notifications.mailer import MailNotSent, Outgoing

Tls = Literal["none", "starttls", "tls"]
TIMEOUT = 20  # seconds: a server that hangs must not hold the job forever


class SmtpMailer:
    def __init__(self, host: str, port: int, tls: Tls, username: str | None = None,
                 password: str | None = None) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password = username, password
        self._held = threading.local()  # each sending thread's open connection, if any

    def send(self, mail: Outgoing) -> None:
        try:
            self._send(mail)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted(code for code, _ in error.recipients.values())
            raise MailNotSent(f"recipient refused ({', '.join(map(str, codes))})",
                              permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPNotSupportedError as error:
            if "SMTPUTF8" not in str(error):  # STARTTLS not offered: the configuration's
                raise MailNotSent(type(error).__name__) from None
            # An address with accents before the @ needs SMTPUTF8, which this server does not
            # offer: no later try changes that.
            raise MailNotSent("SMTPUTF8 not offered by the server", permanent=True) from None
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as error:
            raise MailNotSent(f"{type(error).__name__} {error.smtp_code}") from None
        except smtplib.SMTPResponseException as error:
            raise MailNotSent(f"{type(error).__name__} {error.smtp_code}",
                              permanent=500 <= error.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailNotSent(type(error).__name__) from None

    def done(self) -> None:
        smtp = self._let_go()
        if smtp is not None:
            with suppress(smtplib.SMTPException, OSError):
                smtp.quit()

    def _send(self, mail: Outgoing) -> None:
        kept = getattr(self._held, "smtp", None)
        try:
            if kept is not None:
                try:
                    kept.send_message(mail.message)
                    return
                except smtplib.SMTPServerDisconnected:  # closed by the server since
                    self._let_go()
            self._held.smtp = self._signed_in()
            self._held.smtp.send_message(mail.message)
        except BaseException:
            # Refused or broken, the connection's state is not worth knowing: the next mail
            # starts on a new one.
            smtp = self._let_go()
            if smtp is not None:
                smtp.close()
            raise

    def _let_go(self) -> smtplib.SMTP | None:
        smtp: smtplib.SMTP | None = getattr(self._held, "smtp", None)
        self._held.smtp = None
        return smtp

    def _signed_in(self) -> smtplib.SMTP:
        smtp = self._connect()
        try:
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        if self.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp
