"""What the portal's search and thesaurus know of sites: their names in every language, and the
minerals' names in English and French."""

from collections import defaultdict

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
