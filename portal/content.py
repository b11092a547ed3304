"""The programme's own content, shipped with the code and loaded into the database once.

Files live in portal/content/pages/<language>/<slug>.md: a front matter of `key: value` lines
between two `---` lines, then the Markdown body.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import Page

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


def configure_site(*, domain: str) -> bool:
    """Name the site in emails; leaves it alone once anyone has changed Django's default."""
    from django.contrib.sites.models import Site

    return bool(
        Site.objects.filter(pk=1, domain="example.com").update(domain=domain, name="ASM-PACE")
    )
