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
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

DATA = Path(__file__).parent / "data"
# The default PostgreSQL parser's words: runs of letters and digits (apostrophes, hyphens and
# punctuation separate them; hyphenated compounds also yield their parts, which is what we keep).
_WORD = re.compile(r"[^\W_]+")


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
    return _WORD.findall(text or "")


def terms(text: str | None, language: str) -> list[str]:
    return [t for t in (term(w, language) for w in words(text)) if t]


def query_terms(text: str, max_terms: int = 8) -> list[tuple[str, ...]]:
    """Each query word becomes the alternatives it may match (French and English term);
    a word that is a stop word in both languages is dropped."""
    alternatives: list[tuple[str, ...]] = []
    for word in words(text)[: max_terms * 2]:
        options = tuple(dict.fromkeys(t for t in (term(word, "french"), term(word, "english"))
                                      if t))
        if options and options not in alternatives:
            alternatives.append(options)
    return alternatives[:max_terms]
