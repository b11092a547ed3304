"""Background work of the dialogue: telling subscribers about new posts, and moderators about
posts that wait. The services record these in the outbox with the post they are about.

The tasks only choose and render: notifications decides who reads what, and each email is
sent by its own task (core.tasks.send_email_message) once the choice is committed.
"""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.emails import queue_email, queue_emails
from outbox.jobs import job

from . import notifications
from .models import Delivery, Post, PostStatus, Subscription

# Readers whose digests are prepared, and their subscriptions advanced, in one transaction.
DIGEST_BATCH = 200


@job
def notify_subscribers(*, post_id):
    """One email to each immediate subscriber who may read this newly approved post.

    Run after the approval commits; a post rejected or hidden since then is not announced.
    Returns the number of emails queued."""
    post = (
        Post.objects.public().select_related("thread__forum", "author").filter(pk=post_id).first()
    )
    if post is None:
        return 0
    emails = [
        notifications.post_email(reader=reader, post=post, subscriptions=subscriptions)
        for reader, subscriptions in notifications.readers_of(post, delivery=Delivery.IMMEDIATE)
    ]
    queue_emails(emails)
    return len(emails)


@shared_task
def send_daily_digests():
    """Each reader with daily subscriptions gets one email with what they have not seen yet.

    Run once a day by Celery beat (settings.CELERY_BEAT_SCHEDULE). Returns the emails queued."""
    until = timezone.now()
    due = Subscription.objects.filter(delivery=Delivery.DAILY, digested_until__lt=until)
    user_ids = sorted(set(due.values_list("user_id", flat=True)))
    sent = 0
    for start in range(0, len(user_ids), DIGEST_BATCH):
        sent += digest_batch(user_ids[start : start + DIGEST_BATCH], until=until)
    return sent


@transaction.atomic
def digest_batch(user_ids, *, until):
    """Digest these readers' daily subscriptions up to `until`. The rows stay locked until the
    emails are queued and `digested_until` moves on: a second run at the same time skips them,
    and a failure sends nothing and loses nothing."""
    daily = list(
        Subscription.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(user_id__in=user_ids, delivery=Delivery.DAILY, digested_until__lt=until)
        .select_related("thread__forum", "forum")
    )
    emails = [
        notifications.digest_email(reader=reader, posts=posts, subscriptions=subscriptions)
        for reader, posts, subscriptions in notifications.digests(daily, until=until)
    ]
    queue_emails(emails)
    Subscription.objects.filter(pk__in=[s.pk for s in daily]).update(digested_until=until)
    return len(emails)


@job
def notify_moderators(*, post_id):
    """Tell the moderators who may decide on this pending post that posts are waiting: each at
    most once per FORUM_MODERATOR_EMAIL_INTERVAL, however many posts arrive meanwhile.
    Returns the number of emails queued."""
    post = (
        Post.objects.select_related("thread__forum")
        .filter(pk=post_id, status=PostStatus.PENDING)
        .first()
    )
    if post is None:
        return 0
    sent = 0
    for moderator in moderators_of(post.thread.forum):
        key = f"forums:moderator-told:{moderator.pk}"
        if cache.add(key, True, timeout=settings.FORUM_MODERATOR_EMAIL_INTERVAL):
            queue_email(notifications.waiting_email(reader=moderator))
            sent += 1
    return sent


def moderators_of(forum):
    """Active people with an address who moderate every forum, or this one."""
    User = get_user_model()
    everywhere = Q(groups__permissions__codename="moderate_forum") | Q(is_superuser=True)
    return (
        User.objects.filter(everywhere | Q(moderated_forums=forum), is_active=True)
        .exclude(Q(email__isnull=True) | Q(email=""))
        .distinct()
    )
