"""Every write in the dialogue, with its rules. Views, the admin and the content loader call
these; each checks permission and limits, saves atomically, and queues mail after commit.
"""

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core import memberpages, pagecache
from notices import services as notices
from notices.models import POST_KINDS
from outbox.services import record

from . import languages, permissions, tasks
from .models import (
    Delivery,
    Forum,
    Post,
    PostLanguage,
    PostRevision,
    PostStatus,
    ReadMark,
    Subscription,
    Thread,
    ThreadKind,
)
from .search import index_post

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def initial_status(*, author: User, forum: Forum) -> PostStatus:
    """Approved, unless the forum waits for a moderator before anything is shown, or the author
    is new: unverified, with fewer than FORUM_TRUSTED_AFTER_POSTS approved posts."""
    if permissions.can_moderate(author, forum):
        return PostStatus.APPROVED
    if forum.pre_moderated:
        return PostStatus.PENDING
    if author.is_verified:
        return PostStatus.APPROVED
    trusted_after = settings.FORUM_TRUSTED_AFTER_POSTS
    approved = Post.objects.filter(author=author, status=PostStatus.APPROVED)[:trusted_after]
    return PostStatus.APPROVED if approved.count() >= trusted_after else PostStatus.PENDING


def check_text(body: str) -> None:
    if len(body) > settings.FORUM_POST_MAX_LENGTH:
        raise ValidationError(
            _("A post can be at most %(limit)d characters long; this one has %(length)d.")
            % {"limit": settings.FORUM_POST_MAX_LENGTH, "length": len(body)},
            code="too_long",
        )
    if not body.strip():
        raise ValidationError(_("Write something before posting."), code="empty")


def check_limits(*, author: User, body: str, now: datetime.datetime | None = None) -> None:
    """Refuse what looks like abuse, saying why: too fast, too many, repeated, too long, links."""
    check_text(body)
    now = now or timezone.now()
    recent = Post.objects.filter(author=author, created_at__gt=now - datetime.timedelta(hours=1))
    last = recent.aggregate(last=Max("created_at"))["last"]
    wait = settings.FORUM_SECONDS_BETWEEN_POSTS
    if last and (now - last).total_seconds() < wait:
        seconds = wait - int((now - last).total_seconds())
        raise ValidationError(
            ngettext(
                "Please wait %(seconds)d second before posting again.",
                "Please wait %(seconds)d seconds before posting again.",
                seconds,
            )
            % {"seconds": seconds},
            code="too_fast",
        )
    window = now - datetime.timedelta(seconds=settings.FORUM_DUPLICATE_WINDOW)
    if recent.filter(created_at__gt=window, body=body).exists():
        raise ValidationError(_("You posted exactly this a moment ago."), code="duplicate")
    new_account = now - author.date_joined < datetime.timedelta(
        hours=settings.FORUM_NEW_ACCOUNT_HOURS
    )
    if new_account:
        cap = settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR
        if recent.count() >= cap:
            raise ValidationError(
                _(
                    "New accounts can post %(cap)d times an hour during their first day. "
                    "Please come back a little later."
                )
                % {"cap": cap},
                code="hourly_cap",
            )
        links = len(LINK.findall(body))
        if links > settings.FORUM_NEW_ACCOUNT_MAX_LINKS:
            raise ValidationError(
                _("New accounts can include at most %(max)d links in a post.")
                % {"max": settings.FORUM_NEW_ACCOUNT_MAX_LINKS},
                code="links",
            )


def language_of(language: PostLanguage | str | None, *texts: str) -> PostLanguage:
    """The language chosen, or, when none is, the one the texts are written in."""
    if not language:
        return languages.detected("\n\n".join(text for text in texts if text))
    if language not in PostLanguage.values:
        raise ValidationError(
            _("Choose the language the post is written in from the list."), code="language"
        )
    return PostLanguage(language)


