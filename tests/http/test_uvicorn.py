"""The real thing: `comptoir serve` (uvicorn) on 127.0.0.1, tokens from `comptoir token issue`.

This is the README's story for a new user, step by step, each step an event in the store.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from api.container import build_container
from api.settings import Settings
from tests.support import COMPTOIR, comptoir_server, listing_body, merchant_body, settings_env


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    with comptoir_server(settings) as base:
        yield base


def token(settings: Settings, *args: str) -> dict[str, str]:
    issued = subprocess.run([COMPTOIR, "token", "issue", *args], env=settings_env(settings),
                            check=True, capture_output=True, text=True).stdout.strip()
    return {"Authorization": f"Bearer {issued}"}


def test_a_new_user_story_over_real_http(server: str, settings: Settings) -> None:
    store = build_container(settings)
    try:
        http = httpx.Client(base_url=server, timeout=10)
        assert http.get("/docs").status_code == 200
        validator = token(settings, "--role", "validator")
        positions = [store.app.log_position()]

        # apply as a merchant
        merchant = http.post("/v1/merchants", json=merchant_body())
        assert merchant.status_code == 201
        merchant_id = merchant.json()["id"]
        positions.append(store.app.log_position())
        # get approved by a validator
        assert http.post(f"/v1/merchants/{merchant_id}/approval",
                         headers=validator).json()["status"] == "approved"
        positions.append(store.app.log_position())
        # create a listing with a merchant token from the CLI
        owner = token(settings, "--role", "merchant", "--merchant-id", merchant_id)
        listing = http.post(f"/v1/merchants/{merchant_id}/listings", headers=owner,
                            json=listing_body())
        listing_id = listing.json()["id"]
        positions.append(store.app.log_position())
        # publish it and set its stock
        assert http.post(f"/v1/listings/{listing_id}/publication",
                         headers=owner).json()["status"] == "published"
        positions.append(store.app.log_position())
        stocked = http.put(f"/v1/listings/{listing_id}/stock", headers=owner, json={"on_hand": 9})
        assert stocked.json()["stock"]["on_hand"] == 9
        positions.append(store.app.log_position())

        assert all(b > a for a, b in zip(positions, positions[1:], strict=False)), positions
        assert http.get(f"/v1/listings/{listing_id}").json()["stock"]["available"] == 9
        # and it is found by search, in French, near Gatineau
        found = http.get("/v1/search/listings", params={"q": "cheddars", "lat": 45.48,
                                                         "lon": -75.7, "radius_km": 25},
                         headers={"Prefer": "read-your-writes"}).json()
        assert [(h["id"], h["available"]) for h in found["items"]] == [(listing_id, 9)]
    finally:
        store.close()


def test_the_cli_refuses_a_merchant_token_without_a_merchant(settings: Settings) -> None:
    result = subprocess.run([COMPTOIR, "token", "issue", "--role", "merchant"],
                            env=settings_env(settings), capture_output=True, text=True)
    assert result.returncode == 2
    assert "--merchant-id" in result.stderr


def test_demo_load_applies_approves_and_stocks_the_demo_merchants(settings: Settings) -> None:
    result = subprocess.run([COMPTOIR, "demo", "load"], env=settings_env(settings),
                            capture_output=True, text=True, check=True)
    assert "Fromagerie du Marché" in result.stdout and "Gatineau" in result.stdout
    store = build_container(settings)
    try:
        topics = [n.topic for n in store.app.recorder.select_notifications(1, 1000)]
        assert topics.count("comptoir.Merchant.Approved") == 4
        assert topics.count("comptoir.Listing.Published") == 8
    finally:
        store.close()


def test_a_read_model_is_rebuilt_from_the_cli(settings: Settings) -> None:
    env = settings_env(settings)
    subprocess.run([COMPTOIR, "demo", "load"], env=env, check=True, capture_output=True)
    result = subprocess.run([COMPTOIR, "project", "rebuild", "search"], env=env, check=True,
                            capture_output=True, text=True)
    store = build_container(settings)
    try:
        head = store.app.log_position()
        assert f"at position {head:,}" in result.stdout
        assert store.projections["search"].position() == head
        assert store.search_store.dump()[1] and len(store.search_store.dump()[1]) == 8
    finally:
        store.close()


def test_the_mail_outbox_refuses_a_rebuild_in_a_sentence_not_a_traceback(
        settings: Settings) -> None:
    env = settings_env(settings)
    result = subprocess.run([COMPTOIR, "project", "rebuild", "notifications"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "the mail outbox is never rebuilt" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
