"""Every write to the library that has rules."""

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import pagecache
from outbox.services import record

from .models import DownloadCount, Extraction, Publication
from .search import index_publication
from .tasks import extract_text


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
    with publication.file.open("rb") as stream:
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
    publication.is_published = published
    if published and publication.published_at is None:
        publication.published_at = timezone.now()
    publication.save(update_fields=["is_published", "published_at", "updated_at"])


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
