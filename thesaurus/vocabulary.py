"""The portal's bilingual vocabulary, as each search reads it: the thesaurus's concepts and the
names the portal already gives in English and French (topics, minerals, forums, sites,
stakeholder groups), which the apps that own them provide (`provides`).

A query is expanded with it: a word or words that name a concept may be found under any of the
concept's labels ("mercure" finds "mercury"; "artisanal mining" finds "orpaillage"). It also
says which named things a query names, and how a word nobody uses might be spelt.

Each process keeps it under the version of core.pagecache's "content" tag (a change to any of
those names bumps it), as the library's catalogue does; without a cache to say, it is read for
each search (a query per provider).
"""

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import pagecache
from core.query import Query, Unit, folded, parse, words_of

MAX_ALTERNATIVES = 12
SUGGESTED_AT_MOST = 3
# How a suggestion names what it points to: "Did you mean the topic Mercury?"
KINDS = {
    "topic": _("the topic"),
    "mineral": _("the mineral"),
    "forum": _("the forum"),
    "site": _("the case-study site"),
}


@dataclass(frozen=True)
class Named:
    """Something the portal names in both languages: a topic, a forum, a site..."""

    kind: str
    key: str  # what its page's address is made from (a slug, a primary key)
    names: tuple[tuple[str, str], ...]  # (language, name)
    text: str = ""  # its description, in either language, searched too
    public: bool = True  # whether anybody may see it, so its names bridge searches
    id: int | None = None  # its primary key, for whoever checks who may see it
    address: tuple = ()  # (URL name, kwargs, query string) of its page, if it has one

    def get_absolute_url(self) -> str:
        name, kwargs, query = self.address
        return reverse(name, kwargs=kwargs) + (f"?{urlencode(query)}" if query else "")

    @property
    def label(self) -> str:
        return self.name((get_language() or "en")[:2])

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, "")

    def name(self, language: str) -> str:
        names = dict(self.names)
        return names.get(language) or names.get("en") or next(iter(names.values()), "")


_providers: dict[str, Callable[[], Iterable[Named]]] = {}


def provides(kind: str):
    """Register a function giving the Named things of a kind (an app calls it in ready())."""

    def register(function):
        _providers[kind] = function
        return function

    return register


