"""Test helpers: sample bodies and a thin client that knows how to get tokens."""

from __future__ import annotations

import ast
import copy
import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
from fastapi.testclient import TestClient
from psycopg import sql
from starlette.routing import Match

from api.container import Container
from api.settings import Settings
from application.actors import Role

COMPTOIR = str(Path(sys.executable).parent / "comptoir")

_neq_numbers = itertools.count(1_000_001)


def unique_neq() -> str:
    return f"11{next(_neq_numbers):08d}"


def merchant_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Fromagerie du Marché",
        "legal_name": "Fromagerie du Marché inc.",
        "neq": unique_neq(),
        "address": {"street": "123, rue Principale", "municipality": "Gatineau",
                    "postal_code": "J8X 3X7", "region": "07"},
        "categories": ["fromagerie"],
        "contact": {"name": "Sophie Tremblay", "email": "sophie@fromagerie.example",
                    "phone": "819-555-0199"},
        "tax": {"gst_number": "123456789RT0001", "qst_number": "1234567890TQ0001"},
        "fulfilment": {"pickup": True, "delivery_radius_km": 10, "delivery_fee_cents": 500},
    }
    body.update(copy.deepcopy(overrides))
    return body


def listing_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title_fr": "Cheddar fort", "description_fr": "Vieilli deux ans",
        "category": "fromagerie", "price_cents": 1299, "tax_class": "zero_rated",
        "origin": "produced",
    }
    body.update(overrides)
    return body


def literal_path(node: ast.expr, names: dict[str, str] | None = None) -> str | None:
    """The path a string or f-string of the code spells, each placeholder filled with an id
    (or with `names`' value for a constant it names); None for a computed value."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if not isinstance(node, ast.JoinedStr):
        return None
    return "".join(
        str(part.value) if isinstance(part, ast.Constant)
        else (names or {}).get(getattr(part.value, "id", ""), str(uuid4()))
        if isinstance(part, ast.FormattedValue) else str(uuid4()) for part in node.values)


class Api:
    """A TestClient with the container behind it (tokens, log position)."""

    def __init__(self, client: TestClient, container: Container) -> None:
        self.client = client
        self.container = container

    def auth(self, role: Role, merchant_id: UUID | str | None = None) -> dict[str, str]:
        token = self.container.tokens.issue(
            role, merchant_id=UUID(str(merchant_id)) if merchant_id else None)
        return {"Authorization": f"Bearer {token}"}

    def auth_as(self, role: Role, subject: UUID) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.container.tokens.issue(role, subject=subject)}"}

    @property
    def validator(self) -> dict[str, str]:
        return self.auth(Role.VALIDATOR)

    def log_length(self) -> int:
        return self.container.app.log_position()

    def routes(self, method: str, path: str) -> bool:
        """Whether the app has a route for this request (the route checks of links read from
        the code: tests/mail/test_links.py, tests/web/test_page_links.py,
        tests/http/test_locations.py)."""
        request = {"type": "http", "path": path, "method": method}
        return any(route.matches(request)[0] == Match.FULL
                   for route in self.client.app.routes)  # type: ignore[attr-defined]

    def apply(self, **overrides: Any) -> str:
        response = self.client.post("/v1/merchants", json=merchant_body(**overrides))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def approved_merchant(self, **overrides: Any) -> tuple[str, dict[str, str]]:
        merchant_id = self.apply(**overrides)
        response = self.client.post(f"/v1/merchants/{merchant_id}/approval",
                                    headers=self.validator)
        assert response.status_code == 200, response.text
        return merchant_id, self.auth(Role.MERCHANT, merchant_id)

    def listing(self, merchant_id: str, owner: dict[str, str], *, publish: bool = False,
                stock: int | None = None, **overrides: Any) -> str:
        response = self.client.post(f"/v1/merchants/{merchant_id}/listings", headers=owner,
                                    json=listing_body(**overrides))
        assert response.status_code == 201, response.text
        listing_id = response.json()["id"]
        if stock is not None:
            assert self.client.put(f"/v1/listings/{listing_id}/stock", headers=owner,
                                   json={"on_hand": stock}).status_code == 200
        if publish:
            assert self.client.post(f"/v1/listings/{listing_id}/publication",
                                    headers=owner).status_code == 200
        return listing_id


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a `comptoir` process use these settings."""
    env = {"COMPTOIR_BACKEND": settings.backend, "COMPTOIR_DATA_DIR": str(settings.data_dir)}
    if settings.postgres_dsn is not None:
        env["COMPTOIR_POSTGRES_DSN"] = settings.postgres_dsn.get_secret_value()
        env["COMPTOIR_POSTGRES_SCHEMA"] = settings.postgres_schema
        env["COMPTOIR_POSTGRES_CONNECT_TIMEOUT"] = str(settings.postgres_connect_timeout)
    return {**os.environ, **env}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def comptoir_server(settings: Settings, *extra: str,
                    env: dict[str, str] | None = None) -> Iterator[str]:
    """`comptoir serve` (uvicorn) in its own process on 127.0.0.1; yields its base URL."""
    port = free_port()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / f"server-{port}.log"
    with open(log_path, "wb") as log:  # a file, not a pipe nobody reads: that would block
        process = subprocess.Popen([COMPTOIR, "serve", "--port", str(port), *extra],
                                   env={**settings_env(settings), **(env or {})},
                                   stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(base):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"comptoir serve did not start:\n{log_path.read_text()}")
            time.sleep(0.05)
        yield base
    except Exception:
        print(f"--- comptoir serve log ---\n{log_path.read_text()[-5000:]}")
        raise
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def comptoir_worker(settings: Settings) -> Iterator[None]:
    """`comptoir work` in its own process: the read models and jobs of API processes started
    with COMPTOIR_RUN_PROJECTIONS=false (docs/deployment.md)."""
    with open(settings.data_dir / "worker.log", "wb") as log:
        process = subprocess.Popen([COMPTOIR, "work"], env=settings_env(settings),
                                   stdout=log, stderr=log)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def consumer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Marie Tremblay", "email": "marie.tremblay@courriel.example",
        "phone": "819-555-0142",
        "address": {"street": "10, rue Laval", "municipality": "Gatineau",
                    "postal_code": "J8X 1A1", "region": "07"},
    }
    body.update(overrides)
    return body


