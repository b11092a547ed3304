"""Who may see, post, edit and facilitate in the dialogue. Views, templates, search, feeds and
emails all ask these functions, and nothing else decides.

What a user may see is worked out once per request and kept on the user object: forums are few,
so their visibility is decided here in Python and queries filter on the resulting ids.
"""

from collections import defaultdict

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from accounts.permissions import is_confirmed_stakeholder
from core.memberpages import PERSONAL

from .models import Forum, Post, PostStatus, Suspension, Thread, Visibility

MODERATE_PERMISSION = "forums.moderate_forum"


def is_suspended(user) -> bool:
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_forum_suspension"):
        user._forum_suspension = Suspension.objects.active().filter(user=user).first()
    return user._forum_suspension is not None


def active_suspension(user):
    return user._forum_suspension if is_suspended(user) else None


def takes_part(user) -> bool:
    """A confirmed stakeholder, or an administrator (whose address nobody had to confirm)."""
    return is_confirmed_stakeholder(user) or (user.is_active and user.is_superuser)


def may_write(user) -> bool:
    """Takes part and is not suspended: the right to post, edit and flag."""
    return takes_part(user) and not is_suspended(user)


def is_moderator(user) -> bool:
    """Moderates every forum: superusers and the Moderators group, while not suspended (a
    suspension takes every moderation power away until it ends)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm(MODERATE_PERMISSION)
        and not is_suspended(user)
    )


def moderated_forum_ids(user) -> frozenset:
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_moderated_forum_ids"):
        ids = user.moderated_forums.values_list("pk", flat=True)
        user._moderated_forum_ids = frozenset(ids)
    return user._moderated_forum_ids


def can_moderate(user, forum) -> bool:
    if is_moderator(user):
        return True
    return user.is_active and forum.pk in moderated_forum_ids(user) and not is_suspended(user)


def visible_forum_ids(user) -> frozenset:
    """The forums this user may see at all; a restricted forum does not exist for others."""
    cache = user if user.is_authenticated else None
    if cache is not None and hasattr(cache, "_visible_forum_ids"):
        return cache._visible_forum_ids
    forums = Forum.objects.only("pk", "visibility", "allowed_groups")
    member_of = set(user.member_forums.values_list("pk", flat=True)) if cache else set()
    ids = frozenset(forum.pk for forum in forums if _sees(user, forum, member_of=member_of))
    if cache is not None:
        cache._visible_forum_ids = ids
    return ids


def _sees(user, forum, *, member_of) -> bool:
    """Public forums are for everyone; the others for people who take part (an unconfirmed
    account is a visitor), restricted ones for their groups, members and moderators."""
    if forum.visibility == Visibility.PUBLIC:
        return True
    if is_moderator(user) or can_moderate(user, forum):
        return True
    if not takes_part(user):
        return False
    if forum.visibility == Visibility.MEMBERS or forum.pk in member_of:
        return True
    return bool(user.stakeholder_group) and user.stakeholder_group in forum.allowed_groups


def can_view_forum(user, forum) -> bool:
    return forum.pk in visible_forum_ids(user)


def can_view_thread(user, thread) -> bool:
    if not can_view_forum(user, thread.forum):
        return False
    return thread.is_visible or thread.author_id == user.pk or can_moderate(user, thread.forum)


def can_view_post(user, post) -> bool:
    if not can_view_thread(user, post.thread):
        return False
    if post.status == PostStatus.APPROVED or can_moderate(user, post.thread.forum):
        return True
    # Authors see their own posts whatever was decided, and why (moderation.decisions_on).
    return user.is_authenticated and post.author_id == user.pk


def can_start_thread(user, forum) -> bool:
    return may_write(user) and can_view_forum(user, forum)


def can_start_consultation(user, forum) -> bool:
    return can_start_thread(user, forum) and can_moderate(user, forum)


def can_reply(user, thread) -> bool:
    """Locked threads and closed consultations take replies from their facilitators only."""
    if not (may_write(user) and can_view_thread(user, thread)):
        return False
    if thread.is_locked or thread.is_closed:
        return can_moderate(user, thread.forum)
    return True


def can_edit_post(user, post) -> bool:
    if not (may_write(user) and can_view_post(user, post)):
        return False
    if can_moderate(user, post.thread.forum):
        return True
    own = post.author_id == user.pk and post.status in (PostStatus.APPROVED, PostStatus.PENDING)
    return own and not post.thread.is_locked


def can_flag(user, post) -> bool:
    """Report a post to the moderators: anyone who may write and read it, but its author."""
    return may_write(user) and can_view_post(user, post) and post.author_id != user.pk


def can_facilitate(user, thread) -> bool:
    """Frame and close a consultation: a moderator of its forum."""
    return thread.is_consultation and may_write(user) and can_moderate(user, thread.forum)


def can_subscribe(user, target) -> bool:
    forum = getattr(target, "forum", target)
    return takes_part(user) and can_view_forum(user, forum)


def prime(users):
    """Fill in, for many users at once, what the functions above would each look up with a
    query: for mail to many readers. The decisions themselves stay the functions'."""
    ids = [user.pk for user in users]
    if not ids:
        return
    confirmed = set(
        EmailAddress.objects.filter(user__in=ids, verified=True).values_list("user_id", flat=True)
    )
    moderated, member_of, perms = defaultdict(set), defaultdict(set), defaultdict(set)
    for user_id, forum_id in Forum.moderators.through.objects.filter(user_id__in=ids).values_list(
        "user_id", "forum_id"
    ):
        moderated[user_id].add(forum_id)
    for user_id, forum_id in Forum.members.through.objects.filter(user_id__in=ids).values_list(
        "user_id", "forum_id"
    ):
        member_of[user_id].add(forum_id)
    own = (
        get_user_model()
        .user_permissions.through.objects.filter(user_id__in=ids)
        .values_list("user_id", "permission__content_type__app_label", "permission__codename")
    )
    grouped = (
        get_user_model()
        .groups.through.objects.filter(user_id__in=ids, group__permissions__isnull=False)
        .values_list(
            "user_id", "group__permissions__content_type__app_label", "group__permissions__codename"
        )
    )
    for user_id, app_label, codename in [*own, *grouped]:
        perms[user_id].add(f"{app_label}.{codename}")
    suspensions = {s.user_id: s for s in Suspension.objects.active().filter(user_id__in=ids)}
    forums = list(Forum.objects.only("pk", "visibility", "allowed_groups"))
    for user in users:
        # The attributes accounts.permissions, forums.permissions and Django's ModelBackend
        # would fill with a query each; the decisions below are still theirs.
        user._forum_suspension = suspensions.get(user.pk)
        user._has_confirmed_email = user.pk in confirmed
        user._moderated_forum_ids = frozenset(moderated[user.pk])
        user._perm_cache = perms[user.pk]
        user._visible_forum_ids = frozenset(
            forum.pk for forum in forums if _sees(user, forum, member_of=member_of[user.pk])
        )


def page_audience(user):
    """For core.memberpages: the reader's stakeholder group, which restricted forums admit. A
    suspended reader, a moderator or named member of a forum, and a reader with a post or thread
    waiting are shown pages of their own."""
    suspended, moderates, named, posts_waiting, thread_waiting = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            Exists(Suspension.objects.active().filter(user=OuterRef("pk"))),
            Exists(Forum.moderators.through.objects.filter(user=OuterRef("pk"))),
            Exists(Forum.members.through.objects.filter(user=OuterRef("pk"))),
            Exists(Post.objects.filter(author=OuterRef("pk")).exclude(status=PostStatus.APPROVED)),
            Exists(Thread.objects.filter(author=OuterRef("pk"), is_visible=False)),
        )
        .get()
    )
    if suspended or moderates or named or posts_waiting or thread_waiting:
        return PERSONAL
    user._forum_suspension = None
    user._moderated_forum_ids = frozenset()
    return f"group:{user.stakeholder_group}"
