"""A small fake of Stripe's API, for testing the Stripe adapter with the real stripe library.

stripe-mock cannot be installed here and the other fakes lack Connect, so this one serves the
few endpoints the adapter calls, over real HTTP on 127.0.0.1, with Stripe's form-encoded
requests and error bodies. Every object it answers is a copy of Stripe's own example object
(tests/fixtures/stripe/fixtures3.json) with ids, amounts, statuses and metadata overridden,
so the adapter reads the real shapes. It keeps the behaviour the adapter relies on:

- idempotency: a repeated `Idempotency-Key` replays the first answer (successes and card
  declines; not refusals of invalid requests, which Stripe does not save either) without
  doing anything again; the same key with another path or other parameters is an
  `idempotency_error`, as at Stripe;
- test payment methods: `pm_card_visa` is authorised, `pm_card_chargeDeclined` and
  `pm_card_insufficientFunds` are declined (402, with the PaymentIntent in the error);
- money rules: capture up to the authorised amount, refunds up to the captured amount,
  transfers need a captured source charge and an account whose `transfers` capability is
  active, reversals up to what is not yet reversed and up to the account's balance (transfers
  add to it; `drain` empties it as a payout would).

`fail_next` queues failures (429, 5xx, 402, 400...) answered before anything is done, so
tests can watch the library's retries: `requests` records every attempt with its headers.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

FIXTURES = Path(__file__).parent / "fixtures" / "stripe" / "fixtures3.json"

CARDS = {"pm_card_visa"}
DECLINES = {"pm_card_chargeDeclined": "generic_decline",
            "pm_card_insufficientFunds": "insufficient_funds"}

Json = dict[str, Any]


@cache
def _resources() -> Json:
    return json.loads(FIXTURES.read_text())["resources"]


def fixture(name: str, **overrides: Any) -> Json:
    """A fresh copy of Stripe's example object `name`, with some fields replaced."""
    return copy.deepcopy(_resources()[name]) | overrides


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header, made by stripe-python's own helper."""
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret,
                                                             timestamp)


def signed_event(event_type: str, obj: Json, secret: str, account: str | None = None,
                 timestamp: int | None = None) -> tuple[bytes, str]:
    """A webhook delivery as Stripe sends it: the body and its signature header. The envelope
    is Stripe's example event; `account` marks an event of a connected account."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    event = fixture("event", id=new_id("evt"), type=event_type, created=timestamp,
                    data={"object": obj})
    if account is not None:
        event["account"] = account
    payload = json.dumps(event).encode()
    return payload, sign(payload, secret, timestamp)


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it. Header names are lower-case; nested form fields
    keep Stripe's flat encoding (`metadata[order_id]`)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


class Refusal(Exception):
    """An error answer, in Stripe's shape: {"error": {"type", "code", "message", ...}}."""

    def __init__(self, status: int, type_: str, code: str | None = None,
                 message: str = "Refused.", **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "code": code, "message": message, **extra}}


@dataclass
class _Failure:
    path_prefix: str
    method: str | None
    status: int
    error: Json
    headers: dict[str, str]
    times: int


