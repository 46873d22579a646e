"""A small demo catalogue: approved merchants in several regions, with listings in stock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

from application.accounts import Accounts
from application.actors import Actor, Role
from application.app import Comptoir
from application.carts import Carts
from application.catalog import Catalog
from application.checkout import Checkout, CheckoutChoices
from application.consumers import Consumers
from application.idempotency import IdempotencyKey
from application.insights import Insights
from application.merchants import Merchants
from application.orders import Orders, OrderView
from application.payouts import Payouts
from application.storefronts import Storefronts
from domain.account import StaffRole
from domain.claim import Claim
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


def load_demo_if_empty(app: Comptoir, merchants: Merchants, catalog: Catalog,
                       storefronts: Storefronts | None = None,
                       activity: Callable[[dict[UUID, list[UUID]]], None] | None = None,
                       accounts: Accounts | None = None) -> bool:
    if app.log_position() > 0:
        return False
    catalogue = load_demo(merchants, catalog)
    if accounts is not None:
        demo_accounts(accounts, list(catalogue))
    if storefronts is not None:
        storefronts.open(Actor(Role.ADMIN, str(uuid4())), OUTAOUAIS)
    if activity is not None:
        activity(catalogue)
    return True


# Development only (`make run` prints them): everyone's password is DEMO_PASSWORD.
DEMO_PASSWORD = "comptoir-demo"
DEMO_STAFF = {"admin@demo.example": StaffRole.ADMIN,
              "validation@demo.example": StaffRole.VALIDATOR,
              "audit@demo.example": StaffRole.AUDITOR}


def demo_people() -> list[tuple[str, str]]:
    """(address, what the account is) of every demo account."""
    return [*((email, str(role)) for email, role in DEMO_STAFF.items()),
            *((_mailbox(demo), f"merchant: {demo.name}") for demo in DEMO_MERCHANTS)]


def demo_accounts(accounts: Accounts, merchant_ids: list[UUID]) -> None:
    """The staff, and each demo merchant's owner (its contact address, where its mails go)."""
    for email, role in DEMO_STAFF.items():
        accounts.create_verified(email, DEMO_PASSWORD, staff=role)
    for demo, merchant_id in zip(DEMO_MERCHANTS, merchant_ids, strict=True):
        accounts.create_verified(_mailbox(demo), DEMO_PASSWORD, owner_of=merchant_id)


OUTAOUAIS = {"slug": "outaouais", "name_fr": "Achat local Outaouais",
             "name_en": "Buy local Outaouais", "regions": ["07"]}
# Six in one area of Gatineau (J8X: shown) and one in Montréal (H2T: fewer than 5, hidden).
VISITORS = [("J8X 1A1", "Gatineau"), ("J8X 2B2", "Gatineau"), ("J8X 3C3", "Gatineau"),
            ("J8X 4E4", "Gatineau"), ("J8X 5E5", "Gatineau"), ("J8X 6G6", "Gatineau"),
            ("H2T 1N6", "Montréal")]


def demo_activity(consumers: Consumers, carts: Carts, checkout: Checkout, insights: Insights,
                  catalogue: dict[UUID, list[UUID]]) -> None:
    """A few consumers of Gatineau and one of Montréal look at the demo merchants, search,
    and buy, so that the first merchant's insight has something to show (past k = 5)."""
    merchant_id, listings = next(iter(catalogue.items()))
    for n, (postal_code, town) in enumerate(VISITORS):
        person = Actor(Role.CONSUMER, str(uuid4()))
        consumers.register(person, {"name": f"Visiteur {n + 1}", "email": f"v{n + 1}@demo.example",
                                    "phone": None, "address": {
                                        "street": f"{n + 1}, rue de la Démo", "municipality": town,
                                        "postal_code": postal_code,
                                        "region": "07" if town == "Gatineau" else "06"}})
        insights.saw(person, "search_impression", [merchant_id], "fromage")
        insights.saw(person, "fiche_view", [merchant_id])
        insights.saw(person, "listing_view", [merchant_id])
        cart = carts.open(person, "outaouais")
        carts.set_line(person, cart.id, listings[0], 1)  # the cart and checkout report
        checkout.check_out(person, cart.id, CheckoutChoices())  # what people did themselves
    insights.flush()


