"""Writes to the case-study sites that have rules."""

from django.db import transaction
from django.utils import timezone

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
    if published:
        first_published(Site.objects.filter(pk__in=changed))
    pagecache.bump(pagecache.CONTENT)  # update() sends no signal
    if published:
        for site_id in changed:
            record(tell_new_site, site_id=site_id)
    return len(changed)


def site_published(*, site: Site) -> None:
    """A site saved as published in the admin's form: its followers are told, as above."""
    if site.published_at is None:
        site.published_at = first_published(Site.objects.filter(pk=site.pk))
    record(tell_new_site, site_id=site.pk)


def first_published(sites):
    """The sites published for the first time now are dated: published again, they keep it.
    Returns the date given."""
    now = timezone.now()
    sites.filter(published_at__isnull=True).update(published_at=now)
    return now
