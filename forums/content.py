"""The programme's forums (content/forums.toml), loaded once; then managed in the admin."""

import tomllib
from pathlib import Path

from django.db import transaction

from core.content import ContentError, load_each
from sites.models import Site

from .models import Forum

FORUMS = Path(__file__).resolve().parent / "content" / "forums.toml"


@transaction.atomic
def load_forums(*, overwrite: bool = False, path: Path = FORUMS) -> str:
    with path.open("rb") as stream:
        entries = tomllib.load(stream)["forums"]
    sites = {
        site.slug: site for site in Site.objects.filter(slug__in=[e.get("site") for e in entries])
    }
    for entry in entries:
        if "site" in entry and entry["site"] not in sites:
            raise ContentError(f"forums.toml: {entry['slug']} names a site that does not exist")
    order = {entry["slug"]: position for position, entry in enumerate(entries)}

    def write(entry, forum):
        (name, name_fr), (description, description_fr) = entry["name"], entry["description"]
        values = {
            "name": name,
            "name_fr": name_fr,
            "description": description,
            "description_fr": description_fr,
            "site": sites.get(entry.get("site")),
            "order": order[entry["slug"]],
        }
        if forum is None:
            Forum.objects.create(slug=entry["slug"], **values)
        else:
            Forum.objects.filter(pk=forum.pk).update(**values)
        return True

    existing = {forum.slug: forum for forum in Forum.objects.all()}
    tally = load_each(entries, existing=existing, write=write, overwrite=overwrite)
    return tally.summary("Forums")