def load_demo(merchants: Merchants, catalog: Catalog) -> dict[UUID, list[UUID]]:
    """Apply, approve and stock every demo merchant; returns their listings by merchant.
    Idempotent: merchants are imported by external id and listings created with idempotency
    keys, so loading twice changes nothing."""
    validator = Actor(Role.VALIDATOR, str(uuid4()))
    loaded: dict[UUID, list[UUID]] = {}
    for demo in DEMO_MERCHANTS:
        external_id = f"demo:{demo.neq}"
        merchants.import_fiche(external_id, _form(demo), validator)
        claim = merchants.find(Claim.create_id("import", external_id))
        assert isinstance(claim, Claim)
        owner = Actor(Role.MERCHANT, str(uuid4()), claim.holder_id)
        loaded[claim.holder_id] = []
        for n, (title, description, category, cents, tax, origin, stock) in enumerate(
                demo.listings):
            raw = {"title_fr": title, "description_fr": description, "category": category,
                   "price_cents": cents, "tax_class": tax, "origin": origin}
            key = IdempotencyKey.of(f"{external_id}:{n}", operation="listings.create",
                                    subject="demo", request=raw)
            listing_id = catalog.create_listing(owner, claim.holder_id, raw, key)
            if catalog.get(owner, listing_id).status == "draft":
                catalog.set_stock(owner, listing_id, stock)
                catalog.publish(owner, listing_id)
            loaded[claim.holder_id].append(listing_id)
    return loaded


def _mailbox(demo: DemoMerchant) -> str:
    return f"bonjour@{slugify(demo.name).replace('-', '.')}.example"


def _form(demo: DemoMerchant) -> ApplicationForm:
    return ApplicationForm(
        name=demo.name, legal_name=f"{demo.name} inc.", neq=demo.neq,
        address={"street": demo.street, "municipality": demo.municipality,
                 "postal_code": demo.postal_code, "region": demo.region, "province": "QC"},
        categories=demo.categories,
        contact={"name": "Équipe " + demo.name, "email": _mailbox(demo),
                 "phone": "819 555 0100"},
        tax={"small_supplier": not demo.registered,
             "gst_number": "123456789RT0001" if demo.registered else None,
             "qst_number": "1234567890TQ0001" if demo.registered else None},
        fulfilment={"pickup": True, "delivery_radius_km": 15.0, "delivery_fee_cents": 599,
                    "shipping_fee_cents": 1295},
        description_fr=f"{demo.name}, commerce d'ici.",
    )


def run_story(merchants: Merchants, catalog: Catalog, consumers: Consumers, carts: Carts,
              checkout: Checkout, orders: Orders, payouts: Payouts,
              settle: Callable[[], object]) -> OrderView:
    """The checkout story end to end: three merchants open their payout accounts; a consumer
    fills one cart from them, checks out once and pays with the gateway; each merchant accepts
    and fulfils its part (and is transferred its share); one refunds a line (and that much of
    its transfer is reversed). Loads the demo catalogue first if it is not there.

    `settle`: runs the payout process until it has nothing left to do."""
    catalogue = load_demo(merchants, catalog)
    for merchant_id in list(catalogue)[:3]:
        payouts.set_up_account(Actor(Role.MERCHANT, str(uuid4()), merchant_id), merchant_id,
                               "http://127.0.0.1:8000/", "http://127.0.0.1:8000/")
    consumer = Actor(Role.CONSUMER, str(uuid4()))
    consumers.register(consumer, {
        "name": "Camille Demo", "email": "camille@demo.example", "phone": None,
        "address": {"street": "25, rue Principale", "municipality": "Gatineau",
                    "postal_code": "J8X 2B2", "region": "07"}})
    cart = carts.open(consumer)
    for listings in list(catalogue.values())[:3]:
        for listing_id, quantity in zip(listings, (2, 1), strict=False):
            carts.set_line(consumer, cart.id, listing_id, quantity)
    order = checkout.check_out(consumer, cart.id, CheckoutChoices())
    for part in order.parts:
        owner = Actor(Role.MERCHANT, str(uuid4()), part.terms.merchant_id)
        orders.accept(owner, order.id, part.terms.merchant_id)
        orders.fulfil(owner, order.id, part.terms.merchant_id)
    refunder = order.parts[0].terms
    line = refunder.lines[0]
    owner = Actor(Role.MERCHANT, str(uuid4()), refunder.merchant_id)
    settle()
    orders.refund(owner, order.id, refunder.merchant_id, line.unit_price,
                  f"Un « {line.title} » remboursé")
    settle()
    return orders.get(consumer, order.id)
