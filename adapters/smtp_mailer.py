"""The `Mailer` over SMTP (the standard library's smtplib): one connection per mail, TLS as
configured (STARTTLS, implicit TLS, or none for a local relay), sign-in when configured.

What the server says may quote the address; a failure is reported by its SMTP code and the
kind of error only. A 5xx about the mail itself (recipient refused, content refused) is
permanent; everything else — the server away, a 4xx, a refused sign-in or sender, which are
the platform's configuration and not the mail's — is tried again later.
"""

from __future__ import annotations

import smtplib
import ssl
from typing import Literal

from application.notifications.mailer import MailNotSent, Outgoing

Tls = Literal["none", "starttls", "tls"]
TIMEOUT = 20  # seconds: a server that hangs must not hold the job forever


class SmtpMailer:
    def __init__(self, host: str, port: int, tls: Tls, username: str | None = None,
                 password: str | None = None) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password = username, password

    def send(self, mail: Outgoing) -> None:
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail.message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted(code for code, _ in error.recipients.values())
            raise MailNotSent(f"recipient refused ({', '.join(map(str, codes))})",
                              permanent=all(code >= 500 for code in codes)) from None
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as error:
            raise MailNotSent(f"{type(error).__name__} {error.smtp_code}") from None
        except smtplib.SMTPResponseException as error:
            raise MailNotSent(f"{type(error).__name__} {error.smtp_code}",
                              permanent=500 <= error.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailNotSent(type(error).__name__) from None

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        if self.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp
