"""`comptoir demo story` and `comptoir payouts reconcile` as a user runs them, both backends:
three merchants, one cart, one payment, fulfilment, transfers, a refund and its reversal —
every figure balanced, and the ledger agreeing with the gateway."""

from __future__ import annotations

import subprocess

from api.settings import Settings
from tests.support import COMPTOIR, settings_env


def comptoir(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([COMPTOIR, *args], env={**settings_env(settings), "COLUMNS": "160"},
                          capture_output=True, text=True, check=check)


def test_the_story_balances_pays_each_merchant_and_reconciles(settings: Settings) -> None:
    story = " ".join(comptoir(settings, "demo", "story").stdout.split())
    assert "— completed (CAD)" in story
    assert ": balanced" in story
    # The fromagerie refunded one 12.99 cheese: 11.95 of its 55.64 transfer was reversed.
    assert "│ Fromagerie du Marché │ 55.64 │ 11.95 │ 55.64 │ 11.95 │ 0.00 │" in story
    assert "reconciliation with the gateway: no difference" in story

    reconciled = comptoir(settings, "payouts", "reconcile")
    assert " ".join(reconciled.stdout.split()) == (
        "1 order(s), 3 merchant order(s): no difference")
