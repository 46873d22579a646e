"""Which text of a merchant or listing is searched, in which language, and what is a title.

Both backends index exactly these strings: PostgreSQL through its text search configurations,
SQLite through `analysis.terms`. Only words are kept (see `analysis.words`), so that both see
the same words whatever the punctuation.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.quebec import REGIONS
from domain.taxonomy import CATEGORIES
from projections.search.analysis import terms, words
from projections.search.documents import ListingDoc, MerchantDoc


@dataclass(frozen=True)
class SearchText:
    title_fr: str
    title_en: str
    body_fr: str  # includes the title
    body_en: str

    def title_terms(self) -> set[str]:
        return set(terms(self.title_fr, "french")) | set(terms(self.title_en, "english"))

    def body_terms(self) -> set[str]:
        return set(terms(self.body_fr, "french")) | set(terms(self.body_en, "english"))


def _words(*parts: str) -> str:
    return " ".join(w for part in parts for w in words(part))


def listing_text(doc: ListingDoc) -> SearchText:
    label_fr, label_en = CATEGORIES.get(doc.category, ("", ""))
    return SearchText(
        title_fr=_words(doc.title_fr),
        title_en=_words(doc.title_en),
        body_fr=_words(doc.title_fr, doc.description_fr, label_fr, doc.merchant_name,
                       doc.municipality, REGIONS.get(doc.region, "")),
        body_en=_words(doc.title_en, doc.description_en, label_en),
    )


def merchant_text(doc: MerchantDoc) -> SearchText:
    labels = [CATEGORIES.get(code, ("", "")) for code in doc.categories]
    return SearchText(
        title_fr=_words(doc.name),
        title_en="",
        body_fr=_words(doc.name, doc.description_fr, *(fr for fr, _ in labels), doc.municipality,
                       REGIONS.get(doc.region, "")),
        body_en=_words(doc.description_en, *(en for _, en in labels)),
    )


def listing_text_key(doc: ListingDoc) -> tuple[str, ...]:
    """What `listing_text` reads: when it is unchanged, the indexes need no rewrite."""
    return (doc.title_fr, doc.title_en, doc.description_fr, doc.description_en, doc.category,
            doc.merchant_name, doc.municipality, doc.region)
