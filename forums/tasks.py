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

from audit.models import ModerationLogEntry
from core.emails import absolute_url, queue_email, queue_emails
from notices.models import Kind, Notice
from notices.services import emailed, tell_once
from outbox.jobs import job
from outbox.periodic import once_per_period

from . import mentions, notifications, permissions
from .models import Delivery, Post, PostStatus, Subscription, Thread

# Readers whose digests are prepared, and their subscriptions advanced, in one transaction.
DIGEST_BATCH = 200


@job
def notify_subscribers(*, post_id):
    """Tell everyone this newly approved post concerns and who may read it, once each: a notice
    on the site to its followers and to those it speaks to; an email to immediate followers, and
    to those it speaks to who want that kind by email.

    Run after the approval commits; a post rejected or hidden since then is not announced.
    Returns the number of emails queued."""
    post = public_post(post_id)
    if post is None:
        return 0
    return tell_about(post, notifications.told_of(post, mentioned=mentions.mentioned_in(post)))


@job
def notify_mentioned(*, post_id):
    """After an approved post is edited: the people it now mentions who were not told yet."""
    post = public_post(post_id)
    if post is None:
        return 0
    readers = notifications.load_readers(mentions.mentioned_in(post))
    told = [
        (reader, Kind.MENTION, []) for reader in readers if notifications.may_read(reader, post)
    ]
    return tell_about(post, told)


def public_post(post_id):
    return (
        Post.objects.public()
        .select_related("thread__forum", "author", "reply_to")
        .filter(pk=post_id)
        .first()
    )


def tell_about(post, told) -> int:
    """Notices of a post to the people `told` [(reader, kind, their subscriptions)], and the
    emails each chose, to those not told of this post in this way before. Returns the emails."""
    notices = tell_once(
        Notice(
            user=reader,
            kind=kind,
            cause=f"post:{post.pk}",
            target_type="post",
            target_id=post.pk,
            topic=f"thread:{post.thread_id}",
            actor=post.author,
            created_at=post.approved_at or post.created_at,
        )
        for reader, kind, _subscriptions in told
    )
    new = {(notice.user_id, notice.kind) for notice in notices}
    told = [(reader, kind, subs) for reader, kind, subs in told if (reader.pk, kind) in new]
    by_email = {
        kind: emailed([reader.pk for reader, told_kind, _ in told if told_kind == kind], kind)
        for kind in (Kind.MENTION, Kind.REPLY, Kind.QUOTE)
    }
    emails = []
    for reader, kind, subscriptions in told:
        immediate = [s for s in subscriptions if s.delivery == Delivery.IMMEDIATE]
        if reader.pk not in by_email.get(kind, ()):
            kind = Kind.FOLLOWED  # by email as a follower, if at all
        if kind != Kind.FOLLOWED or immediate:
            emails.append(
                notifications.post_email(
                    reader=reader, post=post, subscriptions=immediate, kind=kind
                )
            )
    queue_emails(emails)
    return len(emails)


@job
def tell_decision(*, log_id, flagger_ids):
    """A moderator's decision on a post, to its author and to whoever flagged it: a notice each,
    and an email to those who want that kind by email. Returns the number of emails queued."""
    entry = ModerationLogEntry.objects.filter(pk=log_id, target_type="post").first()
    post = entry and (
        Post.objects.select_related("thread__forum", "author").filter(pk=entry.target_id).first()
    )
    if post is None:
        return 0
    told = notifications.decision_told(post, entry=entry, flagger_ids=flagger_ids)
    new = {notice.user_id for notice in tell_once(notice for _r, notice, _n, _c in told)}
    told = [
        (reader, notice, name, context)
        for reader, notice, name, context in told
        if reader.pk in new
    ]
    wanted = {
        kind: emailed([n.user_id for _r, n, _t, _c in told if n.kind == kind], kind)
        for kind in (Kind.DECISION, Kind.FLAG_OUTCOME)
    }
    emails = [
        notifications.personal_email(name, context, reader=reader, kind=notice.kind)
        for reader, notice, name, context in told
        if reader.pk in wanted[notice.kind]
    ]
    queue_emails(emails)
    return len(emails)


@job
def tell_consultation_closed(*, thread_id):
    """Everyone who took part in a consultation (an approved post) learns that it is closed,
    with its outcome. Returns the number of emails queued."""
    thread = Thread.objects.select_related("forum", "closed_by").filter(pk=thread_id).first()
    if thread is None or not thread.is_closed:
        return 0
    authors = thread.posts.approved().exclude(author=thread.closed_by_id).values("author")
    readers = [
        reader
        for reader in notifications.load_readers(authors.distinct())
        if permissions.can_view_thread(reader, thread)
    ]
    new = tell_once(
        Notice(
            user=reader,
            kind=Kind.CONSULTATION,
            cause=f"closed:{thread.pk}",
            target_type="thread",
            target_id=thread.pk,
            topic=f"thread:{thread.pk}",
            actor=thread.closed_by,
            reason=thread.outcome,
        )
        for reader in readers
    )
    wanted = emailed([notice.user_id for notice in new], Kind.CONSULTATION)
    context = {"thread": thread, "link": absolute_url(thread.get_absolute_url())}
    emails = [
        notifications.personal_email(
            "consultation_closed", context, reader=reader, kind=Kind.CONSULTATION
        )
        for reader in readers
        if reader.pk in wanted
    ]
    queue_emails(emails)
    return len(emails)


@shared_task
@once_per_period(24 * 3600)
def send_daily_digests():
    """Each reader with daily subscriptions gets one email with what they have not seen yet.

    Run once a day by Celery beat (settings.CELERY_BEAT_SCHEDULE), and only once however many
    beats send it (outbox.periodic). Returns the emails queued."""
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
