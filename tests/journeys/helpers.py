"""What every journey needs: a real `comptoir serve`, tokens signed with its key, and the
people of the marketplace (validators, merchants, shoppers) acting through its HTTP API only."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID, uuid4

import httpx

from api.auth import Tokens
from api.settings import Settings
from application.actors import Role
from tests.support import comptoir_server

RYW = {"Prefer": "read-your-writes"}
T = TypeVar("T")

_neq = itertools.count(4_000_001)


def fresh_neq(kind: str = "33") -> str:
    """A well-formed NEQ (kind 33: a legal person) no other journey uses."""
    return f"{kind}{next(_neq):08d}"


@dataclass(frozen=True)
class Town:
    municipality: str
    region: str
    postal_code: str
    lat: float
    lon: float
    street: str


GATINEAU = Town("Gatineau", "07", "J8X 3X7", 45.4765, -75.7013, "123, rue Principale")
CHELSEA = Town("Chelsea", "07", "J9B 1A1", 45.5000, -75.7830, "12, chemin du Lac")
MONTREAL = Town("Montréal", "06", "H2X 1Y4", 45.5088, -73.5617, "3500, boulevard Saint-Laurent")
QUEBEC = Town("Québec", "03", "G1R 4S9", 46.8139, -71.2080, "45, rue Saint-Jean")
SHERBROOKE = Town("Sherbrooke", "05", "J1H 1Z3", 45.4000, -71.8990, "200, rue Wellington Nord")


def merchant_application(name: str, town: Town, categories: list[str], **extra: Any
                         ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "legal_name": f"{name} inc.",
        "neq": fresh_neq(),
        "address": {"street": town.street, "municipality": town.municipality,
                    "postal_code": town.postal_code, "region": town.region},
        "location": {"lat": town.lat, "lon": town.lon},
        "categories": categories,
        "contact": {"name": "Geneviève Lévesque", "email": "genevieve@commerce.example",
                    "phone": "819-555-0123"},
        "tax": {"gst_number": "123456789RT0001", "qst_number": "1234567890TQ0001"},
        "fulfilment": {"pickup": True},
    }
    body.update(extra)
    return body


@dataclass
class Merchant:
    id: str
    owner: dict[str, str]
    name: str


@dataclass
class Shopper:
    headers: dict[str, str]
    subject: UUID
    carts: list[str] = field(default_factory=list)


class Marketplace:
    """One running `comptoir serve` and the people who use it."""

    def __init__(self, base: str, settings: Settings) -> None:
        self.base, self.settings = base, settings
        self.tokens = Tokens.from_settings(settings)
        self.http = httpx.Client(base_url=base, timeout=30)

    def close(self) -> None:
        self.http.close()

    # -- tokens ------------------------------------------------------------------------

    def bearer(self, role: Role, *, subject: UUID | None = None,
               merchant_id: str | None = None) -> dict[str, str]:
        token = self.tokens.issue(role, subject=subject,
                                  merchant_id=UUID(merchant_id) if merchant_id else None)
        return {"Authorization": f"Bearer {token}"}

    @property
    def validator(self) -> dict[str, str]:
        return self.bearer(Role.VALIDATOR)

    # -- merchants and listings ---------------------------------------------------------

    def apply(self, body: dict[str, Any], applicant: dict[str, str] | None = None) -> str:
        """Anonymously, or signed in as `applicant`, whose account then owns the merchant."""
        response = self.http.post("/v1/merchants", json=body, headers=applicant)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def approved_merchant(self, name: str, town: Town, categories: list[str],
                          applicant: dict[str, str] | None = None, **extra: Any) -> Merchant:
        merchant_id = self.apply(merchant_application(name, town, categories, **extra),
                                 applicant)
        approved = self.http.post(f"/v1/merchants/{merchant_id}/approval",
                                  headers=self.validator)
        assert approved.status_code == 200, approved.text
        return Merchant(merchant_id, self.bearer(Role.MERCHANT, merchant_id=merchant_id), name)

    def listing(self, merchant: Merchant, title_fr: str, *, on_hand: int, price_cents: int,
                category: str, description_fr: str, tax_class: str = "zero_rated",
                origin: str = "produced", publish: bool = True, **extra: Any) -> str:
        body = {"title_fr": title_fr, "description_fr": description_fr, "category": category,
                "price_cents": price_cents, "tax_class": tax_class, "origin": origin, **extra}
        created = self.http.post(f"/v1/merchants/{merchant.id}/listings", headers=merchant.owner,
                                 json=body)
        assert created.status_code == 201, created.text
        listing_id = created.json()["id"]
        stocked = self.http.put(f"/v1/listings/{listing_id}/stock", headers=merchant.owner,
                                json={"on_hand": on_hand})
        assert stocked.status_code == 200, stocked.text
        if publish:
            published = self.http.post(f"/v1/listings/{listing_id}/publication",
                                       headers=merchant.owner)
            assert published.status_code == 200, published.text
        return listing_id

    # -- shoppers ------------------------------------------------------------------------

    def shopper(self, *, register: bool = True, name: str = "Camille Gagnon",
                email: str = "camille.gagnon@courriel.example",
                postal_code: str = "J8X 1A1", municipality: str = "Gatineau",
                region: str = "07") -> Shopper:
        subject = uuid4()
        shopper = Shopper(self.bearer(Role.CONSUMER, subject=subject), subject)
        if register:
            self.register(shopper, name=name, email=email, postal_code=postal_code,
                          municipality=municipality, region=region)
        return shopper

    def register(self, shopper: Shopper, *, name: str = "Camille Gagnon",
                 email: str = "camille.gagnon@courriel.example", postal_code: str = "J8X 1A1",
                 municipality: str = "Gatineau", region: str = "07") -> dict[str, Any]:
        response = self.http.post("/v1/consumers", headers=shopper.headers, json={
            "name": name, "email": email, "phone": "819-555-0142",
            "address": {"street": "10, rue Laval", "municipality": municipality,
                        "postal_code": postal_code, "region": region}})
        assert response.status_code == 201, response.text
        return response.json()

    def cart(self, shopper: Shopper, lines: dict[str, int]) -> str:
        opened = self.http.post("/v1/carts", headers=shopper.headers)
        assert opened.status_code == 201, opened.text
        cart_id = opened.json()["id"]
        for listing_id, quantity in lines.items():
            self.set_line(shopper, cart_id, listing_id, quantity)
        shopper.carts.append(cart_id)
        return cart_id

    def set_line(self, shopper: Shopper, cart_id: str, listing_id: str,
                 quantity: int) -> dict[str, Any]:
        response = self.http.put(f"/v1/carts/{cart_id}/lines/{listing_id}",
                                 headers=shopper.headers, json={"quantity": quantity})
        assert response.status_code == 200, response.text
        return response.json()

    def check_out(self, shopper: Shopper, cart_id: str, *, key: str | None = None,
                  read_your_writes: bool = False) -> httpx.Response:
        headers = {**shopper.headers, **({"Idempotency-Key": key} if key else {}),
                   **(RYW if read_your_writes else {})}
        return self.http.post(f"/v1/carts/{cart_id}/checkout", headers=headers, json={})

    def buy(self, shopper: Shopper, lines: dict[str, int]) -> dict[str, Any]:
        """A cart with these lines, checked out and paid: the order."""
        order = self.check_out(shopper, self.cart(shopper, lines), read_your_writes=True)
        assert order.status_code == 201, order.text
        assert order.json()["payment"]["status"] == "captured", order.text
        return order.json()

    # -- search ------------------------------------------------------------------------------

    def search_listings(self, fresh: bool = True, **params: Any) -> dict[str, Any]:
        return self._search("listings", fresh, params)

    def search_merchants(self, fresh: bool = True, **params: Any) -> dict[str, Any]:
        return self._search("merchants", fresh, params)

    def _search(self, kind: str, fresh: bool, params: dict[str, Any]) -> dict[str, Any]:
        query = {"page_size": 100, **{k: _param(v) for k, v in params.items()}}
        response = self.http.get(f"/v1/search/{kind}", params=query,
                                 headers=RYW if fresh else {})
        assert response.status_code == 200, response.text
        return response.json()

    def hit(self, listing_id: str, **params: Any) -> dict[str, Any] | None:
        """The listing as a plain search shows it (None if it does not)."""
        found = self.search_listings(**params)["items"]
        return next((item for item in found if item["id"] == listing_id), None)


def _param(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


def ids(page: dict[str, Any]) -> set[str]:
    return {item["id"] for item in page["items"]}


def eventually(read: Callable[[], T], done: Callable[[T], bool], seconds: float) -> T:
    """Read until `done` or the time is up; the last reading either way."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@contextmanager
def marketplace(settings: Settings) -> Iterator[Marketplace]:
    with comptoir_server(settings) as base:
        market = Marketplace(base, settings)
        try:
            yield market
        finally:
            market.close()


@contextmanager
def marketplace_mailing_to(smtp_port: int, settings: Settings, monkeypatch: Any,
                           **env: str) -> Iterator[Marketplace]:
    """A marketplace whose mail goes to the test's SMTP server on `smtp_port`, with these
    other COMPTOIR_* settings in its environment (`monkeypatch` undoes them)."""
    for name, value in {"COMPTOIR_SMTP_HOST": "127.0.0.1", "COMPTOIR_SMTP_PORT": str(smtp_port),
                        "COMPTOIR_SMTP_TLS": "none", **env}.items():
        monkeypatch.setenv(name, value)
    with marketplace(settings) as market:
        yield market
