"""A query as a person types it, read once, the same way for PostgreSQL and for SQLite.

The syntax is a search engine's: words must all be found, "quoted words" as a phrase, -word
excludes, and OR in capitals between words offers a choice. Nothing else is an operator: French
"or" (gold) in lower case is a word, as are "et", "ou" and "and". French elisions are read as
the word they elide (d'or, l'orpaillage: or, orpaillage), as both databases' parsers split them.

A unit is what one word or phrase of the query asks for; the thesaurus may give it
alternatives (other words for the same thing, in either language), any of which will do.
"""

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

MAX_UNITS = 10
MAX_LENGTH = 200  # characters of a query read; the rest is ignored
JOINERS = "-'\u2019"  # hyphen, apostrophe, typographic apostrophe
WORD = re.compile(rf"\w+(?:[{JOINERS}]\w+)*")
TOKEN = re.compile(rf"(?P<sign>-?)(?:\"(?P<phrase>[^\"]*)(?:\"|$)|(?P<word>{WORD.pattern}))")
ELISION = re.compile(rf"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)[{JOINERS[1:]}](?=\w)", re.I)
STOPWORDS_DIRECTORY = Path(__file__).resolve().parent / "stopwords"


def folded(text: str) -> str:
    """Lower case without accents: how both databases compare words (unaccent, unicode61)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> tuple[str, ...]:
    """The words of a text, elisions removed: "l'or alluvial" is ("or", "alluvial")."""
    return tuple(
        part
        for word in WORD.findall(text)
        for part in re.split(f"[{JOINERS}]", ELISION.sub("", word))
        if part
    )


@cache
def stopwords(language: str) -> frozenset[str]:
    """PostgreSQL's (Snowball's) stop words of a language, folded."""
    path = STOPWORDS_DIRECTORY / f"{language}.txt"
    return frozenset(folded(line.strip()) for line in path.read_text().splitlines() if line.strip())


@dataclass(frozen=True)
class Unit:
    """A word, or several read together: a phrase if quoted, else words that must all be found
    (the thesaurus joins unquoted words it knows as one term, "artisanal mining")."""

    words: tuple[str, ...]
    phrase: bool = False
    negated: bool = False
    alternatives: tuple[tuple[str, ...], ...] = ()  # phrases that will do as well

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def readings(self):
        """(words, as a phrase?) for the unit as typed, then each alternative (a phrase)."""
        yield self.words, self.phrase or len(self.words) == 1
        for alternative in self.alternatives:
            yield alternative, True


@dataclass(frozen=True)
class Query:
    """Either group of units (OR in capitals between them); all of a group's units."""

    typed: str
    groups: tuple[tuple[Unit, ...], ...] = field(default=())
    # How a database read it, kept for the rest of the request (core.search.parsed).
    readings: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __str__(self):
        return self.typed

    def __bool__(self):
        """Whether anything was typed (a query of signs only is one, that finds nothing)."""
        return bool(self.typed.strip())

    @property
    def asks(self) -> bool:
        """Whether it holds a word to look for."""
        return any(not unit.negated for unit in self.units)

    @property
    def units(self):
        return [unit for group in self.groups for unit in group]

    def words(self) -> list[str]:
        """Every word it looks for, as typed and in its alternatives (to mark in passages)."""
        found = [
            word
            for unit in self.units
            if not unit.negated
            for words, _ in unit.readings()
            for word in words
        ]
        return list(dict.fromkeys(found))

    def with_units(self, change) -> "Query":
        """The query with each group's units replaced by change(units)."""
        groups = tuple(tuple(change(list(group))) for group in self.groups)
        return replace(self, groups=groups, readings={})


def parse(typed: str) -> Query:
    """A query read from what a person typed: at most MAX_UNITS units, unknown signs ignored."""
    typed = (typed or "")[:MAX_LENGTH]
    groups, units, either = [], [], False
    for match in TOKEN.finditer(typed):
        if match["word"] == "OR" and not match["sign"]:
            either = bool(units)
            continue
        if either:
            groups.append(tuple(units))
            units, either = [], False
        words = words_of(match["phrase"] if match["phrase"] is not None else match["word"])
        if words and sum(len(group) for group in groups) + len(units) < MAX_UNITS:
            # Quoted words, and a word joined by hyphens or an apostrophe, are a phrase.
            units.append(Unit(words, phrase=len(words) > 1, negated=bool(match["sign"])))
    groups.append(tuple(units))
    return Query(typed, tuple(group for group in groups if group))