class Shop:
    """A consumer and merchants ready to trade, through the API."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.consumer_id = uuid4()
        self.consumer = api.auth_as(Role.CONSUMER, self.consumer_id)
        response = api.client.post("/v1/consumers", headers=self.consumer, json=consumer_body())
        assert response.status_code == 201, response.text

    def merchant(self, registered: bool = True, **overrides: Any) -> tuple[str, dict[str, str]]:
        tax = ({"gst_number": "123456789RT0001", "qst_number": "1234567890TQ0001"}
               if registered else {"small_supplier": True})
        return self.api.approved_merchant(tax=tax, **overrides)

    def cart(self, lines: dict[str, int]) -> str:
        cart_id = self.api.client.post("/v1/carts", headers=self.consumer).json()["id"]
        for listing_id, quantity in lines.items():
            response = self.api.client.put(f"/v1/carts/{cart_id}/lines/{listing_id}",
                                           headers=self.consumer, json={"quantity": quantity})
            assert response.status_code == 200, response.text
        return cart_id

    def check_out(self, cart_id: str, **body: Any) -> Any:
        return self.api.client.post(f"/v1/carts/{cart_id}/checkout", headers=self.consumer,
                                    json=body)


def drop_schema(settings: Settings) -> None:
    assert settings.postgres_dsn is not None
    with psycopg.connect(settings.postgres_dsn.get_secret_value(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
            sql.Identifier(settings.postgres_schema)))


def everything_stored(settings: Settings, mailbox: bool = True) -> bytes:
    """Every byte the platform keeps: the SQLite files (with their WAL), or a pg_dump, and
    the files of its data directory. `mailbox=False` leaves out the development mailbox
    (data_dir/mail): mails as their recipients' inboxes hold them, in clear until the person
    is erased (production sends them and keeps none)."""
    mail = Path(settings.data_dir) / "mail"
    files = b"".join(p.read_bytes() for p in sorted(Path(settings.data_dir).rglob("*"))
                     if p.is_file() and ".log" not in p.name
                     and (mailbox or not p.is_relative_to(mail)))
    if settings.backend == "sqlite":
        return files
    assert settings.postgres_dsn is not None
    pg_dump = Path(os.environ["COMPTOIR_TEST_PGBIN"]) / "pg_dump"
    return subprocess.run([str(pg_dump), "--schema", settings.postgres_schema,
                           settings.postgres_dsn.get_secret_value()],
                          check=True, capture_output=True).stdout + files


class AfterFirstStatement:
    """A cursor that runs `between` once its first statement has run (a commit from
    elsewhere landing in the middle of a read)."""

    def __init__(self, cursor: Any, between: Any) -> None:
        self._cursor, self._between = cursor, between

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = self._cursor.execute(*args, **kwargs)
        if self._between is not None:
            between, self._between = self._between, None
            between()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)
