"""A small demo catalogue: approved merchants in several regions, with listings in stock."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from application.actors import Actor, Role
from application.app import Comptoir
from application.catalog import Catalog
from application.merchants import Merchants
from domain.merchant_profile import ApplicationForm
from domain.slug import slugify


@dataclass(frozen=True)
class DemoMerchant:
    name: str
    neq: str
    street: str
    municipality: str
    postal_code: str
    region: str
    categories: list[str]
    registered: bool
    # title, description, category, price in cents, tax class, origin label, stock
    listings: list[tuple[str, str, str, int, str, str, int]]


DEMO_MERCHANTS = [
    DemoMerchant(
        "Fromagerie du Marché", "1165432109", "123, rue Principale", "Gatineau", "J8X 3X7", "07",
        ["fromagerie", "alimentation"], True,
        [("Cheddar fort de l'Outaouais", "Cheddar vieilli 2 ans, lait de vache", "fromagerie",
          1299, "zero_rated", "produced", 40),
         ("Plateau de fromages fins", "Assortiment de cinq fromages québécois", "fromagerie",
          3450, "zero_rated", "transformed", 12)]),
    DemoMerchant(
        "Boulangerie Le Pain Doré", "2265432108", "45, avenue du Mont-Royal Est", "Montréal",
        "H2T 1N6", "06", ["boulangerie"], False,
        [("Pain au levain", "Miche de campagne au levain naturel", "boulangerie", 650,
          "zero_rated", "transformed", 25),
         ("Croissants au beurre (6)", "Boîte de six croissants pur beurre", "boulangerie", 1200,
          "taxable", "transformed", 30)]),
    DemoMerchant(
        "Librairie La Page Bleue", "3365432107", "1030, rue Saint-Jean", "Québec", "G1R 1S1",
        "03", ["librairie"], True,
        [("Roman québécois de l'année", "Édition brochée, auteur québécois", "librairie", 2495,
          "taxable", "designed", 8),
         ("Carnet de notes artisanal", "Papier recyclé, reliure cousue main", "artisanat", 1800,
          "taxable", "produced", 15)]),
    DemoMerchant(
        "Quincaillerie des Cantons", "1165432118", "200, rue King Ouest", "Sherbrooke", "J1H 1P9",
        "05", ["quincaillerie", "maison"], True,
        [("Érablière miniature en bois", "Décoration sculptée à la main", "maison", 4500,
          "taxable", "produced", 5),
         ("Pelle à neige ergonomique", "Manche en frêne du Québec", "quincaillerie", 3999,
          "taxable", "designed", 20)]),
]


def load_demo_if_empty(app: Comptoir, merchants: Merchants, catalog: Catalog) -> bool:
    if app.log_position() > 0:
        return False
    load_demo(merchants, catalog)
    return True


def load_demo(merchants: Merchants, catalog: Catalog) -> list[UUID]:
    """Apply, approve and stock every demo merchant; returns their ids."""
    validator = Actor(Role.VALIDATOR, str(uuid4()))
    ids = []
    for demo in DEMO_MERCHANTS:
        view = merchants.apply(_form(demo))
        merchants.approve(validator, view.id)
        owner = Actor(Role.MERCHANT, str(uuid4()), view.id)
        for title, description, category, cents, tax, origin, stock in demo.listings:
            listing_id = catalog.create_listing(owner, view.id, {
                "title_fr": title, "description_fr": description, "category": category,
                "price_cents": cents, "tax_class": tax, "origin": origin,
            })
            catalog.set_stock(owner, listing_id, stock)
            catalog.publish(owner, listing_id)
        ids.append(view.id)
    return ids


def _form(demo: DemoMerchant) -> ApplicationForm:
    mailbox = slugify(demo.name).replace("-", ".")
    return ApplicationForm(
        name=demo.name, legal_name=f"{demo.name} inc.", neq=demo.neq,
        address={"street": demo.street, "municipality": demo.municipality,
                 "postal_code": demo.postal_code, "region": demo.region, "province": "QC"},
        categories=demo.categories,
        contact={"name": "Équipe " + demo.name, "email": f"bonjour@{mailbox}.example",
                 "phone": "819 555 0100"},
        tax={"small_supplier": not demo.registered,
             "gst_number": "123456789RT0001" if demo.registered else None,
             "qst_number": "1234567890TQ0001" if demo.registered else None},
        fulfilment={"pickup": True, "delivery_radius_km": 15.0, "delivery_fee_cents": 599,
                    "shipping_fee_cents": 1295},
        description_fr=f"{demo.name}, commerce d'ici.",
    )
