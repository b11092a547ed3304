"""The programme's own content, shipped with the code and loaded into the database once.

Pages live in portal/content/pages/<language>/<slug>.md: a front matter of `key: value` lines
between two `---` lines (title, order, optional summary and `footer: no`), then the Markdown
body. Case-study sites live in portal/content/sites.toml.
"""

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Mineral, Page, Site, SiteText

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class PageSource:
    slug: str
    language: str
    title: str
    summary: str
    order: int
    in_footer: bool
    body: str


def parse_page(path: Path) -> PageSource:
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        end = lines.index("---", 1)
    except ValueError:
        raise ContentError(f"{path}: no front matter between two '---' lines") from None
    if lines[0] != "---":
        raise ContentError(f"{path}: the first line must be '---'")
    meta = dict(line.split(":", 1) for line in lines[1:end] if ":" in line)
    meta = {key.strip(): value.strip() for key, value in meta.items()}
    missing = {"title", "order"} - meta.keys()
    if missing:
        raise ContentError(f"{path}: missing {', '.join(sorted(missing))}")
    return PageSource(
        slug=path.stem,
        language=path.parent.name,
        title=meta["title"],
        summary=meta.get("summary", ""),
        order=int(meta["order"]),
        in_footer=meta.get("footer", "yes") != "no",
        body="\n".join(lines[end + 1 :]).strip() + "\n",
    )


def page_sources(content_dir: Path = CONTENT_DIR) -> list[PageSource]:
    return [parse_page(path) for path in sorted((content_dir / "pages").glob("*/*.md"))]


@transaction.atomic
def load_pages(*, overwrite: bool = False, content_dir: Path = CONTENT_DIR) -> dict[str, int]:
    """Create the pages that are missing; with overwrite, also reset edited ones to the files.

    Without overwrite an editor's changes are never lost, so running it again changes nothing.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {(page.slug, page.language): page for page in Page.objects.all()}
    for source in page_sources(content_dir):
        fields = {
            "title": source.title,
            "summary": source.summary,
            "order": source.order,
            "in_footer": source.in_footer,
            "body": source.body,
        }
        page = existing.get((source.slug, source.language))
        if page is None:
            Page.objects.create(slug=source.slug, language=source.language, **fields)
            counts["created"] += 1
        elif overwrite and any(getattr(page, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(page, name, value)
            page.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


SITE_WORDS = (
    "name",
    "designation",
    "region",
    "status_note",
    "ecosystem",
    *SiteText.MARKDOWN_FIELDS,
)


@transaction.atomic
def load_sites(*, overwrite: bool = False, content_dir: Path = CONTENT_DIR) -> str:
    """Create the sites that are missing; with overwrite, reset their facts and words.

    Studies are found by slug, so the library's catalogue must be loaded first.
    """
    from publications.models import Publication

    with (content_dir / "sites.toml").open("rb") as stream:
        content = tomllib.load(stream)
    minerals = {
        slug: Mineral.objects.get_or_create(slug=slug, defaults={"name": en, "name_fr": fr})[0]
        for slug, (en, fr) in content["minerals"].items()
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for entry in content["sites"]:
        site = Site.objects.filter(slug=entry["slug"]).first()
        if site and not overwrite:
            counts["unchanged"] += 1
            continue
        facts = {
            "country": entry["country"],
            "latitude": Decimal(str(entry["latitude"])),
            "longitude": Decimal(str(entry["longitude"])),
            "established": entry.get("established"),
            "area_ha": entry.get("area_ha"),
            "iucn_category": entry.get("iucn_category", ""),
            "wdpa_id": entry.get("wdpa_id"),
        }
        site, created = Site.objects.update_or_create(
            slug=entry["slug"], defaults=facts, create_defaults={**facts, "is_published": True}
        )
        counts["created" if created else "updated"] += 1
        site.minerals.set([minerals[slug] for slug in entry["minerals"]])
        studies = list(Publication.objects.filter(slug__in=entry["publications"]))
        if len(studies) != len(entry["publications"]):
            raise ContentError(f"sites.toml: {site.slug} names a study that is not in the library")
        site.publications.set(studies)
        for language, _name in settings.LANGUAGES:
            words = {name: entry[language].get(name, "").strip() for name in SITE_WORDS}
            SiteText.objects.update_or_create(site=site, language=language, defaults=words)
    return "Sites: {created} created, {updated} updated, {unchanged} unchanged.".format(**counts)


def configure_site(*, domain: str) -> bool:
    """Name the site in emails; leaves it alone once anyone has changed Django's default."""
    from django.contrib.sites.models import Site

    return bool(
        Site.objects.filter(pk=1, domain="example.com").update(domain=domain, name="ASM-PACE")
    )
