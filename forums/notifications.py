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

import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.urls import reverse

from core.emails import absolute_url, render_email
from notices.models import Kind, Notice
from notices.services import one_click_headers, stop_email_url

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


QUOTE_LINE = re.compile(r"^\s{0,3}>", re.MULTILINE)


def addressed_in(post, *, mentioned=()) -> dict:
    """{user id: kind} of the people this post speaks to, the most specific kind for each: those
    it mentions, the author of the post it replies to (a quote, if it quotes them). Never its own
    author."""
    kinds = {}
    if post.reply_to_id and post.reply_to is not None:
        quoted = QUOTE_LINE.search(post.body) is not None
        kinds[post.reply_to.author_id] = Kind.QUOTE if quoted else Kind.REPLY
    for user_id in mentioned:
        kinds[user_id] = Kind.MENTION
    kinds.pop(post.author_id, None)
    return kinds


def told_of(post, *, mentioned=()):
    """[(user, kind, [their subscriptions that cover the post])] for an approved post: one entry
    per person who may read it, whom it speaks to (addressed_in) or who follows its thread or
    forum, whatever their delivery. `post` comes with its thread, forum, author and reply_to."""
    followers = dict(readers_of(post))
    addressed = addressed_in(post, mentioned=mentioned)
    following = {user.pk for user in followers}
    extra = [user_id for user_id in addressed if user_id not in following]
    readers = [*followers, *(u for u in load_readers(extra) if may_read(u, post))]
    return [
        (user, addressed.get(user.pk, Kind.FOLLOWED), followers.get(user, [])) for user in readers
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


def followers_email(name, context, *, reader, subscriptions, stop_url=None):
    """The email `forums/email/<name>*` to a reader, with a one-click unsubscribe: from every
    subscription it was sent for, or from its kind of email (`stop_url`) for one that spoke
    to them."""
    stop_url = stop_url or unsubscribe_url(subscriptions)
    context = {**context, "followed": followed(subscriptions), "unsubscribe_url": stop_url}
    headers = one_click_headers(stop_url)
    return render_email(f"forums/email/{name}", context, reader=reader, html=True, headers=headers)


def post_email(*, reader, post, subscriptions, kind=Kind.FOLLOWED):
    """A new post, to someone who follows where it was written or whom it speaks to (`kind`)."""
    stop_url = None
    if kind != Kind.FOLLOWED:
        stop_url = stop_email_url(user_id=reader.pk, kind=kind)
    context = {
        "post": post,
        "thread": post.thread,
        "forum": post.thread.forum,
        "post_url": absolute_url(post.get_absolute_url()),
        "kind": kind,
        "stop_kind_url": stop_url,
    }
    return followers_email(
        "post", context, reader=reader, subscriptions=subscriptions, stop_url=stop_url
    )


def personal_email(name, context, *, reader, kind) -> EmailMultiAlternatives:
    """The email `forums/email/<name>*` about something of the reader's own, with one click to
    receive no more of its kind by email."""
    stop_url = stop_email_url(user_id=reader.pk, kind=kind)
    context = {**context, "stop_kind_url": stop_url}
    headers = one_click_headers(stop_url)
    return render_email(f"forums/email/{name}", context, reader=reader, headers=headers)


def decision_told(post, *, entry, flagger_ids):
    """[(reader, notice, email template, its context)] for a moderator's decision on a post
    (its log `entry`): its author learns it with the reason; whoever flagged it learns the
    outcome without the reason, if they may still see the thread."""
    decision, thread = entry.action, post.thread
    told = []
    # Flags found unfounded are the moderators' and the flaggers' business, not the author's.
    author = load_readers([post.author_id]) if decision != "keep" else []
    if author:
        notice = Notice(
            user=author[0],
            kind=Kind.DECISION,
            verb=decision,
            cause=f"log:{entry.pk}",
            target_type="post",
            target_id=post.pk,
            topic=f"thread:{thread.pk}",
            actor_id=entry.actor_id,
            reason=entry.reason,
        )
        link = absolute_url(post.get_absolute_url()) if decision != "reject" else ""
        context = {"post": post, "decision": decision, "reason": entry.reason, "link": link}
        told.append((author[0], notice, "decision", context))
    flaggers = [
        user
        for user in load_readers([pk for pk in flagger_ids if pk != post.author_id])
        if permissions.can_view_thread(user, thread)
    ]
    for flagger in flaggers:
        notice = Notice(
            user=flagger,
            kind=Kind.FLAG_OUTCOME,
            verb=decision,
            cause=f"log:{entry.pk}",
            target_type="thread",
            target_id=thread.pk,
            topic=f"thread:{thread.pk}",
        )
        told.append((flagger, notice, "flag_outcome", {"thread": thread, "decision": decision}))
    return told


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