@transaction.atomic
def thread_start(
    *,
    author: User,
    forum: Forum,
    title: str,
    body: str,
    language: PostLanguage | None = None,
    kind: ThreadKind = ThreadKind.DISCUSSION,
    context: str = "",
    now: datetime.datetime | None = None,
) -> Thread:
    """Start a thread with its opening post; in the language chosen, or the one its title,
    context and text are written in."""
    if kind == ThreadKind.CONSULTATION:
        if not permissions.can_start_consultation(author, forum):
            raise PermissionDenied
    elif not permissions.can_start_thread(author, forum):
        raise PermissionDenied
    title = title.strip()
    if not title:
        raise ValidationError(_("Give the thread a title."), code="no_title")
    check_limits(author=author, body=body, now=now)
    language = language_of(language, title, context, body)
    now = now or timezone.now()
    thread = Thread.objects.create(
        forum=forum, title=title, author=author, kind=kind, context=context, created_at=now
    )
    post = Post.objects.create(
        thread=thread,
        author=author,
        body=body,
        language=language,
        status=initial_status(author=author, forum=forum),
        created_at=now,
    )
    post_status_changed(post=post)
    follow_what_one_writes(author=author, thread=thread)
    return thread


@transaction.atomic
def post_reply(
    *,
    author: User,
    thread: Thread,
    body: str,
    language: PostLanguage | None = None,
    reply_to: Post | None = None,
    now: datetime.datetime | None = None,
) -> Post:
    """Reply in a thread, in the language chosen or the one the text is written in."""
    if not permissions.can_reply(author, thread):
        raise PermissionDenied
    if reply_to is not None and reply_to.thread_id != thread.pk:
        raise ValidationError(_("You can only reply to a post of this thread."), code="elsewhere")
    check_limits(author=author, body=body, now=now)
    language = language_of(language, body)
    post = Post.objects.create(
        thread=thread,
        author=author,
        body=body,
        language=language,
        reply_to=reply_to,
        status=initial_status(author=author, forum=thread.forum),
        created_at=now or timezone.now(),
    )
    post_status_changed(post=post)
    follow_what_one_writes(author=author, thread=thread)
    return post


@transaction.atomic
def post_edit(*, editor: User, post: Post, body: str, language: PostLanguage | None = None) -> Post:
    """Change a post's text, keeping the earlier version; its language is the one chosen, or
    the one the new text is written in."""
    if not permissions.can_edit_post(editor, post):
        raise PermissionDenied
    check_text(body)
    language = language_of(language, body)
    if body == post.body and language == post.language:
        return post
    PostRevision.objects.create(
        post=post,
        body=post.body,
        language=post.language,
        written_at=post.edited_at or post.created_at,
        editor=editor,
    )
    post.body = body
    post.language = language
    post.edited_at = timezone.now()
    post.save()
    index_post(post.pk)
    if post.approved_at is not None and "@" in body:
        record(tasks.notify_mentioned, post_id=post.pk)
    return post


@transaction.atomic
def post_status_changed(*, post: Post) -> None:
    """After a post is created or moderated: index and recount; on its first approval, stamp
    it and tell subscribers (a post restored after hiding is not news again)."""
    if post.status == PostStatus.PENDING:
        record(tasks.notify_moderators, post_id=post.pk)
    elif post.status in (PostStatus.HIDDEN, PostStatus.REJECTED):
        # Nobody is pointed at a post they may no longer read; its author's notice of the
        # decision is of another kind, and stays.
        notices.forget("post", [post.pk], kinds=POST_KINDS)
    newly_approved = post.status == PostStatus.APPROVED and post.approved_at is None
    if newly_approved:
        post.approved_at = timezone.now()
        Post.objects.filter(pk=post.pk).update(approved_at=post.approved_at)
    index_post(post.pk)
    refresh_counts(thread=post.thread)
    if newly_approved:
        record(tasks.notify_subscribers, post_id=post.pk)


