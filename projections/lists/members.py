"""Who acts for each merchant: its people's account ids and memberships, in the order they
joined (the portal's team page, the language of a merchant's mails). Ids only: an address is
read from the account when it is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.account import Account


class MemberRows(Protocol):
    def member_joined(self, merchant_id: UUID, account_id: UUID, membership: str,
                      at: datetime) -> None: ...

    def member_left(self, merchant_id: UUID, account_id: UUID) -> None: ...


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    Account.MerchantJoined: lambda e, rows: rows.member_joined(
        e.merchant_id, e.originator_id, e.membership, e.timestamp),
    Account.MerchantLeft: lambda e, rows: rows.member_left(e.merchant_id, e.originator_id),
}
