"""Writes to the case-study sites that have rules."""

from django.db import transaction

from core import pagecache
from outbox.services import record

from .models import Site
from .tasks import tell_new_site


@transaction.atomic
def sites_publish(*, sites, published: bool = True) -> int:
    """Publish or withdraw sites. Those published now are told to the followers of their
    studies' topics (once per site and person, however often it is published again)."""
    changed = [site.pk for site in sites if site.is_published != published]
    Site.objects.filter(pk__in=changed).update(is_published=published)
    pagecache.bump(pagecache.CONTENT)  # update() sends no signal
    if published:
        for site_id in changed:
            record(tell_new_site, site_id=site_id)
    return len(changed)


def site_published(*, site: Site) -> None:
    """A site saved as published in the admin's form: its followers are told, as above."""
    record(tell_new_site, site_id=site.pk)
