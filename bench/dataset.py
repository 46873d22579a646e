"""A synthetic Québec catalogue, the same for the same seed.

Merchants sit around real municipalities of all 17 regions (domain/quebec.py), weighted
roughly by population; names, categories and listing titles are French (a third of listings
also have an English title). Used by the benchmarks and the import tests.

    python -m bench.dataset --merchants 22000 --seed 7 --out var/fiches.jsonl [--csv]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.quebec import MUNICIPALITIES, Municipality

REGION_WEIGHTS = {"06": 25, "16": 17, "03": 9, "15": 7, "14": 6, "13": 5, "07": 5, "12": 5,
                  "05": 4, "04": 3, "17": 3, "02": 3, "01": 2, "08": 2, "11": 1, "09": 1, "10": 1}
POSTAL_LETTER = {"06": "H", "13": "H", "01": "G", "02": "G", "03": "G", "04": "G", "09": "G",
                 "10": "J", "11": "G", "12": "G"}  # others: J
FAMILY = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
          "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron",
          "Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier",
          "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin"]
PLACES = ["du Village", "des Cantons", "du Fleuve", "de la Côte", "des Érables", "du Marché",
          "du Quartier", "de la Rivière", "du Lac", "Boréal", "des Îles", "du Vieux-Port",
          "de la Gare", "du Plateau", "des Pionniers", "du Terroir", "de l'Anse", "des Bois"]
SHOPS: dict[str, list[str]] = {
    "alimentation": ["Épicerie", "Épicerie fine", "Marché", "Comptoir"],
    "boulangerie": ["Boulangerie", "Pâtisserie", "Fournil"],
    "fromagerie": ["Fromagerie", "Laiterie"],
    "boucherie": ["Boucherie", "Charcuterie"],
    "boissons": ["Microbrasserie", "Cidrerie", "Vignoble"],
    "vetements": ["Boutique", "Friperie", "Atelier de couture"],
    "beaute": ["Savonnerie", "Cosmétiques"],
    "maison": ["Maison", "Décor"],
    "quincaillerie": ["Quincaillerie"],
    "librairie": ["Librairie", "Papeterie"],
    "jouets": ["Jouets"],
    "sports": ["Sports", "Plein air"],
    "artisanat": ["Atelier", "Artisans"],
    "bijoux": ["Bijouterie", "Joaillerie"],
}
# category -> (French product, English product or "", basic grocery?)
PRODUCTS: dict[str, list[tuple[str, str, bool]]] = {
    "alimentation": [("Sirop d'érable", "Maple syrup", True), ("Miel de trèfle", "Clover honey",
                     True), ("Confiture de bleuets", "Blueberry jam", True), ("Beurre d'érable",
                     "Maple butter", True), ("Cretons maison", "", True), ("Tourtière", "Meat pie",
                     True), ("Ketchup aux fruits", "Fruit ketchup", True), ("Canneberges séchées",
                     "Dried cranberries", True), ("Chips artisanales", "Craft chips", False),
                     ("Tire d'érable", "Maple taffy", False)],
    "boulangerie": [("Pain au levain", "Sourdough bread", True), ("Croissants au beurre",
                    "Butter croissants", False), ("Baguette tradition", "", True),
                    ("Tarte au sucre", "Sugar pie", False), ("Pain aux noix", "Walnut bread",
                    True), ("Chocolatines", "Chocolate croissants", False)],
    "fromagerie": [("Cheddar fort", "Sharp cheddar", True), ("Fromage en grains", "Cheese curds",
                   True), ("Brie de chèvre", "Goat brie", True), ("Tomme fermière",
                   "Farmhouse tomme", True), ("Plateau de fromages fins", "Fine cheese board",
                   True)],
    "boucherie": [("Saucisses maison", "House sausages", True), ("Bœuf haché", "Ground beef",
                  True), ("Jambon fumé", "Smoked ham", True), ("Rillettes de canard",
                  "Duck rillettes", True)],
    "boissons": [("Bière blonde", "Blonde beer", False), ("Cidre de glace", "Ice cider", False),
                 ("Vin rouge", "Red wine", False), ("Bière rousse", "Red ale", False)],
    "vetements": [("Tuque en laine", "Wool toque", False), ("Mitaines tricotées",
                  "Knitted mittens", False), ("Chemise de flanelle", "Flannel shirt", False),
                  ("Manteau d'hiver", "Winter coat", False), ("Foulard", "Scarf", False)],
    "beaute": [("Savon à l'avoine", "Oat soap", False), ("Baume à lèvres", "Lip balm", False),
               ("Shampoing solide", "Shampoo bar", False)],
    "maison": [("Bougie de soja", "Soy candle", False), ("Courtepointe", "Quilt", False),
               ("Planche à découper en érable", "Maple cutting board", False)],
    "quincaillerie": [("Pelle à neige", "Snow shovel", False), ("Hache forgée", "Forged axe",
                      False), ("Mangeoire d'oiseaux", "Bird feeder", False)],
    "librairie": [("Roman québécois", "Québec novel", False), ("Carnet de notes", "Notebook",
                  False), ("Livre de recettes", "Cookbook", False)],
    "jouets": [("Casse-tête en bois", "Wooden puzzle", False), ("Jeu de société", "Board game",
               False), ("Toutou", "Plush toy", False)],
    "sports": [("Raquettes à neige", "Snowshoes", False), ("Bâton de hockey", "Hockey stick",
               False), ("Canot", "Canoe", False)],
    "artisanat": [("Bol en céramique", "Ceramic bowl", False), ("Panier tressé",
                  "Woven basket", False), ("Tapis crocheté", "Hooked rug", False)],
    "bijoux": [("Boucles d'oreilles", "Earrings", False), ("Bracelet en argent",
               "Silver bracelet", False), ("Pendentif", "Pendant", False)],
}
QUALIFIERS = ["artisanal", "bio", "du terroir", "fait main", "format familial", "édition limitée",
              "de saison", "classique", "", "", ""]
ORIGINS = ["produced", "transformed", "designed", "none"]


@dataclass(frozen=True)
class SyntheticMerchant:
    fiche: dict[str, Any]  # the API body, plus "external_id"
    listings: list[dict[str, Any]]  # API listing bodies, plus "stock"


def generate(merchants: int, listings_per_merchant: int = 0,
             seed: int = 7) -> Iterator[SyntheticMerchant]:
    rng = random.Random(seed)
    towns: dict[str, list[Municipality]] = {}
    for town in MUNICIPALITIES:
        towns.setdefault(town.region, []).append(town)
    regions = list(REGION_WEIGHTS)
    weights = [REGION_WEIGHTS[r] for r in regions]
    for n in range(merchants):
        region = rng.choices(regions, weights)[0]
        town = rng.choice(towns[region])
        category = rng.choice(list(SHOPS))
        yield SyntheticMerchant(
            _fiche(rng, n, town, category),
            [_listing(rng, category) for _ in range(listings_per_merchant)],
        )


def _fiche(rng: random.Random, n: int, town: Municipality, category: str) -> dict[str, Any]:
    name = f"{rng.choice(SHOPS[category])} {rng.choice(FAMILY + PLACES)}"
    distance, bearing = abs(rng.gauss(0, 4.0)), rng.uniform(0, 2 * math.pi)
    lat = town.lat + distance / 111.2 * math.cos(bearing)
    lon = town.lon + distance / (111.2 * math.cos(math.radians(town.lat))) * math.sin(bearing)
    registered = rng.random() < 0.7
    letters = "ABCEGHJKLMNPRSTVWXYZ"
    postal = (f"{POSTAL_LETTER.get(town.region, 'J')}{rng.randint(0, 9)}{rng.choice(letters)} "
              f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}")
    second = rng.choice([c for c in SHOPS if c != category])
    return {
        "external_id": f"REQ-{n:06d}",
        "name": name, "legal_name": f"{name} inc.",
        "neq": f"{rng.choice(['11', '22', '33'])}{7_000_000 + n:08d}",
        "address": {"street": f"{rng.randint(1, 2999)}, rue {rng.choice(FAMILY)}",
                    "municipality": town.name, "postal_code": postal, "region": town.region},
        "location": {"lat": round(lat, 6), "lon": round(lon, 6)},
        "categories": [category] + ([second] if rng.random() < 0.3 else []),
        "contact": {"name": f"{rng.choice(['Marie', 'Luc', 'Sophie', 'Jean', 'Julie'])} "
                            f"{rng.choice(FAMILY)}",
                    "email": f"commerce{n}@exemple.qc.ca"},
        "tax": {"small_supplier": not registered,
                "gst_number": f"{100000000 + n}RT0001" if registered else None,
                "qst_number": f"{1000000000 + n}TQ0001" if registered else None},
        "fulfilment": {"pickup": True, "delivery_radius_km": rng.choice([None, 5, 10, 25]),
                       "delivery_fee_cents": rng.choice([0, 399, 599]),
                       "shipping_fee_cents": rng.choice([None, 995, 1495])},
        "description_fr": f"{name}, commerce local à {town.name}.",
    }


def _listing(rng: random.Random, category: str) -> dict[str, Any]:
    product, english, basic = rng.choice(PRODUCTS[category])
    qualifier = rng.choice(QUALIFIERS)
    title = f"{product} {qualifier}".strip()
    return {
        "title_fr": title,
        "title_en": english if english and rng.random() < 0.33 else None,
        "description_fr": f"{product} {qualifier or 'de qualité'}, préparé au Québec "
                          f"par une entreprise d'ici.",
        "category": category,
        "price_cents": rng.randint(2, 400) * 25 - rng.choice([0, 1, 5]),
        "tax_class": "zero_rated" if basic else "taxable",
        "origin": rng.choice(ORIGINS),
        "stock": rng.choice([0, 0, 1, 2, 5, 10, 25, 100]),
    }


CSV_COLUMNS = ["external_id", "name", "legal_name", "neq", "street", "municipality",
               "postal_code", "region", "lat", "lon", "categories", "contact_name",
               "contact_email", "contact_phone", "small_supplier", "gst_number", "qst_number",
               "pickup", "delivery_radius_km", "delivery_fee_cents", "shipping_fee_cents",
               "description_fr", "description_en", "website"]


def flat(fiche: dict[str, Any]) -> dict[str, Any]:
    """The CSV shape of a fiche (one column per value; categories separated by ';')."""
    a, c, t, f = fiche["address"], fiche["contact"], fiche["tax"], fiche["fulfilment"]
    row = {**{k: fiche.get(k) for k in ("external_id", "name", "legal_name", "neq",
                                        "description_fr", "description_en", "website")},
           **{k: a[k] for k in ("street", "municipality", "postal_code", "region")},
           "lat": fiche["location"]["lat"], "lon": fiche["location"]["lon"],
           "categories": ";".join(fiche["categories"]), "contact_name": c["name"],
           "contact_email": c["email"], "contact_phone": c.get("phone"),
           "small_supplier": t["small_supplier"], "gst_number": t["gst_number"],
           "qst_number": t["qst_number"], **f}
    return {k: "" if row.get(k) is None else row[k] for k in CSV_COLUMNS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=22000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--csv", action="store_true", help="CSV instead of JSON lines")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        if args.csv:
            writer = csv.DictWriter(out, CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(flat(m.fiche) for m in generate(args.merchants, seed=args.seed))
        else:
            out.writelines(json.dumps(m.fiche, ensure_ascii=False) + "\n"
                           for m in generate(args.merchants, seed=args.seed))


if __name__ == "__main__":
    main()
