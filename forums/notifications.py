"""Who is told what in the dialogue, and the emails that tell them. The tasks (forums.tasks)
call these; nothing here queues work.

`readers_of(post)` is the one place that decides who is told about an approved post: the
subscribers of its thread and of its forum, once each, never its author, never an inactive or
deleted account, and never anyone whom `permissions` would not show the post (a restricted
forum they have left, a thread that is not visible). Immediate subscribers get one email per
post (tasks.notify_subscribers); daily ones find it in their digest (tasks.send_daily_digests),
which asks the same question through `may_read`.

Every email is rendered in its reader's language and carries a signed link that unsubscribes
without signing in, also as the one-click `List-Unsubscribe` header of RFC 8058.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.urls import reverse

from core.emails import absolute_url, render_email

from . import permissions
from .models import Delivery, Post, PostStatus, Subscription

UNSUBSCRIBE_SALT = "forums.notifications.unsubscribe"


# Who is told


def load_readers(user_ids):
    """Fresh users who can receive email, with what `permissions` caches on a user filled in
    for all of them at once, so that asking about each costs no query however many they are."""
    users = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True, deleted_at__isnull=True)
        .exclude(Q(email__isnull=True) | Q(email=""))
    )
    ids = [user.pk for user in users]
    if not ids:
        return []
    permissions.prime(users)
    return users


def may_read(user, post) -> bool:
    """May still follow the dialogue there, and may see this post."""
    return permissions.can_subscribe(user, post.thread) and permissions.can_view_post(user, post)


def readers_of(post, *, delivery=None):
    """[(user, [their subscriptions that cover the post])] for an approved post, one entry per
    person: subscribers of its thread or forum (with this delivery, if given), minus its author
    and anyone who may not read it. `post` comes with its thread, forum and author loaded."""
    covering = Subscription.objects.filter(
        Q(thread_id=post.thread_id) | Q(forum_id=post.thread.forum_id)
    ).exclude(user_id=post.author_id)
    if delivery is not None:
        covering = covering.filter(delivery=delivery)
    subscriptions = defaultdict(list)
    for subscription in covering:
        if subscription.thread_id:
            subscription.thread = post.thread
        else:
            subscription.forum = post.thread.forum
        subscriptions[subscription.user_id].append(subscription)
    readers = [user for user in load_readers(list(subscriptions)) if may_read(user, post)]
    # The thread's subscription first: it is the most specific reason for the email.
    return [
        (user, sorted(subscriptions[user.pk], key=lambda s: s.thread_id is None))
        for user in readers
    ]


# Links


def unsubscribe_token(subscriptions) -> str:
    """A signed token naming one person's subscriptions: the credential of the unsubscribe link."""
    subscriptions = list(subscriptions)
    (user_id,) = {subscription.user_id for subscription in subscriptions}
    data = {"u": user_id, "s": sorted(subscription.pk for subscription in subscriptions)}
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscriptions):
    token = unsubscribe_token(subscriptions)
    return absolute_url(reverse("forums:unsubscribe", kwargs={"token": token}))


class BadToken(Exception):
    """The link was not signed by this portal for unsubscribing."""