@transaction.atomic
def refresh_counts(*, thread: Thread) -> None:
    """Recount a thread from its posts, and move its forum's counts by the difference.

    The thread's row is locked first, so two posts written at once in one thread are counted one
    after the other. The forum's counts move by increments, which stay exact however many of its
    threads write at once, and cost the same in a forum of 10 threads as in one of 10,000."""
    before = Thread.objects.select_for_update().values("is_visible", "reply_count")
    before = before.get(pk=thread.pk)
    approved = thread.posts.approved()
    first = thread.posts.order_by("created_at", "pk").first()
    last = approved.order_by("-created_at", "-pk").first()
    thread.is_visible = first is not None and first.status == PostStatus.APPROVED
    thread.reply_count = max(approved.count() - (1 if thread.is_visible else 0), 0)
    thread.last_post = last
    thread.last_post_at = last.created_at if last else thread.created_at
    Thread.objects.filter(pk=thread.pk).update(
        is_visible=thread.is_visible,
        reply_count=thread.reply_count,
        last_post=last,
        last_post_at=thread.last_post_at,
    )
    Forum.objects.filter(pk=thread.forum_id).update(
        thread_count=F("thread_count") + int(thread.is_visible) - int(before["is_visible"]),
        post_count=F("post_count")
        + public_posts(thread.is_visible, thread.reply_count)
        - public_posts(before["is_visible"], before["reply_count"]),
    )
    # A statement of its own, after the forum's row is locked: it sees every earlier commit.
    Forum.objects.filter(pk=thread.forum_id).update(last_post=forum_last_post(thread.forum_id))
    pagecache.bump("dialogue", f"thread:{thread.pk}", memberpages.person_tag(thread.author_id))


def public_posts(is_visible: bool, reply_count: int) -> int:
    """What a thread adds to its forum's count of posts (Post.objects.public())."""
    return reply_count + 1 if is_visible else 0


def forum_last_post(forum_id) -> int | None:
    """The newest public post of a forum, found through its threads (by an index)."""
    threads = Thread.objects.filter(forum_id=forum_id, is_visible=True, last_post__isnull=False)
    return threads.order_by("-last_post_at").values_list("last_post", flat=True).first()


def forum_refresh(*, forum: Forum) -> None:
    """Recount a forum from all its posts: after a thread moves out of it, and at a bulk load."""
    counts = Thread.objects.filter(forum=forum).aggregate(
        threads=Count("pk", filter=Q(is_visible=True)),
    )
    posts = Post.objects.public().filter(thread__forum=forum)
    Forum.objects.filter(pk=forum.pk).update(
        thread_count=counts["threads"],
        post_count=posts.count(),
        last_post=forum_last_post(forum.pk),
    )
    pagecache.bump("dialogue")


# Subscriptions (forums.notifications sends what they ask for).


@transaction.atomic
def subscription_set(*, user: User, target: Thread | Forum, delivery: Delivery) -> Subscription:
    """Follow a thread or a forum, or change how: immediate emails or a daily digest."""
    if not permissions.can_subscribe(user, target):
        raise PermissionDenied
    if delivery not in Delivery.values:
        raise ValidationError(_("Choose how you want to be told."), code="delivery")
    which = {"thread" if isinstance(target, Thread) else "forum": target}
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        user=user, **which, defaults={"delivery": delivery}
    )
    if not created and subscription.delivery != delivery:
        subscription.delivery = delivery
        # A new digest starts from now: what came before was mailed one by one.
        subscription.digested_until = timezone.now()
        subscription.save(update_fields=["delivery", "digested_until"])
    return subscription


def follow_what_one_writes(*, author: User, thread: Thread) -> None:
    """Whoever starts a thread or replies in it follows it, by email for each reply, unless
    their profile says not to; a way they already follow it stays as they chose."""
    if author.follows_what_they_write and permissions.can_subscribe(author, thread):
        Subscription.objects.get_or_create(
            user=author, thread=thread, defaults={"delivery": Delivery.IMMEDIATE}
        )


@transaction.atomic
def subscription_remove(*, user: User, target: Thread | Forum) -> bool:
    """Stop following a thread or a forum; False if the user did not follow it."""
    deleted, _by_model = target.subscriptions.filter(user=user).delete()
    return bool(deleted)


def forget_reader(user: User) -> None:
    """A deleted account follows nothing and keeps no read marks (accounts.hooks.forgotten)."""
    Subscription.objects.filter(user=user).delete()
    ReadMark.objects.filter(user=user).delete()


@transaction.atomic
def subscriptions_cancel(*, subscriptions: Iterable[Subscription]) -> int:
    """Unsubscribe through an email's signed link (notifications.token_subscriptions)."""
    pks = [subscription.pk for subscription in subscriptions]
    deleted, _by_model = Subscription.objects.filter(pk__in=pks).delete()
    return deleted
