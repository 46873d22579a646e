"""What every mail's writer uses: the row being written in its language, and a reader of the
log at the versions the row names, with the links of the platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from application.accounts import Accounts
from application.app import project
from application.errors import NotFoundError
from application.notifications.formats import money
from application.notifications.outbox import OutboxMail
from application.notifications.rounds import once_per_round
from application.notifications.texts import texts
from application.service import Service
from domain.account import Account
from domain.merchant import Merchant
from domain.order import Order

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Content:
    subject: str
    text: str


@dataclass(frozen=True)
class Draft:
    """One mail being written: its outbox row and the language it is written in."""

    mail: OutboxMail
    language: str

    @property
    def t(self) -> dict[str, str]:
        return texts(self.language)

    def money(self, amount: Any) -> str:
        return money(amount, self.language)

    def param(self, name: str) -> UUID:
        return UUID(str(self.mail.params[name]))

    @property
    def version(self) -> int:
        return int(self.mail.params["version"])

    @property
    def merchant_id(self) -> UUID:
        return UUID(self.mail.recipient.split(":", 1)[1])

    def content(self, subject: str, *paragraphs: str) -> Content:
        t = self.t
        return Content(subject, "\n\n".join([t["hello"], *paragraphs, t["signature"]]) + "\n")


class Reader(Service):
    """The log as mails read it, and the links they carry (signed now, never stored)."""

    def __init__(self, *args: Any, accounts: Accounts, base_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        self.base_url = base_url.rstrip("/")

    def url(self, path: str, token: str | None = None) -> str:
        query = f"?{urlencode({'token': token})}" if token is not None else ""
        return f"{self.base_url}{path}{query}"

    def order(self, d: Draft) -> Order:
        order_id, version = d.param("order_id"), d.version
        return once_per_round(("order", order_id, version),
                              lambda: self.at(Order, order_id, version, "order"))

    def merchant(self, merchant_id: UUID) -> Merchant:
        return once_per_round(("merchant", merchant_id),
                              lambda: self.load(Merchant, merchant_id, "merchant"))

    def account(self, d: Draft) -> Account:
        return self.load(Account, Account.create_id(d.mail.subject_id), "account")

    def at(self, cls: type[A], aggregate_id: UUID, version: int, kind: str) -> A:
        """The aggregate as it was just after the event that asked for the mail."""
        try:
            found = self.app.repository.get(aggregate_id, version=version,
                                            projector_func=project)
        except AggregateNotFoundError:
            raise NotFoundError(kind) from None
        if not isinstance(found, cls):
            raise NotFoundError(kind)
        return found
