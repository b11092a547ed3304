"""Background work of the case-study sites: telling readers of a new site."""

from core.emails import absolute_url
from notices.models import Kind
from outbox.jobs import job
from publications.following import tell_followers
from publications.models import Topic

from .models import Site


@job
def tell_new_site(*, site_id: int) -> int:
    """The followers of the topics of a newly published site's studies learn of it. Returns
    the number of emails queued."""
    site = Site.objects.published().filter(pk=site_id).first()
    if site is None:
        return 0
    topic_ids = Topic.objects.filter(publication__in=site.publications.all()).values_list(
        "pk", flat=True
    )
    return tell_followers(
        topic_ids=topic_ids.distinct(),
        kind=Kind.NEW_SITE,
        target=site,
        email="sites/email/new_site",
        context={"site": site, "link": absolute_url(site.get_absolute_url())},
    )
