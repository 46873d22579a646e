"""The merchant portal's words (`/portail`), French (Québec) first, English second."""

from __future__ import annotations

# key -> (French, English); keys start with "portal_" (shared with api/web/texts.py's table)
PORTAL_TEXTS: dict[str, tuple[str, str]] = {
    "portal_title": ("Portail entreprise", "Business portal"),
    "portal_nav_label": ("Portail entreprise", "Business portal"),
    "portal_home": ("Accueil", "Home"),
    "portal_listings": ("Fiches", "Listings"),
    "portal_orders": ("Commandes", "Orders"),
    "portal_payouts": ("Versements", "Payouts"),
    "portal_insight": ("Statistiques", "Insight"),
    "portal_integrations": ("Clés d'API et webhooks", "API keys and webhooks"),
}
