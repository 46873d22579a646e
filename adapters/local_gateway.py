"""The local payment gateway: Stripe's semantics, in process, with no account anywhere.

Used by the embedded default and the demo. Its records live in a SQLite file beside the
event store (var/local-gateway.sqlite3), so a restart forgets nothing. Outcomes are chosen by
the payment method, after Stripe's test methods:

| method | outcome |
|---|---|
| `pm_card_visa` (default) | authorized, then captured on request |
| `pm_card_chargeDeclined` | failed: `generic_decline` (Stripe's decline code) |
| `pm_card_insufficientFunds` | failed: `insufficient_funds` |
| `pm_card_timeout` | the gateway does not answer (`GatewayUnavailableError`) |

Connected accounts are ready as soon as they are opened (there is nobody to onboard); each has
a balance that transfers fill and reversals draw on. `pay_out(account)` empties it as a bank
payout would, so that the next reversal is refused with `balance_insufficient`, as at Stripe.

Every mutating call is idempotent on its key: the same key with the same parameters returns the
first answer, with other parameters it is refused (`IdempotencyKeyReusedError`), and a refused
request is not remembered — all as Stripe does. tests/integration/test_gateway_contract.py holds
this gateway and the Stripe adapter to one contract.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from uuid import UUID, uuid4

from application.errors import (
    GatewayUnavailableError,
    IdempotencyKeyReusedError,
    ReversalRefusedError,
)
from application.ports import OrderRecords, PaymentOutcome, PayoutAccountStatus, TransferRecord
from domain.errors import RuleViolatedError
from domain.money import Money

DECLINES = {"pm_card_chargeDeclined": "generic_decline",
            "pm_card_insufficientFunds": "insufficient_funds"}
TIMEOUT = "pm_card_timeout"


class LocalGateway:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A stand-in for Stripe in development and benchmarks: its file shared by every API
        # process serialises their charges on one write lock, which a sync to disk per commit
        # (two per checkout) held for a millisecond or two each. NORMAL: safe from a crash of
        # the process, not of the machine — which a development gateway does not need.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript("""
            CREATE TABLE IF NOT EXISTS payments (id TEXT PRIMARY KEY, order_id TEXT,
                amount INTEGER, status TEXT, captured INTEGER DEFAULT 0,
                refunded INTEGER DEFAULT 0, failure TEXT);
            CREATE TABLE IF NOT EXISTS refunds (id TEXT PRIMARY KEY, payment_id TEXT,
                amount INTEGER);
            CREATE TABLE IF NOT EXISTS answers (idempotency_key TEXT PRIMARY KEY, answer TEXT);
            CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, merchant_id TEXT,
                balance INTEGER DEFAULT 0);
            CREATE TABLE IF NOT EXISTS transfers (id TEXT PRIMARY KEY, payment_id TEXT,
                order_id TEXT, merchant_id TEXT, account_id TEXT, amount INTEGER,
                reversed INTEGER DEFAULT 0);
            CREATE TABLE IF NOT EXISTS payouts (id TEXT PRIMARY KEY, account_id TEXT,
                amount INTEGER);
        """)
        self._lock = threading.Lock()

    def create_payment(self, order_id: UUID, amount: Money, method: str | None,
                       idempotency_key: str) -> PaymentOutcome:
        if method == TIMEOUT:
            raise GatewayUnavailableError("timeout")

        def create() -> dict:
            payment_id = f"pi_local_{uuid4().hex[:24]}"
            failure = DECLINES.get(method or "")
            status = "failed" if failure else "authorized"
            self._db.execute("INSERT INTO payments (id, order_id, amount, status, failure) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (payment_id, str(order_id), amount.cents, status, failure))
            # Nothing to confirm on a device here: no client secret, as at Stripe for a
            # payment that needs none.
            return {"payment_id": payment_id, "status": status, "failure_reason": failure}

        return PaymentOutcome(**self._once(idempotency_key, create,
                                           (str(order_id), amount.cents, method)))

    def capture(self, payment_id: str, amount: Money, idempotency_key: str) -> PaymentOutcome:
        def capture() -> dict:
            row = self._payment(payment_id)
            if row["status"] != "authorized" or amount.cents > row["amount"]:
                raise RuleViolatedError("payment_not_capturable", status=row["status"])
            self._db.execute("UPDATE payments SET status = 'captured', captured = ? "
                             "WHERE id = ?", (amount.cents, payment_id))
            return {"payment_id": payment_id, "status": "captured"}

        return PaymentOutcome(**self._once(idempotency_key, capture, (payment_id, amount.cents)))

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        def refund() -> dict:
            row = self._payment(payment_id)
            if row["status"] != "captured" or row["refunded"] + amount.cents > row["captured"]:
                raise RuleViolatedError("refund_exceeds_captured")
            refund_id = f"re_local_{uuid4().hex[:24]}"
            self._db.execute("INSERT INTO refunds VALUES (?, ?, ?)",
                             (refund_id, payment_id, amount.cents))
            self._db.execute("UPDATE payments SET refunded = refunded + ? WHERE id = ?",
                             (amount.cents, payment_id))
            return {"refund_id": refund_id}

        return self._once(idempotency_key, refund, (payment_id, amount.cents))["refund_id"]

    def transfer(self, *, payment_id: str, account_id: str, amount: Money, order_id: UUID,
                 merchant_id: UUID, idempotency_key: str) -> str:
        def transfer() -> dict:
            row = self._payment(payment_id)
            moved = self._db.execute("SELECT COALESCE(SUM(amount - reversed), 0) FROM transfers "
                                     "WHERE payment_id = ?", (payment_id,)).fetchone()[0]
            if row["status"] != "captured" or moved + amount.cents > row["captured"]:
                raise RuleViolatedError("transfer_exceeds_charge")
            if self._db.execute("SELECT 1 FROM accounts WHERE id = ?",
                                (account_id,)).fetchone() is None:
                raise RuleViolatedError("account_unknown")
            transfer_id = f"tr_local_{uuid4().hex[:24]}"
            self._db.execute("INSERT INTO transfers (id, payment_id, order_id, merchant_id, "
                             "account_id, amount) VALUES (?, ?, ?, ?, ?, ?)",
                             (transfer_id, payment_id, str(order_id), str(merchant_id),
                              account_id, amount.cents))
            self._db.execute("UPDATE accounts SET balance = balance + ? WHERE id = ?",
                             (amount.cents, account_id))
            return {"transfer_id": transfer_id}

        return self._once(idempotency_key, transfer, (payment_id, account_id, amount.cents,
                                                      str(order_id)))["transfer_id"]

    def reverse_transfer(self, transfer_id: str, amount: Money, idempotency_key: str) -> str:
        def reverse() -> dict:
            row = self._db.execute(
                "SELECT t.amount - t.reversed, a.balance, a.id FROM transfers t JOIN accounts a "
                "ON a.id = t.account_id WHERE t.id = ?", (transfer_id,)).fetchone()
            if row is None or amount.cents > row[0]:
                raise RuleViolatedError("reversal_exceeds_transfer")
            if amount.cents > row[1]:
                raise ReversalRefusedError("balance_insufficient")
            self._db.execute("UPDATE transfers SET reversed = reversed + ? WHERE id = ?",
                             (amount.cents, transfer_id))
            self._db.execute("UPDATE accounts SET balance = balance - ? WHERE id = ?",
                             (amount.cents, row[2]))
            return {"reversal_id": f"trr_local_{uuid4().hex[:24]}"}

        return self._once(idempotency_key, reverse, (transfer_id, amount.cents))["reversal_id"]

    def open_account(self, merchant_id: UUID, idempotency_key: str) -> str:
        def open_account() -> dict:
            account_id = f"acct_local_{uuid4().hex[:16]}"
            self._db.execute("INSERT INTO accounts (id, merchant_id) VALUES (?, ?)",
                             (account_id, str(merchant_id)))
            return {"account_id": account_id}

        return self._once(idempotency_key, open_account, (str(merchant_id),))["account_id"]

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        return f"{return_url}?account={account_id}&onboarding=local"

    def account_status(self, account_id: str) -> PayoutAccountStatus:
        if self._db.execute("SELECT 1 FROM accounts WHERE id = ?",
                            (account_id,)).fetchone() is None:
            raise RuleViolatedError("account_unknown")
        return PayoutAccountStatus(account_id, charges_enabled=True, payouts_enabled=True,
                                   details_submitted=True)

    def order_records(self, order_id: UUID, payment_id: str | None) -> OrderRecords:
        payment = self._payment(payment_id) if payment_id else None
        rows = self._db.execute("SELECT id, merchant_id, amount, reversed FROM transfers "
                                "WHERE order_id = ? ORDER BY rowid", (str(order_id),)).fetchall()
        return OrderRecords(
            captured=Money(payment["captured"] if payment else 0),
            refunded=Money(payment["refunded"] if payment else 0),
            transfers=tuple(TransferRecord(r[0], UUID(r[1]), Money(r[2]), Money(r[3]))
                            for r in rows))

    def pay_out(self, account_id: str) -> Money:
        """Send the account's balance to the merchant's bank, as a Stripe payout would."""
        with self._lock:
            balance = self._db.execute("SELECT balance FROM accounts WHERE id = ?",
                                       (account_id,)).fetchone()[0]
            self._db.execute("INSERT INTO payouts VALUES (?, ?, ?)",
                             (f"po_local_{uuid4().hex[:24]}", account_id, balance))
            self._db.execute("UPDATE accounts SET balance = 0 WHERE id = ?", (account_id,))
        return Money(balance)

    def payment(self, payment_id: str) -> dict:
        """The gateway's record (for reconciliation and tests)."""
        return self._payment(payment_id)

    def close(self) -> None:
        self._db.close()

    def _payment(self, payment_id: str) -> dict:
        self._db.row_factory = sqlite3.Row
        row = self._db.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
        self._db.row_factory = None
        if row is None:
            raise RuleViolatedError("payment_unknown")
        return dict(row)

    def _once(self, key: str, act: object, asked: tuple) -> dict:
        """The first answer to this key, or do it (and remember the answer) in one transaction.
        The same key with other parameters is refused, as at Stripe."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM answers WHERE idempotency_key = ?",
                                   (key,)).fetchone()
            if row is not None:
                remembered = json.loads(row[0])
                if remembered.pop("_asked", list(asked)) != list(asked):
                    raise IdempotencyKeyReusedError()
                return remembered
            self._db.execute("BEGIN IMMEDIATE")
            try:
                answer = act()  # type: ignore[operator]
                self._db.execute("INSERT INTO answers VALUES (?, ?)",
                                 (key, json.dumps({**answer, "_asked": list(asked)})))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return answer
