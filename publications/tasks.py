from core.emails import absolute_url
from notices.models import Kind
from outbox.jobs import job

from .extraction import publication_text_extract
from .following import tell_followers
from .models import Publication


@job
def extract_text(*, publication_id: int) -> None:
    publication_text_extract(publication_id=publication_id)


@job
def tell_new_study(*, publication_id: int) -> int:
    """The followers of a newly published study's topics learn of it. Returns the emails."""
    publication = Publication.objects.published().filter(pk=publication_id).first()
    if publication is None:
        return 0
    topic_ids = list(publication.topics.values_list("pk", flat=True))
    link = absolute_url(publication.get_absolute_url())
    return tell_followers(
        topic_ids=topic_ids,
        kind=Kind.NEW_STUDY,
        target=publication,
        email="publications/email/new_study",
        context={"publication": publication, "link": link},
    )