def token_subscriptions(token):
    """The subscriptions the token names that still exist (perhaps none); BadToken if forged."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as error:
        raise BadToken from error
    valid = (
        isinstance(data, dict)
        and isinstance(data.get("u"), int)
        and isinstance(data.get("s"), list)
        and all(isinstance(pk, int) for pk in data["s"])
    )
    if not valid:
        raise BadToken
    return Subscription.objects.filter(user_id=data["u"], pk__in=data["s"]).select_related(
        "thread__forum", "forum"
    )


# Emails


def followed(subscriptions):
    """What the reader follows, each with the link that stops it."""
    return [
        {
            "is_thread": subscription.thread_id is not None,
            "target": subscription.target,
            "unsubscribe_url": unsubscribe_url([subscription]),
        }
        for subscription in subscriptions
    ]


def followers_email(name, context, *, reader, subscriptions) -> EmailMultiAlternatives:
    """The email `forums/email/<name>*` to a follower, with one-click unsubscribe from every
    subscription it was sent for."""
    stop_url = unsubscribe_url(subscriptions)
    context = {**context, "followed": followed(subscriptions), "unsubscribe_url": stop_url}
    headers = {
        "List-Unsubscribe": f"<{stop_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return render_email(f"forums/email/{name}", context, reader=reader, html=True, headers=headers)


def post_email(*, reader, post, subscriptions):
    context = {
        "post": post,
        "thread": post.thread,
        "forum": post.thread.forum,
        "post_url": absolute_url(post.get_absolute_url()),
    }
    return followers_email("post", context, reader=reader, subscriptions=subscriptions)


def digest_email(*, reader, posts, subscriptions):
    """One email with the day's posts, grouped by thread in the order they were written."""
    by_thread = defaultdict(list)
    for post in sorted(posts, key=lambda post: (post.created_at, post.pk)):
        by_thread[post.thread].append(post)
    threads = [
        {
            "thread": thread,
            "forum": thread.forum,
            "url": absolute_url(thread.get_absolute_url()),
            "posts": [(post, absolute_url(post.get_absolute_url())) for post in thread_posts],
        }
        for thread, thread_posts in by_thread.items()
    ]
    context = {"threads": threads, "post_count": len(posts)}
    return followers_email("digest", context, reader=reader, subscriptions=subscriptions)


def digest_posts(subscriptions, *, posts, immediate):
    """The posts a reader's daily subscriptions cover since each was last digested, once each,
    leaving out what an immediate subscription of theirs already mailed. `immediate` holds
    ("thread", pk) and ("forum", pk) pairs."""
    chosen = {}
    for post in posts:
        thread = post.thread
        if ("thread", thread.pk) in immediate or ("forum", thread.forum_id) in immediate:
            continue
        for subscription in subscriptions:
            covers = subscription.thread_id == thread.pk or subscription.forum_id == thread.forum_id
            if covers and post.approved_at > subscription.digested_until:
                chosen[post.pk] = post
                break
    return list(chosen.values())


def digests(daily, *, until):
    """[(reader, posts, their daily subscriptions)] for these daily subscriptions: the approved
    posts each reader may read, written by others since each subscription was last digested
    and up to `until`, leaving out what an immediate subscription of theirs already mailed."""
    if not daily:
        return []
    by_user = defaultdict(list)
    for subscription in daily:
        by_user[subscription.user_id].append(subscription)
    immediate = defaultdict(set)
    for user_id, thread_id, forum_id in Subscription.objects.filter(
        user_id__in=list(by_user), delivery=Delivery.IMMEDIATE
    ).values_list("user_id", "thread_id", "forum_id"):
        immediate[user_id].add(("thread", thread_id) if thread_id else ("forum", forum_id))
    thread_ids = {subscription.thread_id for subscription in daily if subscription.thread_id}
    forum_ids = {subscription.forum_id for subscription in daily if subscription.forum_id}
    posts = list(
        Post.objects.public()
        .filter(Q(thread_id__in=thread_ids) | Q(thread__forum_id__in=forum_ids))
        .filter(
            approved_at__gt=min(subscription.digested_until for subscription in daily),
            approved_at__lte=until,
        )
        .select_related("thread__forum", "author")
    )
    found = []
    for reader in load_readers(list(by_user)):
        readable = [
            post for post in posts if post.author_id != reader.pk and may_read(reader, post)
        ]
        chosen = digest_posts(by_user[reader.pk], posts=readable, immediate=immediate[reader.pk])
        if chosen:
            found.append((reader, chosen, by_user[reader.pk]))
    return found


def waiting_email(*, reader) -> EmailMultiAlternatives:
    """To a moderator: how many posts wait for a decision where they moderate, and where."""
    pending = Post.objects.filter(status=PostStatus.PENDING)
    if not permissions.is_moderator(reader):
        pending = pending.filter(thread__forum__moderators=reader)
    queue = reverse("admin:forums_post_changelist") + "?waiting=yes"
    context = {"count": pending.count(), "queue_url": absolute_url(queue)}
    return render_email("forums/email/waiting", context, reader=reader)
