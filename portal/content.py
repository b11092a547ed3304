"""The programme's pages, shipped with the code and loaded into the database once.

Pages live in portal/content/pages/<language>/<slug>.md: a front matter of `key: value` lines
between two `---` lines (title, order, optional summary and `footer: no`), then the Markdown
body.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from core.content import ContentError, Tally, load_each

from .models import Page

CONTENT_DIR = Path(__file__).resolve().parent / "content"


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
def load_pages(*, overwrite: bool = False, content_dir: Path = CONTENT_DIR) -> Tally:
    """Create the pages that are missing; with overwrite, also reset edited ones to the files."""

    def write(source, page):
        fields = {
            "title": source.title,
            "summary": source.summary,
            "order": source.order,
            "in_footer": source.in_footer,
            "body": source.body,
        }
        if page is None:
            Page.objects.create(slug=source.slug, language=source.language, **fields)
            return True
        if all(getattr(page, name) == value for name, value in fields.items()):
            return False
        for name, value in fields.items():
            setattr(page, name, value)
        page.save()
        return True

    existing = {(page.slug, page.language): page for page in Page.objects.all()}
    return load_each(
        page_sources(content_dir),
        existing=existing,
        key=lambda source: (source.slug, source.language),
        write=write,
        overwrite=overwrite,
    )
