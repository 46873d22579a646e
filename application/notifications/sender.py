"""The job that sends the outbox's pending mails (every second, in every process that runs
jobs): each row is claimed for a while before it is sent, so two processes never send it
both; a failure is retried later and later, then given up and kept for an operator to see.

Exactly once per event is the follower's promise (one row per event and recipient). Sending
is at least once: a crash between handing a mail over and recording it sent sends it again
when the claim lapses — with the same Message-ID, which receivers recognise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from application.notifications import letters
from application.notifications.addressees import Addressees
from application.notifications.drafts import Reader
from application.notifications.mailer import Mailer, MailNotSent, Outgoing, compose
from application.notifications.outbox import Outbox, OutboxMail
from application.notifications.rounds import forget_round, one_round
from application.ports import Clock

log = logging.getLogger("comptoir.mail")

SEND_EVERY = 1.0  # seconds between two looks at the outbox
BATCH = 100
MARK_EVERY = 25  # mails handed over before they are recorded sent: at most this many again
CLAIM = timedelta(minutes=5)  # longer than any one send takes
MAX_ATTEMPTS = 8  # then given up: about 13 hours of tries
FIRST_RETRY, LAST_RETRY = timedelta(seconds=30), timedelta(hours=6)
KEEP_DONE = timedelta(days=30)  # sent and given-up rows, for an operator's questions


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LAST_RETRY)


class MailSender:
    def __init__(self, outbox: Outbox, addressees: Addressees, reader: Reader, mailer: Mailer,
                 clock: Clock, sender: str,
                 forget: Callable[[UUID], object] = lambda _: None) -> None:
        self.outbox, self.addressees, self.reader = outbox, addressees, reader
        self.mailer, self.clock, self.sender = mailer, clock, sender
        self.forget = forget  # what erasure does (MailErasure), for one that came mid-send

    def send_due(self) -> int:
        """Send what is due; how many were sent."""
        now = self.clock.now()
        sent, unrecorded = 0, []
        # Marked sent MARK_EVERY at a time and when the round ends (a commit for many, not one
        # a mail), also when it ends on an error: a crash sends the unrecorded ones again when
        # their claim lapses, with the same Message-IDs (at least once, as above).
        try:
            with one_round():
                for mail in self.outbox.claim_due(now, now + CLAIM, BATCH):
                    if self._deliver(mail):
                        sent += 1
                        unrecorded.append(mail)
                        if len(unrecorded) == MARK_EVERY:
                            self._handed_over(unrecorded)
                            unrecorded = []
        finally:
            self.mailer.done()
            self._handed_over(unrecorded)
        return sent

    def forget_done(self) -> int:
        """Delete the rows of mails sent or given up more than KEEP_DONE ago: the outbox stays
        the size of what is pending (the follower's position, not these rows, keeps each
        event from being mailed twice)."""
        return self.outbox.forget_done(self.clock.now() - KEEP_DONE)

    def _deliver(self, mail: OutboxMail) -> bool:
        """Whether it was handed over."""
        try:
            outgoing = self._written(mail)
        except Exception as error:  # noqa: BLE001 - recorded with the row and retried
            self._later(mail, type(error).__name__)
            return False
        if outgoing is None:
            self.outbox.drop(mail.mail_id)
            log.info("mail %s (%s) dropped: its person is erased, or it has nothing left to say",
                     mail.mail_id, mail.template)
            return False
        try:
            self.mailer.send(outgoing)
        except MailNotSent as error:
            if error.permanent:
                self._give_up(mail, error.reason)
            else:
                self._later(mail, error.reason)
            return False
        except Exception as error:  # noqa: BLE001 - its text may quote the address: type only
            self._later(mail, type(error).__name__)
            return False
        log.info("mail %s (%s) sent", mail.mail_id, mail.template)
        return True

    def _handed_over(self, mails: list[OutboxMail]) -> None:
        """Recorded sent; and what was handed over for a person erased meanwhile (a copy the
        development mailbox filed after the erasure emptied it) forgotten, with what the
        round read. Asked MARK_EVERY mails at a time, not after each: one question for many."""
        if not mails:
            return
        self.outbox.sent([mail.mail_id for mail in mails], self.clock.now())
        erased = self.addressees.erased({mail.subject_id for mail in mails})
        if erased:
            forget_round()
        for subject_id in erased:
            self.forget(subject_id)

    def _written(self, mail: OutboxMail) -> Outgoing | None:
        addressee = self.addressees.of(mail)
        if addressee is None:
            return None
        content = letters.write(self.reader, mail, addressee.language)
        if content is None:
            return None
        return Outgoing(mail.mail_id, mail.subject_id, compose(
            mail.mail_id, self.sender, addressee.address, addressee.language, content.subject,
            content.text, self.clock.now()))

    def _later(self, mail: OutboxMail, reason: str) -> None:
        attempts = mail.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self._give_up(mail, reason)
            return
        log.warning("mail %s (%s) not sent (%s); attempt %s, trying again", mail.mail_id,
                    mail.template, reason, attempts)
        self.outbox.retry(mail.mail_id, reason, self.clock.now() + backoff(attempts))

    def _give_up(self, mail: OutboxMail, reason: str) -> None:
        log.error("mail %s (%s) given up: %s", mail.mail_id, mail.template, reason)
        self.outbox.failed(mail.mail_id, reason)
