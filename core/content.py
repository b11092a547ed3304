"""Loading content shipped with the code (pages, catalogue, sites, forums) into the database.

Each app that brings content gives its AppConfig a `load_content(*, overwrite) -> str` method,
which `manage.py load_content` calls in the order of INSTALLED_APPS: what is linked to loads
before what links to it. Loaders share one rule, `load_each`: what is missing is created; what
exists is left as editors made it, unless `overwrite` resets it to the files.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.contrib.sites.models import Site

from . import pagecache


class ContentError(ValueError):
    """A content file that cannot be loaded as it is; the message names the file and entry."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self, label: str) -> str:
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{label}: {counts}."


def load_each(
    entries: Iterable,
    *,
    existing: Mapping,
    write: Callable[[Any, Any], bool],
    overwrite: bool,
    key: Callable[[Any], Any] = itemgetter("slug"),
) -> Tally:
    """For each entry, the object it describes is `existing[key(entry)]` (None if missing); if
    it is missing or `overwrite` is set, `write(entry, found)` creates or resets it and says
    whether anything changed. Without `overwrite`, an editor's change is never lost."""
    tally = Tally()
    for entry in entries:
        found = existing.get(key(entry))
        if (found is not None and not overwrite) or not write(entry, found):
            tally.unchanged += 1
        elif found is None:
            tally.created += 1
        else:
            tally.updated += 1
    if tally.created or tally.updated:
        # Loaders write with QuerySet.update(), which sends no signal.
        pagecache.bump(pagecache.CONTENT)
    return tally


def configure_site(*, domain: str) -> bool:
    """Name the site in emails; leaves it alone once anyone has changed Django's default."""
    return bool(
        Site.objects.filter(pk=1, domain="example.com").update(domain=domain, name="ASM-PACE")
    )
