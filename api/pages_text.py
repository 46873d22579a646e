"""French and English words of the HTML pages, and how amounts read in each language."""

from __future__ import annotations

import unicodedata

from api.i18n import Language
from domain.money import Money
from domain.taxonomy import CATEGORIES

NBSP = "\u00a0"  # keeps "8,99 $" and "1 299,00 $" on one line, as French typography wants

# key -> (French, English)
TEXTS: dict[str, tuple[str, str]] = {
    "html_lang": ("fr-CA", "en-CA"),
    "og_locale": ("fr_CA", "en_CA"),
    "other_language": ("English", "Français"),
    "shared_other": ("This page in English", "Cette page en français"),
    "site": ("Comptoir", "Comptoir"),
    "tagline": ("L'achat local au Québec", "Buy local in Québec"),
    "categories": ("Catégories", "Categories"),
    "address": ("Adresse", "Address"),
    "province": ("(Québec)", "QC"),
    "map": ("Voir sur la carte (OpenStreetMap)", "See on the map (OpenStreetMap)"),
    "website": ("Site Web", "Website"),
    "products": ("Produits", "Products"),
    "hours": ("Heures d'ouverture", "Opening hours"),
    "closed": ("Fermé", "Closed"),
    "logo": ("Logo de {name}", "{name} logo"),
    "monday": ("Lundi", "Monday"),
    "tuesday": ("Mardi", "Tuesday"),
    "wednesday": ("Mercredi", "Wednesday"),
    "thursday": ("Jeudi", "Thursday"),
    "friday": ("Vendredi", "Friday"),
    "saturday": ("Samedi", "Saturday"),
    "sunday": ("Dimanche", "Sunday"),
    "price": ("Prix", "Price"),
    "in_stock": ("En stock", "In stock"),
    "out_of_stock": ("Rupture de stock", "Out of stock"),
    "no_products": ("Aucun produit n'est offert pour l'instant.",
                    "No products are offered at the moment."),
    "more_products": ("Seuls les {count} premiers produits sont affichés.",
                      "Only the first {count} products are shown."),
    "in_place": ("{category} à {municipality} (Québec)", "{category} in {municipality}, Québec"),
    "not_found_title": ("Page introuvable", "Page not found"),
    "not_found": ("Ce commerce n'existe pas ou n'est pas présenté pour l'instant.",
                  "This business does not exist or is not shown at the moment."),
    "gone_title": ("Ce commerce a fermé", "This business has closed"),
    "gone": ("«\u00a0{name}\u00a0» ne vend plus sur Comptoir.",
             "{name} no longer sells on Comptoir."),
}


def texts(language: Language) -> dict[str, str]:
    index = 0 if language == "fr" else 1
    return {key: pair[index] for key, pair in TEXTS.items()}


def category_label(code: str, language: Language) -> str:
    labels = CATEGORIES.get(code)
    return code if labels is None else labels[0 if language == "fr" else 1]


def price(amount: Money, language: Language) -> str:
    """'1 299,00 $' in French (Office québécois de la langue française), '$1,299.00' in
    English. Prices are positive."""
    dollars, cents = divmod(amount.cents, 100)
    if language == "fr":
        return f"{dollars:,}".replace(",", NBSP) + f",{cents:02d}{NBSP}$"
    return f"${dollars:,}.{cents:02d}"


def title_key(title: str) -> str:
    """Alphabetical order without a system locale: case and accents ignored, so "Érable"
    comes before "Fraise" (a plain string sort puts every accented capital after "Z")."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
