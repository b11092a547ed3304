"""The case-study sites (content/sites.toml), loaded once; then managed in the admin.

Studies are found by slug, so the library's catalogue loads first (INSTALLED_APPS order).
"""

import tomllib
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.content import ContentError, load_each
from publications.models import Publication

from .models import Mineral, Site, SiteText

SITES_TOML = Path(__file__).resolve().parent / "content" / "sites.toml"
SITE_WORDS = (
    "name",
    "designation",
    "region",
    "status_note",
    "ecosystem",
    *SiteText.MARKDOWN_FIELDS,
)


@transaction.atomic
def load_sites(*, overwrite: bool = False, path: Path = SITES_TOML) -> str:
    """Create the sites that are missing; with overwrite, reset their facts and words, but
    never publish again a site that an editor unpublished."""
    with path.open("rb") as stream:
        content = tomllib.load(stream)
    minerals = {
        slug: Mineral.objects.get_or_create(slug=slug, defaults={"name": en, "name_fr": fr})[0]
        for slug, (en, fr) in content["minerals"].items()
    }

    def write(entry, site):
        facts = {
            "country": entry["country"],
            "latitude": Decimal(str(entry["latitude"])),
            "longitude": Decimal(str(entry["longitude"])),
            "established": entry.get("established"),
            "area_ha": entry.get("area_ha"),
            "iucn_category": entry.get("iucn_category", ""),
            "wdpa_id": entry.get("wdpa_id"),
        }
        site, _created = Site.objects.update_or_create(
            slug=entry["slug"],
            defaults=facts,
            create_defaults={**facts, "is_published": True, "published_at": timezone.now()},
        )
        site.minerals.set([minerals[slug] for slug in entry["minerals"]])
        studies = list(Publication.objects.filter(slug__in=entry["publications"]))
        if len(studies) != len(entry["publications"]):
            raise ContentError(f"sites.toml: {site.slug} names a study that is not in the library")
        site.publications.set(studies)
        for language, _name in settings.LANGUAGES:
            words = {name: entry[language].get(name, "").strip() for name in SITE_WORDS}
            SiteText.objects.update_or_create(site=site, language=language, defaults=words)
        return True

    existing = {site.slug: site for site in Site.objects.all()}
    tally = load_each(content["sites"], existing=existing, write=write, overwrite=overwrite)
    return tally.summary("Sites")
