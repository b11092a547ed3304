"""What the portal's search and thesaurus know of sites: their names in every language, and the
minerals' names in English and French."""

from collections import defaultdict

from thesaurus.vocabulary import Named

from .models import Mineral, Site, SiteText


def named_sites() -> list[Named]:
    names = defaultdict(list)
    for site, language, name in SiteText.objects.values_list("site", "language", "name"):
        names[site].append((language, name))
    return [
        Named(
            "site",
            slug,
            tuple(names[pk]),
            public=published,
            id=pk,
            address=("sites:detail", {"slug": slug}, {}),
        )
        for pk, slug, published in Site.objects.values_list("pk", "slug", "is_published")
        if names[pk]
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
