"""The shared search corpus: the same events projected into SQLite and PostgreSQL must give the
same answers. Written to exercise accents, stemming, English, distances, filters, facets,
pagination and visibility (a suspended merchant, a withdrawn listing, a draft)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from application.actors import Actor, Role
from application.catalog import Catalog
from application.merchants import Merchants
from domain.merchant_profile import ApplicationForm

VALIDATOR = Actor(Role.VALIDATOR, str(uuid4()))


@dataclass(frozen=True)
class M:
    name: str
    municipality: str
    region: str
    postal: str
    lat: float
    lon: float
    categories: list[str]
    status: str = "approved"  # approved | suspended | under_review | rejected


MERCHANTS = [
    M("Épicerie fine Chez Laurent", "Gatineau", "07", "J8X 1A1", 45.4765, -75.7013,
      ["alimentation"]),
    M("Les Fromageries du Pontiac", "Shawville", "07", "J0X 2Y0", 45.6000, -76.4830,
      ["fromagerie", "alimentation"]),
    M("Fromagerie Boréale", "Chelsea", "07", "J9B 1A1", 45.5000, -75.7830, ["fromagerie"]),
    M("Boulangerie Saint-Jérôme", "Saint-Jérôme", "15", "J7Z 1A1", 45.7800, -74.0030,
      ["boulangerie"]),
    M("Pâtisserie de l'Érable", "Montréal", "06", "H2T 1N6", 45.5230, -73.5810,
      ["boulangerie"]),
    M("Marché Jean-Talon Express", "Montréal", "06", "H2S 3B9", 45.5360, -73.6150,
      ["alimentation", "fromagerie"]),
    M("Quincaillerie Côté", "Québec", "03", "G1R 1S1", 46.8139, -71.2080, ["quincaillerie"]),
    M("Librairie des Cantons", "Sherbrooke", "05", "J1H 1P9", 45.4000, -71.8990, ["librairie"]),
    M("Savonnerie du Fleuve", "Rimouski", "01", "G5L 1A1", 48.4490, -68.5230, ["beaute"]),
    M("Cidrerie des Vergers", "Saint-Hyacinthe", "16", "J2S 1A1", 45.6300, -72.9570,
      ["boissons"]),
    M("Épicerie du Nord", "Rouyn-Noranda", "08", "J9X 1A1", 48.2390, -79.0190,
      ["alimentation"], status="suspended"),
    M("Fromagerie en attente", "Gatineau", "07", "J8Y 1A1", 45.4800, -75.7100,
      ["fromagerie"], status="under_review"),
]

# merchant index -> (title_fr, title_en, description_fr, category, cents, tax, origin, stock,
#                    published)
LISTINGS: list[tuple[int, str, str | None, str, str, int, str, str, int, bool]] = [
    (0, "Épiceries fines en coffret", "Fine groceries box", "Sélection d'épices et de conserves",
     "alimentation", 4500, "taxable", "transformed", 10, True),
    (0, "Sirop d'érable biologique", "Organic maple syrup", "Récolte du printemps, 540 ml",
     "alimentation", 1299, "zero_rated", "produced", 40, True),
    (0, "Miel de trèfle", "Clover honey", "Pot de 500 g", "alimentation", 899, "zero_rated",
     "produced", 0, True),
    (1, "Cheddar fort vieilli", "Aged sharp cheddar", "Fromage de lait de vache du Pontiac",
     "fromagerie", 1150, "zero_rated", "produced", 25, True),
    (1, "Fromage en grains", "Cheese curds", "Frais du jour, pour la poutine", "fromagerie",
     650, "zero_rated", "produced", 3, True),
    (1, "Plateau de fromages", None, "Cinq fromages québécois", "fromagerie", 3900,
     "zero_rated", "transformed", 2, False),  # a draft: never in search
    (2, "Tomme boréale", "Boreal tomme", "Croûte lavée, affinée six mois", "fromagerie", 1750,
     "zero_rated", "produced", 8, True),
    (2, "Brie de chèvre", "Goat brie", "Fromage fondant", "fromagerie", 1425, "zero_rated",
     "produced", 0, True),
    (3, "Pain au levain", "Sourdough bread", "Miche de campagne", "boulangerie", 650,
     "zero_rated", "transformed", 12, True),
    (3, "Croissants au beurre", "Butter croissants", "Boîte de six", "boulangerie", 1200,
     "taxable", "transformed", 6, True),
    (4, "Tarte au sucre", "Sugar pie", "Recette de grand-mère à l'érable", "boulangerie", 1800,
     "taxable", "transformed", 4, True),
    (4, "Érablière en chocolat", "Chocolate sugar shack", "Pièce montée en chocolat",
     "boulangerie", 3500, "taxable", "designed", 1, True),
    (5, "Fromages du marché", "Market cheeses", "Assortiment de fromageries locales",
     "fromagerie", 2200, "zero_rated", "transformed", 15, True),
    (5, "Bleuets du Lac", "Lake blueberries", "Casseau d'un litre", "alimentation", 799,
     "zero_rated", "produced", 30, True),
    (6, "Pelle à neige ergonomique", "Ergonomic snow shovel", "Manche en frêne",
     "quincaillerie", 3999, "taxable", "designed", 20, True),
    (7, "Roman québécois", "Québec novel", "Prix des libraires", "librairie", 2495, "taxable",
     "designed", 9, True),
    (8, "Savon à l'avoine", "Oat soap", "Pour peaux sensibles", "beaute", 850, "taxable",
     "produced", 50, True),
    (9, "Cidre de glace", "Ice cider", "Bouteille de 375 ml", "boissons", 2600, "taxable",
     "produced", 7, True),
    (9, "Cidre pétillant", "Sparkling cider", "Pommes de la Montérégie", "boissons", 1400,
     "taxable", "produced", 0, True),
    (10, "Épices boréales", "Boreal spices", "Mélange du Nord", "alimentation", 999,
     "zero_rated", "produced", 5, True),  # its merchant is suspended: never in search
    (11, "Fromage caché", None, "Pas encore approuvé", "fromagerie", 1000, "zero_rated",
     "produced", 5, True),  # its merchant is under review: it cannot even be published
]
WITHDRAWN = {1}  # listing index withdrawn after publication


def form(m: M, n: int) -> ApplicationForm:
    return ApplicationForm(
        name=m.name, legal_name=f"{m.name} inc.", neq=f"33{9_100_000 + n:08d}",
        address={"street": f"{10 + n}, rue Principale", "municipality": m.municipality,
                 "postal_code": m.postal, "region": m.region, "province": "QC"},
        location={"lat": m.lat, "lon": m.lon}, categories=m.categories,
        contact={"name": "Contact", "email": f"contact{n}@corpus.example", "phone": None},
        tax={"small_supplier": True, "gst_number": None, "qst_number": None},
        fulfilment={"pickup": True, "delivery_radius_km": None, "delivery_fee_cents": None,
                    "shipping_fee_cents": None},
        description_fr=f"Commerce de {m.municipality}",
    )


def load_corpus(merchants: Merchants, catalog: Catalog) -> dict[str, str]:
    """Writes the corpus through the real use cases; returns titles/names -> ids."""
    ids: dict[str, str] = {}
    merchant_ids = []
    for n, m in enumerate(MERCHANTS):
        view = merchants.apply(form(m, n))
        if m.status != "under_review":
            merchants.approve(VALIDATOR, view.id)
        merchant_ids.append(view.id)
        ids[m.name] = str(view.id)
    for i, (mi, title, title_en, description, category, cents, tax, origin, stock,
            published) in enumerate(LISTINGS):
        owner = Actor(Role.MERCHANT, str(uuid4()), merchant_ids[mi])
        listing_id = catalog.create_listing(owner, merchant_ids[mi], {
            "title_fr": title, "title_en": title_en, "description_fr": description,
            "category": category, "price_cents": cents, "tax_class": tax, "origin": origin})
        catalog.set_stock(owner, listing_id, stock)
        if published and MERCHANTS[mi].status != "under_review":
            catalog.publish(owner, listing_id)
            if i in WITHDRAWN:
                catalog.withdraw(owner, listing_id)
        ids[title] = str(listing_id)
    for n, m in enumerate(MERCHANTS):
        if m.status == "suspended":
            merchants.suspend(VALIDATOR, merchant_ids[n], "Plaintes répétées")
    return ids


# Queries run on both backends: (kind, parameters)
QUERIES: list[tuple[str, dict]] = [
    ("listings", {"text": "épiceries"}),
    ("listings", {"text": "epiceries"}),
    ("listings", {"text": "fromagerie"}),
    ("listings", {"text": "fromages"}),
    ("listings", {"text": "FROMAGE grains"}),
    ("listings", {"text": "cheese"}),
    ("listings", {"text": "maple syrup"}),
    ("listings", {"text": "érable"}),
    ("listings", {"text": "erable"}),
    ("listings", {"text": "cidre", "in_stock": True}),
    ("listings", {"text": "le la les de"}),
    ("listings", {"lat": 45.4765, "lon": -75.7013}),
    ("listings", {"lat": 45.4765, "lon": -75.7013, "radius_km": 60}),
    ("listings", {"text": "fromage", "lat": 45.5017, "lon": -73.5673, "radius_km": 300}),
    ("listings", {"text": "fromage", "lat": 45.5017, "lon": -73.5673, "radius_km": 300,
                  "in_stock": True}),
    ("listings", {"region": "07"}),
    ("listings", {"category": "boulangerie"}),
    ("listings", {"origin": "designed"}),
    ("listings", {"min_price_cents": 1000, "max_price_cents": 2000}),
    ("listings", {"page": 2, "page_size": 5}),
    ("listings", {"page": 4, "page_size": 5}),
    ("listings", {"lat": 46.8139, "lon": -71.2080, "page": 2, "page_size": 3}),
    ("merchants", {"text": "fromagerie"}),
    ("merchants", {"text": "épicerie"}),
    ("merchants", {"text": "gatineau"}),
    ("merchants", {"lat": 45.5017, "lon": -73.5673, "radius_km": 100}),
    ("merchants", {"category": "fromagerie"}),
    ("merchants", {"region": "06"}),
    ("merchants", {"text": "boulangerie", "region": "15"}),
]
