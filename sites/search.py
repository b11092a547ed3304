"""What the portal's search and thesaurus know of sites: their names in every language, the
minerals' names in English and French, and which sites a query finds."""

import functools
from collections import defaultdict

from django.utils import translation
from django_countries import countries

from thesaurus.vocabulary import Named

from .models import Mineral, SiteText


def named_sites() -> list[Named]:
    names, facts = defaultdict(list), {}
    rows = SiteText.objects.values_list(
        "site", "site__slug", "site__is_published", "language", "name"
    )
    for site, slug, published, language, name in rows:
        names[site].append((language, name))
        facts[site] = (slug, published)
    return [
        Named(
            "site",
            slug,
            tuple(names[pk]),
            public=published,
            id=pk,
            address=("sites:detail", {"slug": slug}, {}),
        )
        for pk, (slug, published) in facts.items()
    ]


def named_minerals() -> list[Named]:
    return [
        Named(
            "mineral",
            mineral.slug,
            (("en", mineral.name), ("fr", mineral.name_fr or mineral.name)),
            address=("sites:list", {}, {"mineral": mineral.slug}),
        )
        for mineral in Mineral.objects.all()
    ]


def matching(sites, query, *, named=()) -> list:
    """The sites (a queryset, read with_texts) whose text in the current language (or in English
    where it has none) holds what the query asks for (core.query.Query: each unit by one of its
    readings) in its name, designation, region or summary, or whose country's name does; and
    the sites whose primary keys are `named` (found by their names in any language).

    Matched here rather than in SQL: sites are few, and building the statement cost more than
    reading them all (case-folded, so "É" finds "é" on SQLite too).
    """
    named = set(named)
    return [site for site in sites if site.pk in named or holds(site, query)]


def holds(site, query) -> bool:
    text = site.text
    country = country_names(translation.get_language() or "en").get(site.country.code, "")
    fields = [
        (value or "").casefold()
        for value in (text.name, text.designation, text.region, text.summary)
    ]
    fields.append(country)

    def found(words):
        return all(any(word.casefold() in field for field in fields) for word in words)

    def unit_found(unit):
        return any(
            found([" ".join(words)]) if phrase else found(words)
            for words, phrase in unit.readings()
        )

    return any(
        any(not unit.negated for unit in group)
        and all(unit_found(unit) != unit.negated for unit in group)
        for group in query.groups
    )


@functools.cache
def country_names(language: str) -> dict:
    """Every country's case-folded name in a language, by its code: the same for the life of
    the process, and translating all of them took 2 ms at each search. Read, never changed."""
    with translation.override(language):
        return {code: str(name).casefold() for code, name in countries}