@dataclass
class Vocabulary:
    labels: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # concept: words
    concepts_of: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # folded words
    named: list[Named] = field(default_factory=list)
    named_words: list[tuple[Named, tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    known_words: dict[str, str] = field(default_factory=dict)  # folded: as written
    longest: int = 1

    def add(self, concept: str, words: tuple[str, ...]):
        if words:
            self.labels.setdefault(concept, []).append(words)
            self.concepts_of.setdefault(tuple(map(folded, words)), set()).add(concept)
            self.longest = max(self.longest, len(words))

    def alternatives(self, words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """Every other label of the concepts these words name (none if they name none)."""
        key = tuple(map(folded, words))
        seen, found = {key}, []
        for concept in sorted(self.concepts_of.get(key, ())):
            for label in self.labels[concept]:
                if (folded_label := tuple(map(folded, label))) not in seen:
                    seen.add(folded_label)
                    found.append(label)
        return tuple(found[:MAX_ALTERNATIVES])

    def expanded(self, query: Query) -> Query:
        """The query with each word or words naming a concept open to the concept's labels."""
        return query.with_units(self.expand)

    def expand(self, units: list[Unit]) -> list[Unit]:
        expanded, start = [], 0
        while start < len(units):
            unit = units[start]
            if unit.phrase or unit.negated:
                expanded.append(replace(unit, alternatives=self.alternatives(unit.words)))
                start += 1
                continue
            # The longest run of plain words from here that names a concept, else the word.
            run = []
            for following in units[start : start + self.longest]:
                if following.phrase or following.negated:
                    break
                run.extend(following.words)
            for length in range(len(run), 0, -1):
                if alternatives := self.alternatives(tuple(run[:length])):
                    expanded.append(Unit(tuple(run[:length]), alternatives=alternatives))
                    start += length
                    break
            else:
                expanded.append(unit)
                start += 1
        return expanded

    def naming(self, query: Query) -> list[Named]:
        """The named things whose names (first) or descriptions hold what the query asks for."""
        by_name, by_text = [], []
        for named, name_words, text_words in self.named_words:
            if holds(query, name_words):
                by_name.append(named)
            elif holds(query, (*name_words, "", *text_words)):
                by_text.append(named)
        return by_name + by_text

    def spelling(self, query: Query) -> str:
        """The query with each word nobody's names use replaced by the closest that one does;
        "" if no word changes."""
        changed = False
        words = []
        for word in words_of(query.typed):
            close = [] if folded(word) in self.known_words else self.close_to(folded(word))
            words.append(self.known_words[close[0]] if close else word)
            changed |= bool(close)
        return " ".join(words) if changed else ""

    def close_to(self, word: str) -> list[str]:
        if len(word) < 4:
            return []
        return difflib.get_close_matches(word, list(self.known_words), n=1, cutoff=0.8)


def holds(query: Query, words: tuple[str, ...]) -> bool:
    """Whether folded words hold what the query asks for: any group's units, each by one of its
    readings (a phrase as neighbours, else every word), and none of its negated units."""

    present = set(words)

    def found(unit: Unit) -> bool:
        for reading, phrase in folded_readings(unit):
            if phrase:
                span = len(reading)
                if any(words[i : i + span] == reading for i in range(len(words) - span + 1)):
                    return True
            elif present.issuperset(reading):
                return True
        return False

    return any(
        any(not unit.negated for unit in group)
        and all(found(unit) != unit.negated for unit in group)
        for group in query.groups
    )


@lru_cache(maxsize=1024)
def folded_readings(unit: Unit) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """A unit's readings, folded: once per query, not once per named thing it is held against."""
    return tuple((tuple(map(folded, reading)), phrase) for reading, phrase in unit.readings())


def read() -> Vocabulary:
    from .models import Label

    vocabulary = Vocabulary()
    for concept, text in Label.objects.values_list("concept_id", "text"):
        vocabulary.add(f"concept:{concept}", words_of(text))
    written = []
    for kind, provider in _providers.items():
        for named in provider():
            vocabulary.named.append(named)
            names = [word for _, name in named.names for word in words_of(name)]
            vocabulary.named_words.append(
                (named, tuple(map(folded, names)), tuple(map(folded, words_of(named.text))))
            )
            if named.public:
                written += names
            if named.public and len({folded(name) for _, name in named.names}) > 1:
                for _, name in named.names:
                    vocabulary.add(f"{kind}:{named.key}", words_of(name))
    written += [word for labels in vocabulary.labels.values() for label in labels for word in label]
    for word in written:
        if len(word) >= 4:
            vocabulary.known_words.setdefault(folded(word), word)
    return vocabulary


# The vocabulary, read again if the portal's names changed since this process read it.
current = pagecache.KeptInProcess(read)


def expanded(query: str | Query) -> Query:
    """What a person typed, read and expanded with the vocabulary (once: a Query is expanded
    already, and returned as it is)."""
    if isinstance(query, Query):
        return query
    parsed = parse(query)
    return current().expanded(parsed) if parsed.units else parsed


@dataclass
class Suggestions:
    """What to offer when a search found nothing: what the portal names that the query names
    (public things only), and the query with its unknown words spelt as the portal's names."""

    named: list[Named]
    spelling: str

    def __bool__(self):
        return bool(self.named or self.spelling)


def suggestions(query: Query) -> Suggestions:
    vocabulary = current()
    named = [item for item in vocabulary.naming(query) if item.public and item.kind in KINDS][
        :SUGGESTED_AT_MOST
    ]
    return Suggestions(named, vocabulary.spelling(query) if query.asks else "")
