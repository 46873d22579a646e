"""Text analysis for search: the same terms from the same text on every backend.

PostgreSQL analyses with the `comptoir_french` and `comptoir_english` text search
configurations (the default parser, then `unaccent`, then Snowball's stemmer and stop words of
the language). SQLite's FTS5 cannot run those, so this module does the same in Python, with the same
data: PostgreSQL's own `unaccent.rules`, `french.stop` and `english.stop` (copied in
`data/`, see data/README.md) and the Snowball stemmers through PyStemmer 2.2.0.3, whose
libstemmer is Snowball 2.2.0 like PostgreSQL 15's (PyStemmer 3 ships Snowball 3, whose English
stems "organic" and "university" differently). `tests/integration/test_search_analysis.py`
compares the two analysers lexeme by lexeme on a French and English vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

DATA = Path(__file__).parent / "data"
# The default PostgreSQL parser's words: runs of letters and digits (apostrophes, hyphens and
# punctuation separate them; hyphenated compounds also yield their parts, which is what we keep).
_WORD = re.compile(r"[^\W_]+")
# French elisions: an article, pronoun or conjunction that lost its vowel before an apostrophe
# (l'érable, d'Antan, qu'on, jusqu'à), with a straight, curly or modifier apostrophe. Only at
# the start of a word: "aujourd'hui" and "prud'homme" keep theirs.
_ELISION = re.compile(r"\b(?:jusqu|lorsqu|puisqu|quoiqu|qu|[cdjlmnst])['’ʼ‘´`](?=[^\W\d_])",
                      re.IGNORECASE)


@cache
def _unaccent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for line in (DATA / "unaccent.rules").read_text(encoding="utf-8").splitlines():
        source, _, target = line.partition("\t")
        if len(source) == 1:
            table[ord(source)] = target.strip()
    return table


@cache
def _stop_words(language: str) -> frozenset[str]:
    return frozenset((DATA / f"{language}.stop").read_text(encoding="utf-8").split())


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def unaccent(text: str) -> str:
    return text.translate(_unaccent_table())


@lru_cache(maxsize=200_000)
def term(word: str, language: str) -> str | None:
    """The indexed term of one parsed word, or None for a stop word (as PostgreSQL does it).

    Words with a digit go to PostgreSQL's `simple` dictionary: lower-cased, kept whole.
    Letters only: unaccented, lower-cased, stop words dropped, stemmed.
    """
    if any(ch.isdigit() for ch in word):
        return word.lower()
    lowered = unaccent(word).lower()
    if lowered in _stop_words(language):
        return None
    return _stemmer(language).stemWord(lowered)


def words(text: str | None) -> list[str]:
    """The words of a text, elisions removed ("l'érable" is one word: "érable")."""
    return _WORD.findall(_ELISION.sub("", text or ""))


def terms(text: str | None, language: str) -> list[str]:
    return [t for t in (term(w, language) for w in words(text)) if t]


# Snowball's French list, which PostgreSQL indexes with, lacks the plural article: "les" is
# indexed (as "le"), but a shopper's "les" never means anything.
_QUERY_STOP_WORDS = frozenset({"les"})


def is_stop_word(word: str) -> bool:
    """An article, preposition, pronoun... of either language, as typed (accents kept: "thé"
    is tea, not "the"). A query does not know its language, and a French stop word that must
    match would have to be in an English text: "sirop d'érable" or "the cheese curds" would
    then find nothing."""
    lowered = word.lower()
    return (lowered in _stop_words("french") or lowered in _stop_words("english")
            or lowered in _QUERY_STOP_WORDS)


@dataclass(frozen=True)
class QueryAnalysis:
    terms: list[tuple[str, ...]]  # per word kept, the terms it may match (French, English)
    ignored: list[str]  # the words dropped: stop words, as typed


def analyse_query(text: str, max_terms: int = 8) -> QueryAnalysis:
    """Each query word becomes the alternatives it may match (its French and English term);
    stop words of either language are dropped, and every other word must match."""
    alternatives: list[tuple[str, ...]] = []
    ignored: list[str] = []
    for word in words(text)[: max_terms * 3]:
        options = () if is_stop_word(word) else tuple(dict.fromkeys(
            t for t in (term(word, "french"), term(word, "english")) if t))
        if not options:
            ignored.append(word)
        elif options not in alternatives:
            alternatives.append(options)
    return QueryAnalysis(alternatives[:max_terms], ignored)
