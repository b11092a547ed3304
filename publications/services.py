"""Every write to the library that has rules."""

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import pagecache
from core.storage import open_stream
from outbox.services import record

from . import permissions
from .models import DownloadCount, Extraction, Publication, Topic, TopicFollow
from .search import index_publication
from .tasks import extract_text, tell_new_study


def publication_file_changed(*, publication: Publication, previous_name: str = "") -> None:
    """A PDF was saved, replaced or removed: record its size and fingerprint, drop the file it
    replaced, and have a worker extract its text."""
    storage = publication.file.storage
    if previous_name and previous_name != publication.file.name:
        transaction.on_commit(lambda: storage.delete(previous_name))
    # The page shows the file's size and pages, written below with update().
    pagecache.bump(pagecache.CONTENT)
    if not publication.file:
        Publication.objects.filter(pk=publication.pk).update(
            file_size=None,
            file_sha256="",
            page_count=None,
            text="",
            extraction=Extraction.NO_FILE,
            extraction_error="",
        )
        transaction.on_commit(lambda: index_publication(publication.pk))
        return
    digest = hashlib.sha256()
    size = 0
    with open_stream(storage, publication.file.name) as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    Publication.objects.filter(pk=publication.pk).update(
        file_size=size,
        file_sha256=digest.hexdigest(),
        page_count=None,
        text="",
        extraction=Extraction.PENDING,
        extraction_error="",
    )
    record(extract_text, publication_id=publication.pk)


def publication_publish(*, publication: Publication, published: bool = True) -> None:
    """Publish or withdraw a study; the first time it is published, the followers of its topics
    are told."""
    publication.is_published = published
    first_time = published and publication.published_at is None
    if first_time:
        publication.published_at = timezone.now()
    publication.save(update_fields=["is_published", "published_at", "updated_at"])
    if first_time:
        record(tell_new_study, publication_id=publication.pk)


@transaction.atomic
def topic_follow(*, user, topic: Topic) -> TopicFollow:
    if not permissions.can_follow_topics(user):
        raise PermissionDenied
    follow, _created = TopicFollow.objects.get_or_create(user=user, topic=topic)
    return follow


def topic_unfollow(*, user, topic: Topic) -> bool:
    deleted, _by_model = TopicFollow.objects.filter(user=user, topic=topic).delete()
    return bool(deleted)


def forget_reader(user) -> None:
    """A deleted account follows no topic (accounts.hooks.forgotten)."""
    TopicFollow.objects.filter(user=user).delete()


def download_count_add(*, publication: Publication) -> None:
    """Add one to today's downloads of a study; safe when two requests race to the first."""
    today = timezone.localdate()
    counts = DownloadCount.objects.filter(publication=publication, day=today)
    if counts.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DownloadCount.objects.create(publication=publication, day=today, count=1)
    except IntegrityError:
        counts.update(count=F("count") + 1)
