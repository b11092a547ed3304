"""After a change to what the dump holds, one build OPENDATA_BUILD_DELAY_SECONDS later: the
first change queues it and leaves a marker in the cache for that long, so that the changes
meanwhile queue nothing more and the build holds them all.

With the cache away, every change queues a build, and each build that finds a newer dump in
place does nothing (tasks.build_dump). With the broker away nothing is queued: the daily build
catches up. Neither makes the write that changed the data fail.

Off when Celery is eager (development without a broker): a build would run inside the request
that saved; `manage.py build_open_data` builds it there.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from core.cache import failed

logger = logging.getLogger(__name__)

MARKER = "opendata:build-queued"


def changed(sender, action=None, **kwargs):
    if not settings.OPENDATA_BUILD_AFTER_CHANGES:
        return
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires before and after; the "post_" signal is the write
    transaction.on_commit(build_soon, robust=True)


def build_soon() -> bool:
    """Queue a build in a few minutes unless one is queued already. Returns whether it did."""
    delay = settings.OPENDATA_BUILD_DELAY_SECONDS
    try:
        first = cache.add(MARKER, True, timeout=delay)
    except Exception:
        failed(logger, "Open data: the cache could not keep the build's marker")
        first = True
    if not first:
        return False
    from .tasks import build_dump  # tasks import dumps, and the tables every app's models

    try:
        build_dump.apply_async(
            kwargs={"requested_at": timezone.now().isoformat()}, countdown=delay, retry=False
        )
    except Exception:  # kombu raises the transport's own errors
        logger.warning("Open data: no build queued (the broker refused); the daily one will do")
        return False
    return True


def watched_models():
    from django.contrib.auth import get_user_model

    from forums.models import Forum, Post, Thread
    from publications.models import Author, Authorship, Coverage, DownloadCount, Publication, Topic
    from sites.models import Mineral, Site, SiteText

    return (
        Publication, Author, Authorship, Topic, Coverage, DownloadCount,
        Site, SiteText, Mineral, Forum, Thread, Post,
        # People's public names, groups and verified marks are in the threads and posts.
        get_user_model(),
    )  # fmt: skip


def many_to_many():
    from publications.models import Publication
    from sites.models import Site

    return (Publication.topics.through, Site.minerals.through, Site.publications.through)


def connect_signals():
    for model in watched_models():
        for signal in (post_save, post_delete):
            signal.connect(changed, sender=model, dispatch_uid=f"opendata-{signal}-{model}")
    for through in many_to_many():
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"opendata-m2m-{through}")
