"""Who is calling: the cost every request pays to be recognised, and the cost of a sign-in.

Per request (Authenticator.actor on a request's headers, in process): an access token of an
account (JWT + the account's sessions epoch, checked against the log and remembered 5 s), a
browser session (a row of the sessions table, read every time), a merchant's API key (the log,
remembered 10 s). Baseline: PyJWT decoding the same token alone, what any JWT API pays.
Sign-in: Accounts.sign_in (rate-limit counters, the blind index, the account from the log,
Argon2id), beside its baseline, one Argon2id verification alone.

    python -m bench.authentication --backend sqlite|postgres [--count N] [--runs R]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from uuid import UUID

import jwt
from starlette.requests import Request

from adapters.passwords import Argon2Passwords
from api.authentication import SESSION_COOKIE
from api.container import build_container
from api.schemas.merchants import MerchantApplicationIn
from application.actors import Actor, Role
from bench.common import Figures, measure, median_of_runs, report
from bench.stock_updates import settings_for
from domain.merchant_profile import ApplicationForm
from tests.support import merchant_body

PASSWORD = "un mot de passe de banc d'essai"


def request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


def run(backend: str, count: int = 2000, runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        container = build_container(settings_for(backend, Path(tmp)))
        try:
            accounts, auth = container.accounts, container.authenticator
            account_id = accounts.create_verified("banc@essai.example", PASSWORD)
            identity = accounts.sign_in("banc@essai.example", PASSWORD, client="bench")
            token = container.tokens.issue(identity.role, subject=account_id,
                                           epoch=identity.epoch)
            session = container.sessions.open(identity)
            merchant = container.merchants.apply(
                _form(), applicant=Actor(Role.CONSUMER, str(account_id)))
            container.merchants.approve(Actor(Role.VALIDATOR, "bench"), merchant.id)
            owner = Actor(Role.MERCHANT, str(account_id), merchant.id)
            key = container.api_keys.issue(owner, merchant.id, "banc").key
            assert key is not None

            secret = container.tokens.keys[container.tokens.signing_key_id]
            paths = {
                "access token (JWT + epoch)": request({"Authorization": f"Bearer {token}"}),
                "session cookie (sessions table)": request(
                    {"Cookie": f"{SESSION_COOKIE}={session}"}),
                "API key (cached 10 s)": request({"Authorization": f"Bearer {key}"}),
            }
            for r in paths.values():  # each recognises its account, or the bench is wrong
                assert auth.actor(r).subject in (str(account_id), str(UUID(key[3:35])))

            def baseline(_: int) -> None:
                jwt.decode(token, secret, algorithms=["HS256"], audience="comptoir-api",
                           issuer="comptoir")

            rows: list[tuple[Figures, Figures | None]] = []
            base = median_of_runs([measure("baseline: jwt.decode alone", baseline, count)
                                   for _ in range(runs)])
            for name, r in paths.items():
                figures = median_of_runs([measure(name, lambda _, r=r: auth.actor(r), count)
                                          for _ in range(runs)])
                rows.append((figures, base))
            rows.append((base, None))

            hasher = Argon2Passwords()
            hashed = hasher.hash(PASSWORD)
            argon = measure("baseline: one Argon2id verify", lambda _: hasher.verify(
                PASSWORD, hashed), 20, warmup=2)
            sign_in = measure("sign-in (Accounts.sign_in)", lambda _: accounts.sign_in(
                "banc@essai.example", PASSWORD, client="bench"), 20, warmup=2)
            rows += [(sign_in, argon), (argon, None)]
            report(f"Authentication per request and sign-in — {backend}", rows)
        finally:
            container.close()


def _form() -> ApplicationForm:
    return MerchantApplicationIn.model_validate(merchant_body()).to_form()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    run(args.backend, args.count, args.runs)
