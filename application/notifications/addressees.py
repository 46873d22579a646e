"""Where a mail goes and in which language: decrypted from the log when it is sent.

The outbox names a person by id; their address is read now, through their key. A person
erased since (key gone) has no address any more: the mail is dropped, never sent. Language:
the recipient account's choice when there is one (`Accounts.language_of`), French otherwise;
a merchant's mails in its owner's language; an invitation in the language of the owner who
sent it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.accounts import Accounts, Invitation
from application.notifications.outbox import OutboxMail
from application.notifications.rounds import once_per_round
from application.service import Service
from domain.account import Account
from domain.consumer import Consumer
from domain.merchant import Merchant
from domain.personal import PersonalData


@dataclass(frozen=True)
class Addressee:
    address: str
    language: str

    def __repr__(self) -> str:  # never the address: reprs end up in logs
        return f"Addressee(language={self.language!r})"


class Addressees(Service):
    def __init__(self, *args: Any, accounts: Accounts, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = accounts

    def of(self, mail: OutboxMail) -> Addressee | None:
        """None when the person is erased (or never gave an address)."""
        language = None
        if mail.recipient_kind == "shopper":
            data = self._shopper(mail.subject_id)
        elif mail.recipient_kind == "account":
            data = self._account(mail.subject_id)
        elif mail.recipient_kind == "merchant":
            merchant_id = UUID(mail.recipient.split(":", 1)[1])
            data = once_per_round(("merchant", merchant_id),
                                  lambda: self.load(Merchant, merchant_id, "merchant")).contact
            language = once_per_round(("owner language", merchant_id),
                                      lambda: self._owner_language(merchant_id))
        else:  # an invitee, who may have no account yet
            invitation = self.load(Invitation, UUID(str(mail.params["invitation_id"])),
                                   "invitation")
            data, language = invitation.email, invitation.language
        address = _address(data, mail.subject_id)
        if address is None:
            return None
        return Addressee(address, language or once_per_round(
            ("language", mail.subject_id), lambda: self.accounts.language_of(mail.subject_id)))

    def erased(self, subject_ids: Collection[UUID]) -> set[UUID]:
        """Those whose key is gone (asked again once mails are handed over: an erasure may
        have come while they were being written)."""
        return self.app.keys.without_key(subject_ids)

    def _owner_language(self, merchant_id: UUID) -> str | None:
        """The language of the account that owns the merchant (it applied signed in), or
        None (an imported merchant, an application made without an account)."""
        owner = self.accounts.owner(merchant_id)
        return owner.language if owner is not None else None

    def _shopper(self, person_id: UUID) -> PersonalData | None:
        """The profile's address (given for orders), else the account's."""
        consumer = self.find(Consumer.create_id(person_id))
        if isinstance(consumer, Consumer):
            return consumer.profile
        return self._account(person_id)

    def _account(self, person_id: UUID) -> PersonalData | None:
        account = self.find(Account.create_id(person_id))
        return account.email if isinstance(account, Account) else None


def _address(data: PersonalData | None, subject_id: UUID) -> str | None:
    if data is None or data.subject_id != subject_id or data.forgotten:
        return None
    return data.get("email")
