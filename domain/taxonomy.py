"""The closed vocabularies of the catalogue: categories, Québec-origin labels, tax classes."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from domain.errors import InvalidValueError

# code -> (French label, English label)
CATEGORIES: dict[str, tuple[str, str]] = {
    "alimentation": ("Alimentation et épicerie", "Food and groceries"),
    "boulangerie": ("Boulangerie et pâtisserie", "Bakery and pastry"),
    "fromagerie": ("Fromagerie", "Cheese shop"),
    "boucherie": ("Boucherie et charcuterie", "Butcher and deli"),
    "boissons": ("Bières, vins et boissons", "Beer, wine and drinks"),
    "restauration": ("Restauration et traiteur", "Restaurants and catering"),
    "vetements": ("Vêtements et accessoires", "Clothing and accessories"),
    "chaussures": ("Chaussures", "Shoes"),
    "beaute": ("Beauté et soins", "Beauty and care"),
    "sante": ("Santé et bien-être", "Health and wellness"),
    "maison": ("Maison et décoration", "Home and decor"),
    "quincaillerie": ("Quincaillerie et rénovation", "Hardware and renovation"),
    "jardin": ("Jardin et horticulture", "Garden"),
    "librairie": ("Livres et papeterie", "Books and stationery"),
    "jouets": ("Jouets et jeux", "Toys and games"),
    "sports": ("Sports et plein air", "Sports and outdoors"),
    "artisanat": ("Artisanat et métiers d'art", "Crafts"),
    "bijoux": ("Bijoux", "Jewellery"),
    "electronique": ("Électronique et informatique", "Electronics and computers"),
    "animaux": ("Animaux", "Pets"),
    "services": ("Services", "Services"),
}
MAX_CATEGORIES = 5


def parse_category(code: str) -> str:
    code = str(code).strip().lower()
    if code not in CATEGORIES:
        raise InvalidValueError("category_unknown", value=code[:40])
    return code


def parse_categories(codes: list[str]) -> tuple[str, ...]:
    parsed = tuple(dict.fromkeys(parse_category(code) for code in codes))
    if not parsed:
        raise InvalidValueError("categories_empty")
    if len(parsed) > MAX_CATEGORIES:
        raise InvalidValueError("categories_too_many", maximum=MAX_CATEGORIES)
    return parsed


class OriginLabel(StrEnum):
    """Québec-origin claims shown on a listing."""

    PRODUCED = "produced"  # produit au Québec
    TRANSFORMED = "transformed"  # transformé au Québec
    DESIGNED = "designed"  # conçu au Québec
    NONE = "none"


class TaxClass(StrEnum):
    TAXABLE = "taxable"  # GST + QST
    ZERO_RATED = "zero_rated"  # basic groceries: taxed at 0 %
    EXEMPT = "exempt"  # outside the tax (some services)


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str, code: str) -> E:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        raise InvalidValueError(code, allowed=[member.value for member in enum]) from None
