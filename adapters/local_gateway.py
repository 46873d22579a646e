"""The local payment gateway: Stripe's semantics, in process, with no account anywhere.

Used by the embedded default and the demo. Its records live in a SQLite file beside the
event store (var/local-gateway.sqlite3), so a restart forgets nothing. Outcomes are chosen by
the payment method, after Stripe's test methods:

| method | outcome |
|---|---|
| `pm_card_visa` (default) | authorized, then captured on request |
| `pm_card_chargeDeclined` | failed: `card_declined` |
| `pm_card_insufficientFunds` | failed: `insufficient_funds` |
| `pm_card_timeout` | the gateway does not answer (`GatewayUnavailableError`) |

Every mutating call is idempotent on its key: the same key returns the first answer.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from uuid import UUID, uuid4

from application.errors import GatewayUnavailableError
from application.ports import PaymentOutcome
from domain.errors import RuleViolatedError
from domain.money import Money

DECLINES = {"pm_card_chargeDeclined": "card_declined",
            "pm_card_insufficientFunds": "insufficient_funds"}
TIMEOUT = "pm_card_timeout"


class LocalGateway:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript("""
            CREATE TABLE IF NOT EXISTS payments (id TEXT PRIMARY KEY, order_id TEXT,
                amount INTEGER, status TEXT, captured INTEGER DEFAULT 0,
                refunded INTEGER DEFAULT 0, failure TEXT);
            CREATE TABLE IF NOT EXISTS refunds (id TEXT PRIMARY KEY, payment_id TEXT,
                amount INTEGER);
            CREATE TABLE IF NOT EXISTS answers (idempotency_key TEXT PRIMARY KEY, answer TEXT);
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
            return {"payment_id": payment_id, "status": status, "failure_reason": failure,
                    "client_secret": f"{payment_id}_secret_local"}

        return PaymentOutcome(**self._once(idempotency_key, create))

    def capture(self, payment_id: str, amount: Money, idempotency_key: str) -> PaymentOutcome:
        def capture() -> dict:
            row = self._payment(payment_id)
            if row["status"] not in ("authorized", "captured") or amount.cents > row["amount"]:
                raise RuleViolatedError("payment_not_capturable", status=row["status"])
            self._db.execute("UPDATE payments SET status = 'captured', captured = ? "
                             "WHERE id = ?", (amount.cents, payment_id))
            return {"payment_id": payment_id, "status": "captured"}

        return PaymentOutcome(**self._once(idempotency_key, capture))

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

        return self._once(idempotency_key, refund)["refund_id"]

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

    def _once(self, key: str, act: object) -> dict:
        """The first answer to this key, or do it (and remember the answer) in one transaction."""
        with self._lock:
            row = self._db.execute("SELECT answer FROM answers WHERE idempotency_key = ?",
                                   (key,)).fetchone()
            if row is not None:
                return json.loads(row[0])
            self._db.execute("BEGIN IMMEDIATE")
            try:
                answer = act()  # type: ignore[operator]
                self._db.execute("INSERT INTO answers VALUES (?, ?)", (key, json.dumps(answer)))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return answer
