"""The programme's forums (content/forums.toml), loaded once; then managed in the admin."""

import tomllib
from pathlib import Path

from django.db import transaction

from portal.content import ContentError
from portal.models import Site

from .models import Forum

FORUMS = Path(__file__).resolve().parent / "content" / "forums.toml"


@transaction.atomic
def load_forums(*, overwrite: bool = False, path: Path = FORUMS) -> str:
    with path.open("rb") as stream:
        entries = tomllib.load(stream)["forums"]
    sites = {
        site.slug: site for site in Site.objects.filter(slug__in=[e.get("site") for e in entries])
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for order, entry in enumerate(entries):
        if "site" in entry and entry["site"] not in sites:
            raise ContentError(f"forums.toml: {entry['slug']} names a site that does not exist")
        (name, name_fr), (description, description_fr) = entry["name"], entry["description"]
        values = {
            "name": name,
            "name_fr": name_fr,
            "description": description,
            "description_fr": description_fr,
            "site": sites.get(entry.get("site")),
            "order": order,
        }
        forum = Forum.objects.filter(slug=entry["slug"]).first()
        if forum is None:
            Forum.objects.create(slug=entry["slug"], **values)
            counts["created"] += 1
        elif overwrite:
            Forum.objects.filter(pk=forum.pk).update(**values)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return "Forums: {created} created, {updated} updated, {unchanged} unchanged.".format(**counts)
