"""Several processes on one PostgreSQL (docs/deployment.md): two API processes that do no
background work and `comptoir work` doing it. 64 clients, spread over both API processes, race
for the last 10 units: exactly 10 sold, search shows them sold, the payouts ledger has the 10
orders. Then the worker is killed (SIGKILL: no goodbye) and a second one, started while the
first held every lease and idle until then, takes over: the next sale reaches search and the
ledger, and nothing is applied twice."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest
from psycopg import sql

from api.auth import Tokens
from api.settings import Settings
from application.actors import Role
from tests.conftest import postgres_dsn
from tests.journeys.helpers import eventually
from tests.support import (
    COMPTOIR,
    comptoir_server,
    consumer_body,
    listing_body,
    merchant_body,
    settings_env,
)

CLIENTS, UNITS = 64, 10
API_ONLY = {"COMPTOIR_RUN_PROJECTIONS": "false"}


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Settings]:
    dsn, schema = postgres_dsn(), f"t_{uuid4().hex[:12]}"
    yield Settings(backend="postgres", postgres_dsn=dsn, postgres_schema=schema,
                   postgres_pool_size=4, data_dir=tmp_path / "var")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def worker(settings: Settings, name: str, *options: str
           ) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    log_path = settings.data_dir / f"{name}.log"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen([COMPTOIR, "work", *options], env={
            **settings_env(settings), "COMPTOIR_JOBS_INTERVAL_SECONDS": "1"},
            stdout=log, stderr=log)
    try:
        yield process, log_path
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


def niceness(pid: int) -> int:
    """Its Unix niceness (the 19th field of /proc/PID/stat, after the parenthesised name)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[16])


def taken(log_path: Path) -> set[str]:
    """The leases a worker took, from its log ("lease projection:search taken by …")."""
    return {line.split("lease ", 1)[1].split(" ", 1)[0]
            for line in log_path.read_text().splitlines() if "taken by this process" in line}