@dataclass
class FakeStripe:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    payment_intents: dict[str, Json] = field(default_factory=dict)
    charges: dict[str, Json] = field(default_factory=dict)
    refunds: dict[str, Json] = field(default_factory=dict)
    transfers: dict[str, Json] = field(default_factory=dict)
    reversals: dict[str, Json] = field(default_factory=dict)
    accounts: dict[str, Json] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    _answers: dict[str, tuple[str, dict[str, str], int, bytes]] = field(default_factory=dict)
    _failures: list[_Failure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- test controls -------------------------------------------------------------------

    def fail_next(self, path_prefix: str, status: int = 500, *, error_type: str | None = None,
                  code: str | None = None, decline_code: str | None = None,
                  message: str = "Simulated failure.", should_retry: bool | None = None,
                  method: str | None = "POST", times: int = 1) -> None:
        """Answer the next `times` requests under `path_prefix` with this error, doing
        nothing. `should_retry` sends Stripe's `Stripe-Should-Retry` header."""
        default_type = ("card_error" if status == 402 else "api_error" if status >= 500
                        else "invalid_request_error")
        error = {"type": error_type or default_type, "code": code, "message": message}
        if decline_code:
            error["decline_code"] = decline_code
        headers = {} if should_retry is None else {
            "Stripe-Should-Retry": "true" if should_retry else "false"}
        with self._lock:
            self._failures.append(_Failure(path_prefix, method, status, error, headers, times))

    def complete_onboarding(self, account_id: str) -> None:
        """The merchant finished Stripe's hosted onboarding."""
        with self._lock:
            account = self.accounts[account_id]
            account |= {"charges_enabled": True, "payouts_enabled": True,
                        "details_submitted": True}
            account["requirements"] |= {"currently_due": [], "eventually_due": [],
                                        "past_due": [], "disabled_reason": None}
            account["capabilities"] = dict.fromkeys(account["capabilities"], "active")

    def confirm_in_browser(self, intent_id: str, card: str = "pm_card_visa") -> Json:
        """What Stripe.js does when the shopper confirms her card in the Payment Element."""
        with self._lock:
            intent = self.payment_intents[intent_id]
            intent["payment_method"] = card
            self._confirm(intent)
            return dict(intent)

    def drain(self, account_id: str) -> None:
        """The account's balance left in a payout: nothing is left to reverse from."""
        with self._lock:
            self.balances[account_id] = 0

    def sent(self, method: str, path: str) -> list[Recorded]:
        """The requests received for one method and path (every attempt, in order)."""
        return [r for r in self.requests if (r.method, r.path) == (method, path)]

    # --- HTTP ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], form: dict[str, str],
               headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            self.requests.append(Recorded(method, path, query, form, headers))
            if not headers.get("authorization", "").startswith("Bearer sk_"):
                return _answer(Refusal(401, "invalid_request_error", None,
                                       "Invalid API Key provided."))
            failure = self._take_failure(method, path)
            if failure is not None:
                body = json.dumps({"error": failure.error}).encode()
                return failure.status, body, dict(failure.headers)
            key = headers.get("idempotency-key") if method == "POST" else None
            if key is not None and key in self._answers:
                first_path, first_form, status, body = self._answers[key]
                if (first_path, first_form) != (path, form):
                    return _answer(Refusal(
                        400, "idempotency_error", None,
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with."))
                return status, body, {"Idempotent-Replayed": "true"}
            status, body, extra = self._route(method, path, query if method == "GET" else form)
            if key is not None and (status < 400 or status == 402):
                self._answers[key] = (path, form, status, body)
            return status, body, extra

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if path.startswith(failure.path_prefix) and failure.method in (None, method):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _route(self, method: str, path: str,
               params: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        for route_method, pattern, handler in ROUTES:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                try:
                    return 200, json.dumps(handler(self, params, **match.groupdict())).encode(), {}
                except Refusal as refusal:
                    return _answer(refusal)
        return _answer(Refusal(404, "invalid_request_error", None,
                               f"Unrecognized request URL ({method}: {path})."))

    # --- payment intents and charges -----------------------------------------------------

    def _create_payment_intent(self, params: dict[str, str]) -> Json:
        if _list(params, "payment_method_types"):  # writable no more since 2026-09-30.endive
            raise Refusal(400, "invalid_request_error", "payment_method_types_no_longer_supported",
                          "payment_method_types is no longer supported; use "
                          "allowed_payment_method_types.", param="payment_method_types")
        amount = _amount(params, "amount")
        intent_id = new_id("pi")
        intent = fixture(
            "payment_intent", id=intent_id, amount=amount, amount_capturable=0,
            amount_received=0, currency=_required(params, "currency"),
            capture_method=params.get("capture_method", "automatic"),
            client_secret=f"{intent_id}_secret_{uuid.uuid4().hex}", created=int(time.time()),
            canceled_at=None, last_payment_error=None, next_action=None, processing=None,
            transfer_data=None, automatic_payment_methods=None, latest_charge=None,
            metadata=_nested(params, "metadata"), transfer_group=params.get("transfer_group"),
            payment_method_types=_list(params, "allowed_payment_method_types") or ["card"],
            payment_method=params.get("payment_method"), status="requires_payment_method")
        if intent["payment_method"]:
            intent["status"] = "requires_confirmation"
        self.payment_intents[intent_id] = intent
        if params.get("confirm") == "true":
            self._confirm(intent)
        return intent

    def _confirm(self, intent: Json) -> None:
        method = intent["payment_method"]
        if method is None:
            raise Refusal(400, "invalid_request_error", "payment_intent_unexpected_state",
                          "You cannot confirm this PaymentIntent because it's missing a "
                          "payment method.")
        if method not in CARDS and method not in DECLINES:
            raise Refusal(400, "invalid_request_error", "resource_missing",
                          f"No such PaymentMethod: '{method}'", param="payment_method")
        decline = DECLINES.get(method)
        charge = fixture(
            "charge", id=new_id("ch"), amount=intent["amount"], amount_captured=0,
            amount_refunded=0, captured=False, refunded=False, currency=intent["currency"],
            payment_intent=intent["id"], payment_method=method, created=int(time.time()),
            metadata=dict(intent["metadata"]), transfer_group=intent["transfer_group"],
            status="failed" if decline else "succeeded", paid=decline is None,
            failure_code="card_declined" if decline else None,
            failure_message="Your card was declined." if decline else None,
            balance_transaction=None if decline else new_id("txn"), description=None,
            receipt_url=None, source=None, transfer_data=None)
        charge["refunds"] = {"object": "list", "data": [], "has_more": False,
                             "url": f"/v1/charges/{charge['id']}/refunds"}
        self.charges[charge["id"]] = charge
        intent["latest_charge"] = charge["id"]
        if decline:
            error = {"type": "card_error", "code": "card_declined", "decline_code": decline,
                     "message": "Your card was declined.", "charge": charge["id"]}
            intent |= {"status": "requires_payment_method", "payment_method": None,
                       "last_payment_error": error}
            raise Refusal(402, "card_error", "card_declined", error["message"],
                          decline_code=decline, charge=charge["id"],
                          payment_intent=copy.deepcopy(intent))
        intent |= {"status": "requires_capture", "amount_capturable": intent["amount"]}
        if intent["capture_method"] != "manual":
            self._capture_intent(intent, intent["amount"])

    def _capture(self, params: dict[str, str], id: str) -> Json:
        intent = _find(self.payment_intents, id, "payment_intent")
        if intent["status"] != "requires_capture":
            raise Refusal(400, "invalid_request_error", "payment_intent_unexpected_state",
                          "This PaymentIntent could not be captured because it has a status "
                          f"of {intent['status']}.")
        amount = _amount(params, "amount_to_capture", intent["amount_capturable"])
        if amount > intent["amount_capturable"]:
            raise Refusal(400, "invalid_request_error", "amount_too_large",
                          "The amount to capture is above the amount capturable.",
                          param="amount_to_capture")
        self._capture_intent(intent, amount)
        return intent

    def _capture_intent(self, intent: Json, amount: int) -> None:
        intent |= {"status": "succeeded", "amount_received": amount, "amount_capturable": 0}
        self.charges[intent["latest_charge"]] |= {"captured": True, "amount_captured": amount}

    def _get_payment_intent(self, params: dict[str, str], id: str) -> Json:
        intent = copy.deepcopy(_find(self.payment_intents, id, "payment_intent"))
        if "latest_charge" in _list(params, "expand") and intent["latest_charge"]:
            intent["latest_charge"] = self.charges[intent["latest_charge"]]
        return intent

    def _get_charge(self, params: dict[str, str], id: str) -> Json:
        return _find(self.charges, id, "charge")

    def _create_refund(self, params: dict[str, str]) -> Json:
        intent = _find(self.payment_intents, _required(params, "payment_intent"),
                       "payment_intent", param="payment_intent")
        if intent["status"] != "succeeded":
            raise Refusal(400, "invalid_request_error", "payment_intent_unexpected_state",
                          "This PaymentIntent has no captured charge to refund.")
        charge = self.charges[intent["latest_charge"]]
        refundable = charge["amount_captured"] - charge["amount_refunded"]
        amount = _amount(params, "amount", refundable)
        if amount > refundable:
            raise Refusal(400, "invalid_request_error", "amount_too_large",
                          f"Refund amount ({amount}) is greater than unrefunded amount on "
                          f"charge ({refundable}).", param="amount")
        refund = fixture("refund", id=new_id("re"), amount=amount, charge=charge["id"],
                         payment_intent=intent["id"], currency=charge["currency"],
                         created=int(time.time()), metadata=_nested(params, "metadata"),
                         balance_transaction=new_id("txn"), status="succeeded")
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        charge["refunds"]["data"].insert(0, refund)
        self.refunds[refund["id"]] = refund
        return refund

    # --- transfers -----------------------------------------------------------------------

    def _create_transfer(self, params: dict[str, str]) -> Json:
        amount = _amount(params, "amount")
        account = _find(self.accounts, _required(params, "destination"), "destination",
                        param="destination")
        if account["capabilities"].get("transfers") != "active":
            raise Refusal(400, "invalid_request_error", "insufficient_capabilities_for_transfer",
                          "Your destination account needs to have the transfers capability "
                          "enabled.", param="destination")
        source = params.get("source_transaction")
        if source is not None:
            charge = _find(self.charges, source, "charge", param="source_transaction")
            already = sum(t["amount"] for t in self.transfers.values()
                          if t["source_transaction"] == source)
            if not charge["captured"] or already + amount > charge["amount_captured"]:
                raise Refusal(400, "invalid_request_error", "amount_too_large",
                              "The transfer exceeds the available amount of its source "
                              "transaction.", param="amount")
        transfer_id = new_id("tr")
        transfer = fixture(
            "transfer", id=transfer_id, amount=amount, amount_reversed=0, reversed=False,
            currency=_required(params, "currency"), destination=account["id"],
            destination_payment=new_id("py"), balance_transaction=new_id("txn"),
            created=int(time.time()), metadata=_nested(params, "metadata"),
            source_transaction=source, transfer_group=params.get("transfer_group"),
            reversals={"object": "list", "data": [], "has_more": False,
                       "url": f"/v1/transfers/{transfer_id}/reversals"})
        self.transfers[transfer_id] = transfer
        self.balances[account["id"]] += amount
        return transfer

    def _get_transfer(self, params: dict[str, str], id: str) -> Json:
        return _find(self.transfers, id, "transfer")

    def _list_transfers(self, params: dict[str, str]) -> Json:
        group = params.get("transfer_group")
        found = [t for t in reversed(self.transfers.values())  # newest first, as Stripe lists
                 if group is None or t["transfer_group"] == group]
        if "starting_after" in params:
            ids = [t["id"] for t in found]
            found = found[ids.index(params["starting_after"]) + 1:]
        limit = int(params.get("limit", "10"))
        return {"object": "list", "data": found[:limit], "has_more": len(found) > limit,
                "url": "/v1/transfers"}

    def _create_reversal(self, params: dict[str, str], id: str) -> Json:
        transfer = _find(self.transfers, id, "transfer")
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = _amount(params, "amount", left)
        if amount > left:
            raise Refusal(400, "invalid_request_error", "amount_too_large",
                          f"Amount must be no more than {left}.", param="amount")
        if self.balances[transfer["destination"]] < amount:
            raise Refusal(400, "invalid_request_error", "balance_insufficient",
                          "Insufficient funds in the connected account's balance to reverse "
                          "this transfer.")
        reversal = fixture("transfer_reversal", id=new_id("trr"), amount=amount,
                           currency=transfer["currency"], transfer=transfer["id"],
                           created=int(time.time()), metadata=_nested(params, "metadata"),
                           balance_transaction=new_id("txn"),
                           destination_payment_refund=new_id("pyr"))
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, reversal)
        self.balances[transfer["destination"]] -= amount
        self.reversals[reversal["id"]] = reversal
        return reversal

    # --- accounts ------------------------------------------------------------------------

    def _create_account(self, params: dict[str, str]) -> Json:
        account_id = "acct_" + uuid.uuid4().hex[:16]
        requested = [m.group(1) for k, v in params.items()
                     if (m := re.fullmatch(r"capabilities\[(\w+)\]\[requested\]", k))
                     and v == "true"]
        country = params.get("country", "US")
        account = fixture(
            "account", id=account_id, country=country, email=params.get("email"),
            default_currency="cad" if country == "CA" else "usd", type="none",
            created=int(time.time()), metadata=_nested(params, "metadata"),
            capabilities=dict.fromkeys(requested, "inactive"),
            controller={"fees": {"payer": params.get("controller[fees][payer]", "account")},
                        "is_controller": True,
                        "losses": {"payments": params.get("controller[losses][payments]",
                                                          "stripe")},
                        "requirement_collection": "stripe",
                        "stripe_dashboard": {"type": params.get(
                            "controller[stripe_dashboard][type]", "full")},
                        "type": "application"})
        account["external_accounts"]["url"] = f"/v1/accounts/{account_id}/external_accounts"
        self.accounts[account_id] = account
        self.balances[account_id] = 0
        return account

    def _get_account(self, params: dict[str, str], id: str) -> Json:
        return _find(self.accounts, id, "account")

    def _create_account_link(self, params: dict[str, str]) -> Json:
        account = _find(self.accounts, _required(params, "account"), "account", param="account")
        if _required(params, "type") not in ("account_onboarding", "account_update"):
            raise Refusal(400, "invalid_request_error", "parameter_invalid_string",
                          "Invalid type.", param="type")
        _required(params, "refresh_url")
        _required(params, "return_url")
        now = int(time.time())
        return fixture("account_link", created=now, expires_at=now + 300,
                       url=f"https://connect.stripe.com/setup/s/{account['id']}/"
                           f"{uuid.uuid4().hex[:12]}")


Handler = Callable[..., Json]
ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", r"/v1/payment_intents", FakeStripe._create_payment_intent),
    ("GET", r"/v1/payment_intents/(?P<id>[^/]+)", FakeStripe._get_payment_intent),
    ("POST", r"/v1/payment_intents/(?P<id>[^/]+)/capture", FakeStripe._capture),
    ("GET", r"/v1/charges/(?P<id>[^/]+)", FakeStripe._get_charge),
    ("POST", r"/v1/refunds", FakeStripe._create_refund),
    ("POST", r"/v1/transfers", FakeStripe._create_transfer),
    ("GET", r"/v1/transfers", FakeStripe._list_transfers),
    ("GET", r"/v1/transfers/(?P<id>[^/]+)", FakeStripe._get_transfer),
    ("POST", r"/v1/transfers/(?P<id>[^/]+)/reversals", FakeStripe._create_reversal),
    ("POST", r"/v1/accounts", FakeStripe._create_account),
    ("GET", r"/v1/accounts/(?P<id>[^/]+)", FakeStripe._get_account),
    ("POST", r"/v1/account_links", FakeStripe._create_account_link),
]


def _answer(refusal: Refusal) -> tuple[int, bytes, dict[str, str]]:
    return refusal.status, json.dumps(refusal.body).encode(), {}


def _find(objects: dict[str, Json], object_id: str, kind: str, param: str | None = None) -> Json:
    if object_id not in objects:
        raise Refusal(404 if param is None else 400, "invalid_request_error",
                      "resource_missing", f"No such {kind}: '{object_id}'", param=param)
    return objects[object_id]


def _required(params: dict[str, str], name: str) -> str:
    if not params.get(name):
        raise Refusal(400, "invalid_request_error", "parameter_missing",
                      f"Missing required param: {name}.", param=name)
    return params[name]


def _amount(params: dict[str, str], name: str, default: int | None = None) -> int:
    if name not in params and default is not None:
        return default
    text = _required(params, name)
    if not text.isdigit() or int(text) <= 0:
        raise Refusal(400, "invalid_request_error", "parameter_invalid_integer",
                      f"Invalid positive integer: {name}.", param=name)
    return int(text)


def _nested(params: dict[str, str], name: str) -> dict[str, str]:
    """`metadata[order_id]=…` fields back into {"order_id": …}."""
    prefix = f"{name}["
    return {k[len(prefix):-1]: v for k, v in params.items()
            if k.startswith(prefix) and k.endswith("]")}


def _list(params: dict[str, str], name: str) -> list[str]:
    """`expand[0]=…` fields back into a list, in index order."""
    items = sorted((int(k[len(name) + 1:-1]), v) for k, v in params.items()
                   if re.fullmatch(rf"{re.escape(name)}\[\d+\]", k))
    return [v for _, v in items]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeStripe


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:  # the tests' output stays clean
        pass

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        status, payload, headers = self.server.fake.handle(
            method, url.path, dict(parse_qsl(url.query, keep_blank_values=True)),
            dict(parse_qsl(body, keep_blank_values=True)),
            {k.lower(): v for k, v in self.headers.items()})
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", "Request-Id": new_id("req"),
                            "Content-Length": str(len(payload)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def fake_stripe() -> Iterator[FakeStripe]:
    """A fake Stripe listening on 127.0.0.1 (a free port) for the duration of the block."""
    fake = FakeStripe()
    server = _Server(("127.0.0.1", 0), _RequestHandler)
    server.fake = fake
    # A short poll keeps shutdown (which waits for the next poll) from slowing every test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
