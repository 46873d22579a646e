"""A developer runs the server in one terminal and, from another directory, asks the CLI for a
validator token. A token signed with some other key would be refused by the server with no
clue why; the CLI must say which data directory it used (or refuse, naming it)."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from api.settings import Settings
from tests.journeys.helpers import GATINEAU, Marketplace, merchant_application
from tests.support import COMPTOIR, settings_env


def flat(text: str) -> str:
    """Output with line wrapping and rich's box drawing undone: a path can be searched in it."""
    return re.sub(r"[\s│╭╮╰╯─]+", "", text)


def test_token_from_another_directory(market: Marketplace, settings: Settings,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    # Another terminal, another directory (no var/ in it or above it), no COMPTOIR_DATA_DIR.
    elsewhere = tmp_path_factory.mktemp("ailleurs")
    env = {k: v for k, v in settings_env(settings).items() if k != "COMPTOIR_DATA_DIR"}
    env["COLUMNS"] = "500"
    issued = subprocess.run([COMPTOIR, "token", "issue", "--role", "validator"], cwd=elsewhere,
                            env=env, capture_output=True, text=True, timeout=60)

    # The CLI names the data directory it looked in: refusing, or on stderr next to the token.
    looked_in = elsewhere / "var"
    names = {flat(str(looked_in)), flat(os.path.realpath(looked_in))}
    if issued.returncode != 0:
        said = flat(issued.stdout + issued.stderr)
        assert any(name in said for name in names), (
            f"refused without naming {looked_in}:\n{issued.stdout}{issued.stderr}")
    else:
        assert any(name in flat(issued.stderr) for name in names), (
            f"issued a token without saying which data directory (key) it used; "
            f"stderr was {issued.stderr!r}")
        # Such a token is signed with another key: the server refuses it.
        token = issued.stdout.strip()
        merchant_id = market.apply(merchant_application("Quincaillerie Dubé", GATINEAU,
                                                        ["quincaillerie"]))
        refused = market.http.post(f"/v1/merchants/{merchant_id}/approval",
                                   headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401

    # Told where to point it, the developer sets COMPTOIR_DATA_DIR: the token works.
    env["COMPTOIR_DATA_DIR"] = str(settings.data_dir.resolve())
    fixed = subprocess.run([COMPTOIR, "token", "issue", "--role", "validator"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, timeout=60)
    assert fixed.returncode == 0, fixed.stderr
    merchant_id = market.apply(merchant_application("Quincaillerie Dubé et fils", GATINEAU,
                                                    ["quincaillerie"]))
    approved = market.http.post(f"/v1/merchants/{merchant_id}/approval",
                                headers={"Authorization": f"Bearer {fixed.stdout.strip()}"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