def test_two_api_processes_and_a_worker_sell_the_last_units_once_and_a_second_worker_takes_over(
        postgres: Settings) -> None:
    settings = postgres
    with ExitStack() as stack:
        first, first_log = stack.enter_context(worker(settings, "worker-1"))
        one = stack.enter_context(comptoir_server(settings, env=API_ONLY))
        two = stack.enter_context(comptoir_server(settings, env=API_ONLY))
        tokens = Tokens.from_settings(settings)  # the same development key as the servers'
        http = stack.enter_context(httpx.Client(base_url=one, timeout=60))

        def bearer(role: Role, **claims: Any) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens.issue(role, **claims)}"}

        merchant_id = http.post("/v1/merchants", json=merchant_body()).json()["id"]
        assert http.post(f"/v1/merchants/{merchant_id}/approval",
                         headers=bearer(Role.VALIDATOR)).status_code == 200
        owner = bearer(Role.MERCHANT, merchant_id=merchant_id)
        listing_id = http.post(f"/v1/merchants/{merchant_id}/listings", headers=owner,
                               json=listing_body(title_fr="Sirop d'érable ambré")).json()["id"]
        http.put(f"/v1/listings/{listing_id}/stock", headers=owner, json={"on_hand": UNITS})
        assert http.post(f"/v1/listings/{listing_id}/publication",
                         headers=owner).status_code == 200

        shoppers = []
        for number in range(CLIENTS + 1):  # the last one buys after the takeover
            base = (one, two)[number % 2]
            consumer = bearer(Role.CONSUMER, subject=uuid4())
            assert httpx.post(f"{base}/v1/consumers", headers=consumer,
                              json=consumer_body()).status_code == 201
            cart_id = httpx.post(f"{base}/v1/carts", headers=consumer).json()["id"]
            assert httpx.put(f"{base}/v1/carts/{cart_id}/lines/{listing_id}", headers=consumer,
                             json={"quantity": 1}).status_code == 200
            shoppers.append((base, consumer, cart_id))
        late = shoppers.pop()

        start = threading.Barrier(CLIENTS)

        def buy(shopper: tuple[str, dict[str, str], str]) -> httpx.Response:
            base, consumer, cart_id = shopper
            with httpx.Client(base_url=base, timeout=60) as own:
                start.wait()
                return own.post(f"/v1/carts/{cart_id}/checkout", headers=consumer, json={})

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            answers = list(pool.map(buy, shoppers))
        assert sorted(a.status_code for a in answers) == [201] * UNITS + [409] * (CLIENTS - UNITS)
        sold = [a.json() for a in answers if a.status_code == 201]
        by_process = {base: sum(1 for (b, _, _), a in zip(shoppers, answers, strict=True)
                                if b == base) for base in (one, two)}
        assert by_process == {one: CLIENTS // 2, two: CLIENTS // 2}

        def search_hit() -> dict[str, Any] | None:
            found = http.get("/v1/search/listings", params={"q": "sirop d'érable"}).json()
            return next((h for h in found["items"] if h["id"] == listing_id), None)

        hit = eventually(search_hit, lambda h: h is not None and h["available"] == 0, 20)
        assert hit is not None and (hit["available"], hit["in_stock"]) == (0, False)

        def ledger() -> dict[str, Any]:
            return dict(http.get(f"/v1/merchants/{merchant_id}/payouts", headers=owner).json())

        figures = eventually(ledger, lambda page: len(page["items"]) == UNITS, 20)
        assert sorted(o["order_id"] for o in figures["items"]) == sorted(o["id"] for o in sold)
        assert figures["totals"]["gross_cents"] == sum(o["total"]["cents"] for o in sold)
        held_by_first = eventually(lambda: taken(first_log), lambda held: len(held) >= 11, 10)
        assert {"jobs", "mail-sender", "projection:search", "projection:payouts",
                "projection:audit"} <= held_by_first  # every piece, all in the first worker
        # Below the API processes (which a checkout waits on), by default and as asked.
        assert niceness(first.pid) - niceness(os.getpid()) == 10

        # A second worker waits while the first holds every lease, then takes over.
        second, second_log = stack.enter_context(worker(settings, "worker-2", "--nice", "3"))
        time.sleep(3)
        assert niceness(second.pid) - niceness(os.getpid()) == 3
        assert taken(second_log) == set()
        first.kill()
        first.wait(timeout=10)
        assert http.put(f"/v1/listings/{listing_id}/stock", headers=owner,
                        json={"on_hand": UNITS + 5}).status_code == 200
        base, consumer, cart_id = late
        bought = httpx.post(f"{base}/v1/carts/{cart_id}/checkout", headers=consumer, json={})
        assert bought.status_code == 201, bought.text

        hit = eventually(search_hit, lambda h: h is not None and h["available"] == 4, 30)
        assert hit is not None and hit["available"] == 4
        figures = eventually(ledger, lambda page: len(page["items"]) == UNITS + 1, 30)
        assert len(figures["items"]) == UNITS + 1  # nothing lost, nothing twice
        assert figures["totals"]["gross_cents"] == sum(
            o["total"]["cents"] for o in [*sold, bought.json()])
        assert eventually(lambda: taken(second_log), lambda held: held == held_by_first,
                          10) == held_by_first
        assert second.poll() is None


def test_serve_with_two_workers_loads_the_demo_once_and_both_answer(postgres: Settings) -> None:
    with comptoir_server(postgres, "--workers", "2", "--demo") as base:
        log = next(postgres.data_dir.glob("server-*.log"))
        started = eventually(log.read_text, lambda text: text.count(
            "Application startup complete") == 2, 30)
        assert started.count("Application startup complete") == 2
        merchants = eventually(
            lambda: httpx.get(f"{base}/v1/search/merchants", params={"page_size": 50}).json(),
            lambda page: page["total"] > 0, 30)
        names = [m["name"] for m in merchants["items"]]
        assert len(names) == len(set(names)) > 0  # the demo once, not once per process
