"""A regional platform hands over its spreadsheet of merchant fiches: some rows are wrong,
some repeat, two contradict an earlier row. The import says what happened to EVERY line, and
running it again imports nothing twice."""

from __future__ import annotations

import csv
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from api.settings import Settings
from tests.journeys.helpers import RYW, Marketplace
from tests.support import COMPTOIR, settings_env

COLUMNS = ["external_id", "name", "legal_name", "neq", "street", "municipality", "postal_code",
           "region", "lat", "lon", "categories", "contact_name", "contact_email",
           "contact_phone", "small_supplier", "gst_number", "qst_number", "pickup",
           "description_fr"]

# external_id, name, street, municipality, postal code, region, lat, lon, category
SHOPS = [
    ("PB-0001", "Épicerie fine Chez Ginette", "88, rue Laurier", "Gatineau", "J8X 2K4", "07",
     45.4290, -75.7150, "alimentation"),
    ("PB-0002", "Boulangerie La Mie Dorée", "210, chemin Old Chelsea", "Chelsea", "J9B 1K3",
     "07", 45.5000, -75.7830, "boulangerie"),
    ("PB-0003", "Fromagerie des Cantons", "55, rue King Ouest", "Sherbrooke", "J1H 1Z3", "05",
     45.4000, -71.8990, "fromagerie"),
    ("PB-0004", "Librairie du Vieux-Port", "12, rue Saint-Paul", "Québec", "G1K 4E5", "03",
     46.8160, -71.2040, "librairie"),
    ("PB-0005", "Boucherie Chez Roland", "1400, rue Notre-Dame Centre", "Trois-Rivières",
     "G9A 2N1", "04", 46.3430, -72.5430, "boucherie"),
    ("PB-0006", "Brasserie artisanale Le Malt", "33, rue Saint-Germain Est", "Rimouski",
     "G5L 1J2", "01", 48.4490, -68.5230, "boissons"),
    ("PB-0007", "Quincaillerie Martel", "2655, boulevard Talbot", "Saguenay", "G7H 4S1", "02",
     48.4280, -71.0680, "quincaillerie"),
    ("PB-0008", "Fleuriste Les Jardins d'Émilie", "1850, boulevard des Laurentides", "Laval",
     "H7N 3Y3", "13", 45.6066, -73.7124, "jardin"),
    ("PB-0009", "Bijouterie Saint-Denis", "3960, rue Saint-Denis", "Montréal", "H2X 3K8", "06",
     45.5200, -73.5700, "bijoux"),
    ("PB-0010", "Savonnerie du Lac", "301, rue Principale Ouest", "Magog", "J1X 2E8", "05",
     45.2670, -72.1500, "beaute"),
    ("PB-0011", "Chocolaterie de Lévis", "5, avenue Bégin", "Lévis", "G6V 4Z5", "12", 46.8030,
     -71.1780, "alimentation"),
    ("PB-0012", "Ébénisterie Tremblay", "720, boulevard Manseau", "Joliette", "J6E 3Z1", "14",
     46.0170, -73.4330, "maison"),
    ("PB-0013", "Poissonnerie de la Gaspésie", "98, rue de la Reine", "Gaspé", "G4X 1A5", "11",
     48.8330, -64.4830, "alimentation"),
    ("PB-0014", "Atelier de vélo du Nord", "275, rue Saint-Georges", "Saint-Jérôme", "J7Z 5T3",
     "15", 45.7800, -74.0030, "sports"),
]


def fiche(external_id: str, name: str, street: str, municipality: str, postal_code: str,
          region: str, lat: float, lon: float, category: str, number: int) -> dict[str, str]:
    return {
        "external_id": external_id, "name": name, "legal_name": f"{name} inc.",
        "neq": f"33{4_100_000 + number:08d}", "street": street, "municipality": municipality,
        "postal_code": postal_code, "region": region, "lat": str(lat), "lon": str(lon),
        "categories": category, "contact_name": "Josée Bergeron",
        "contact_email": f"contact{number}@fiches.example", "contact_phone": "418-555-0100",
        "small_supplier": "oui", "gst_number": "", "qst_number": "", "pickup": "oui",
        "description_fr": f"{name}, commerce local de {municipality}",
    }


