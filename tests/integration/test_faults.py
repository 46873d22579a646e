"""Faults, on the real stores: a projection worker killed with SIGKILL mid-stream and
restarted; PostgreSQL restarted while clients keep checking out over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from api.container import build_container
from api.replay import replay
from api.settings import Settings
from application.actors import Actor, Role
from tests.conftest import postgres_dsn
from tests.integration.test_payouts import Market
from tests.support import (
    COMPTOIR,
    comptoir_server,
    drop_schema,
    listing_body,
    merchant_body,
    settings_env,
)


def wait_until(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_killed_mid_stream_resumes_and_its_read_model_equals_a_rebuild(
    settings: Settings,
) -> None:
    quiet = settings.model_copy(update={"run_projections": False})
    container = build_container(quiet)
    try:
        market = Market(container)
        owners = list(market.owners.items())
        for n in range(1500):  # a stream long enough to kill the worker in its middle
            merchant_id, owner = owners[n % len(owners)]
            container.catalog.set_stock(owner, market.listings[merchant_id], 100 + n % 50)
        head = container.app.log_position()
        follower = container.projections["search"]
        env = {**settings_env(quiet), "COMPTOIR_RUN_PROJECTIONS": "false"}
        worker = subprocess.Popen([COMPTOIR, "project", "run", "search"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: follower.position() > 0)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        killed_at = follower.position()
        assert killed_at > 0  # it had started; where it stopped is whatever SIGKILL chose
        restarted = subprocess.Popen([COMPTOIR, "project", "run", "search"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: follower.position() >= head)
        finally:
            restarted.terminate()
            restarted.wait(timeout=10)
        found = replay(container)
        assert found["search"] == []  # nothing lost, nothing applied twice
    finally:
        container.close()


@pytest.fixture
def postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    """PostgreSQL only: restarting the server is what this test is about."""
    settings = Settings(backend="postgres", postgres_dsn=postgres_dsn(),
                        postgres_schema=f"t_{uuid4().hex[:12]}", postgres_pool_size=4,
                        data_dir=tmp_path / "var")
    yield settings
    drop_schema(settings)


def test_postgres_restarted_under_checkouts_recovers_and_loses_nothing(
    postgres_settings: Settings,
) -> None:
    settings = postgres_settings
    store = build_container(settings.model_copy(update={"run_projections": False}))
    try:
        validator = {"Authorization": f"Bearer {store.tokens.issue(Role.VALIDATOR)}"}
        # Give up on a dead connection fast, so that the outage shows as 503s within it.
        quick = settings.model_copy(update={"postgres_connect_timeout": 1})
        with comptoir_server(quick) as base:
            http = httpx.Client(base_url=base, timeout=10)
            merchant = http.post("/v1/merchants", json=merchant_body()).json()["id"]
            http.post(f"/v1/merchants/{merchant}/approval", headers=validator)
            owner = {"Authorization": "Bearer " + store.tokens.issue(
                Role.MERCHANT, merchant_id=UUID(merchant))}
            listing = http.post(f"/v1/merchants/{merchant}/listings", headers=owner,
                                json=listing_body()).json()["id"]
            http.put(f"/v1/listings/{listing}/stock", headers=owner, json={"on_hand": 100_000})
            http.post(f"/v1/listings/{listing}/publication", headers=owner)

            outcomes: list[tuple[int, str | None, str | None]] = []
            stop = threading.Event()

            def client() -> None:
                me = uuid4()
                token = store.tokens.issue(Role.CONSUMER, subject=me)
                headers = {"Authorization": f"Bearer {token}"}
                c = httpx.Client(base_url=base, timeout=60)
                c.post("/v1/consumers", headers=headers,
                       json={"name": "Client Panne", "email": "panne@x.example"})
                while not stop.is_set():
                    try:
                        cart = c.post("/v1/carts", headers=headers)
                        if cart.status_code != 201:
                            outcomes.append((cart.status_code, None, _code(cart)))
                            continue
                        cart_id = cart.json()["id"]
                        line = c.put(f"/v1/carts/{cart_id}/lines/{listing}", headers=headers,
                                     json={"quantity": 1})
                        if line.status_code != 200:
                            outcomes.append((line.status_code, None, _code(line)))
                            continue
                        done = c.post(f"/v1/carts/{cart_id}/checkout", headers=headers)
                        order = done.json().get("id") if done.status_code == 201 else None
                        outcomes.append((done.status_code, order, _code(done)))
                    except httpx.TransportError:
                        outcomes.append((0, None, "transport"))
                        time.sleep(0.1)

            threads = [threading.Thread(target=client) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            pg_ctl = Path(os.environ["COMPTOIR_TEST_PGBIN"]) / "pg_ctl"
            data = os.environ["COMPTOIR_TEST_PGDATA"]
            as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
            subprocess.run([*as_postgres, str(pg_ctl), "-D", data, "-m", "fast", "-w", "stop"],
                           check=True, capture_output=True)
            time.sleep(18)  # longer than 10 connection attempts: some requests give up
            subprocess.run([*as_postgres, str(pg_ctl), "-D", data, "-w", "-l",
                            os.environ["COMPTOIR_TEST_PGLOG"], "start"], check=True,
                           capture_output=True)
            wait_until(lambda: _ready(http), timeout=90)
            time.sleep(1.5)
            stop.set()
            for t in threads:
                t.join(timeout=30)

        statuses = {status for status, _, _ in outcomes}
        assert 201 in statuses
        refused = {(s, code) for s, _, code in outcomes if s >= 500}
        assert refused <= {(503, "database_unavailable")}, refused  # clear, never a 500
        assert (503, "database_unavailable") in refused  # clients saw the outage
        after = [s for s, _, _ in outcomes[-8:]]
        assert 201 in after  # and it recovered by itself
        sold = [order for status, order, _ in outcomes if status == 201]
        for order_id in sold:  # every 2xx is in the log, whole
            order = store.orders.get(Actor(Role.AUDITOR, "test"), UUID(order_id))
            assert order.payment_status == "captured"
        listing_view = store.catalog.get(Actor(Role.AUDITOR, "test"),
                                         UUID(listing))
        placed = [n for n in store.app.recorder.select_notifications(1, 10**6)
                  if n.topic == "comptoir.Order.Placed"]
        assert listing_view.reserved == len(placed)  # no half-applied checkout
        assert len(placed) >= len(sold)
    finally:
        store.close()


def _ready(http: httpx.Client) -> bool:
    try:
        return http.get("/ready", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _code(response: httpx.Response) -> str | None:
    try:
        return response.json().get("code")
    except ValueError:
        return None

