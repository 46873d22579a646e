"""`comptoir listings import FILE --merchant ID`, on both backends: a catalogue from a file,
idempotent on the SKU, with a report of every row."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path
from uuid import uuid4

from api.container import build_container
from api.schemas.merchants import MerchantApplicationIn
from api.settings import Settings
from application.actors import Actor, Role
from tests.support import COMPTOIR, merchant_body, settings_env

ROWS = [
    {"sku": "MIEL-250", "title_fr": "Miel de trèfle", "description_fr": "Cru",
     "category": "alimentation", "price_cents": "599", "tax_class": "zero_rated",
     "on_hand": "4", "publish": "oui", "variant_label": "250 g", "listing_ref": "MIEL"},
    {"sku": "MIEL-500", "title_fr": "Miel de trèfle", "description_fr": "Cru",
     "category": "alimentation", "price_cents": "999", "tax_class": "zero_rated",
     "on_hand": "2", "publish": "oui", "variant_label": "500 g", "listing_ref": "MIEL"},
    {"sku": "CIRE", "title_fr": "Bougie", "description_fr": "Cire d'abeille",
     "category": "artisanat", "price_cents": "gratuit", "tax_class": "taxable"},
]


def test_the_cli_imports_a_catalogue_once_and_reports_every_row(settings: Settings,
                                                                tmp_path: Path) -> None:
    container = build_container(settings)
    merchant = container.merchants.apply(MerchantApplicationIn(**merchant_body()).to_form())
    container.merchants.approve(Actor(Role.VALIDATOR, str(uuid4())), merchant.id)
    container.close()
    path = tmp_path / "catalogue.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, list(ROWS[0]))
        writer.writeheader()
        writer.writerows(ROWS)
    command = [COMPTOIR, "listings", "import", str(path), "--merchant", str(merchant.id)]
    first = subprocess.run(command, env=settings_env(settings), capture_output=True, text=True,
                           check=True)
    assert "2 imported, 0 already imported, 0 conflicting, 1 rejected" in " ".join(
        first.stdout.split())
    report = (tmp_path / "catalogue.rapport.csv").read_text(encoding="utf-8")
    assert "4,CIRE,rejected,price_cents,int_type,Nombre entier attendu." in report
    again = subprocess.run(command, env=settings_env(settings), capture_output=True, text=True,
                           check=True)
    assert "0 imported, 2 already imported, 0 conflicting, 1 rejected" in " ".join(
        again.stdout.split())
    unknown = subprocess.run([*command[:-1], str(uuid4())], env=settings_env(settings),
                             capture_output=True, text=True)
    assert unknown.returncode == 1