def spreadsheet() -> tuple[list[dict[str, str]], dict[int, tuple[str, str, str]]]:
    """The rows, and per file line: (external_id, expected result, a field it names)."""
    good = {s[0]: fiche(*s, number=n) for n, s in enumerate(SHOPS, start=1)}
    bad_neq = {**fiche("PB-0101", "Cordonnerie Gagné", "40, rue Racine Est", "Saguenay",
                       "G7H 1R1", "02", 48.4280, -71.0680, "chaussures", 101), "neq": "12345678"}
    ontario = {**fiche("PB-0102", "Café du Marché By", "55, rue York", "Ottawa", "K1N 5T2",
                       "07", 45.4275, -75.6920, "restauration", 102)}
    nameless = {**fiche("PB-0103", "x", "9, rue Principale", "Coaticook", "J1A 2S4", "05",
                        45.1330, -71.8000, "artisanat", 103), "name": "", "legal_name": ""}
    renamed = {**good["PB-0002"], "name": "Boulangerie Mie Dorée de Chelsea"}
    moved = {**good["PB-0007"], "street": "450, rue Racine Est"}
    plan: list[tuple[dict[str, str], str, str]] = [
        (good["PB-0001"], "imported", ""), (good["PB-0002"], "imported", ""),
        (good["PB-0003"], "imported", ""), (good["PB-0004"], "imported", ""),
        (good["PB-0005"], "imported", ""), (bad_neq, "rejected", "neq"),
        (good["PB-0006"], "imported", ""), (good["PB-0007"], "imported", ""),
        (renamed, "conflicting", "name"), (good["PB-0008"], "imported", ""),
        (ontario, "rejected", "postal_code"), (good["PB-0009"], "imported", ""),
        (dict(good["PB-0004"]), "already_imported", ""), (good["PB-0010"], "imported", ""),
        (good["PB-0011"], "imported", ""), (nameless, "rejected", "name"),
        (good["PB-0012"], "imported", ""), (moved, "conflicting", "street"),
        (good["PB-0013"], "imported", ""), (good["PB-0014"], "imported", ""),
    ]
    rows = [row for row, _, _ in plan]
    expected = {line: (row["external_id"], result, named)
                for line, (row, result, named) in enumerate(plan, start=2)}  # 1: the header
    return rows, expected


def run_import(settings: Settings, source: Path, report: Path) -> tuple[str, list[dict]]:
    env = {**settings_env(settings), "COLUMNS": "200"}
    done = subprocess.run([COMPTOIR, "import", "merchants", str(source), "--approve",
                           "--report", str(report)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(report, encoding="utf-8", newline="") as written:
        reader = csv.reader(written)
        header = next(reader)
        assert header == ["ligne", "external_id", "resultat", "champ", "code", "message"], header
        lines = [dict(zip(header, row, strict=True)) for row in reader]
    return " ".join(done.stdout.split()), lines


def check_report(lines: list[dict], expected: dict[int, tuple[str, str, str]],
                 outcome: dict[str, str]) -> None:
    """Every input line reported, each with the result expected and the field it names."""
    by_line: dict[int, list[dict]] = defaultdict(list)
    for line in lines:
        by_line[int(line["ligne"])].append(line)
    assert set(by_line) == set(expected), (
        f"lines missing from the report: {sorted(set(expected) - set(by_line))}; "
        f"lines that are not in the file: {sorted(set(by_line) - set(expected))}")
    for number, (external_id, result, named) in expected.items():
        reported = by_line[number]
        results = {r["resultat"] for r in reported}
        want = outcome.get(result, result)
        assert results == {want}, f"line {number} ({external_id}): {results}, expected {want}"
        assert {r["external_id"] for r in reported} == {external_id}, reported
        if named:
            fields = {r["champ"].split(".")[-1] for r in reported}
            assert named in fields, f"line {number} ({external_id}) names {fields}, not {named}"


def merchant_count(market: Marketplace) -> int:
    found = market.http.get("/v1/search/merchants", params={"page_size": 100}, headers=RYW)
    assert found.status_code == 200, found.text
    return found.json()["total"]


def test_import_with_bad_and_conflicting_rows_reports_every_row(
    market: Marketplace, settings: Settings, tmp_path: Path,
) -> None:
    # The platform's spreadsheet: 14 good fiches, 1 exact repeat, 2 contradicting an earlier
    # row (same external_id, other data), 3 wrong (NEQ, Ontario postal code, no name).
    rows, expected = spreadsheet()
    source = tmp_path / "fiches-outaouais.csv"
    with open(source, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    assert merchant_count(market) == 0

    # First run: the summary counts each kind of outcome.
    summary, report = run_import(settings, source, tmp_path / "rapport-1.csv")
    assert re.search(r"14 imported, 1 already imported, 2 conflicting, 3 rejected", summary), (
        summary)

    # The report accounts for every line of the file.
    check_report(report, expected, {})

    # The 14 fiches are approved and searchable; the contradicting rows changed nothing.
    assert merchant_count(market) == 14
    bakery = market.http.get("/v1/search/merchants", params={"q": "Mie Dorée"},
                             headers=RYW).json()["items"]
    assert [b["name"] for b in bakery] == ["Boulangerie La Mie Dorée"]

    # Second run of the same file: nothing new, every line accounted for again.
    summary, report = run_import(settings, source, tmp_path / "rapport-2.csv")
    assert re.search(r"0 imported, 15 already imported, 2 conflicting, 3 rejected", summary), (
        summary)
    check_report(report, expected, {"imported": "already_imported"})
    assert merchant_count(market) == 14
