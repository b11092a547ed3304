"""The moderation console in the admin: the review queue and its bulk decisions, the log that
nobody changes, and what forum moderators and editors may see there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, ModerationLogEntry
from forums.models import (
    Flag,
    FlagReason,
    Post,
    PostStatus,
    Suspension,
    Thread,
)
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

POSTS = reverse("admin:forums_post_changelist")
QUEUE = POSTS + "?waiting=yes"
LOG = reverse("admin:audit_moderationlogentry_changelist")


@pytest.fixture
def moderator(client):
    user = UserFactory(groups=["Moderators"], is_staff=True)
    client.force_login(user)
    return user


def decide(client, action, posts, reason=None, url=POSTS):
    data = {"action": action, "_selected_action": [str(post.pk) for post in posts]}
    if reason is not None:
        data |= {"confirm": "yes", "reason": reason}
    return client.post(url, data)


def statuses(posts):
    return [Post.objects.get(pk=post.pk).status for post in posts]


def test_bulk_approve_asks_for_confirmation_then_approves_and_logs(client, moderator):
    posts = PostFactory.create_batch(2, status=PostStatus.PENDING)

    page = decide(client, "approve", posts)
    assert page.status_code == 200
    assert 'name="reason"' in page.text
    assert statuses(posts) == [PostStatus.PENDING] * 2

    response = decide(client, "approve", posts, reason="")
    assert response.status_code == 302
    assert statuses(posts) == [PostStatus.APPROVED] * 2
    entries = ModerationLogEntry.objects.filter(action=Action.APPROVE)
    assert sorted(entries.values_list("target_id", flat=True)) == sorted(p.pk for p in posts)
    assert {entry.actor for entry in entries} == {moderator}


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("reject", PostStatus.PENDING, PostStatus.REJECTED),
        ("hide", PostStatus.APPROVED, PostStatus.HIDDEN),
    ],
)
def test_reject_and_hide_need_one_reason_for_all(client, moderator, action, before, after):
    posts = PostFactory.create_batch(3, status=before)

    refused = decide(client, action, posts, reason="   ")
    assert refused.status_code == 200
    assert "Give a reason" in refused.text
    assert statuses(posts) == [before] * 3
    assert not ModerationLogEntry.objects.exists()

    done = decide(client, action, posts, reason="Personal attacks")
    assert done.status_code == 302
    assert statuses(posts) == [after] * 3
    reasons = ModerationLogEntry.objects.filter(action=action).values_list("reason", flat=True)
    assert list(reasons) == ["Personal attacks"] * 3


def test_status_cannot_be_edited_on_the_change_page(client, moderator):
    post = PostFactory(status=PostStatus.PENDING)
    url = reverse("admin:forums_post_change", args=[post.pk])

    client.post(url, {"status": PostStatus.APPROVED, "body": "changed"})

    post.refresh_from_db()
    assert post.status == PostStatus.PENDING
    assert post.body != "changed"


def test_the_queue_shows_pending_and_flagged_posts_with_history(client, moderator):
    flagged = PostFactory(body="Flagged words")
    Flag.objects.create(post=flagged, user=UserFactory(), reason=FlagReason.SPAM)
    Flag.objects.create(
        post=flagged, user=UserFactory(), reason=FlagReason.OTHER, note="Names a <b>child</b>"
    )
    PostFactory(author=flagged.author, status=PostStatus.REJECTED)
    pending = PostFactory(body="Pending words", status=PostStatus.PENDING)
    PostFactory(body="Quiet approved words")

    response = client.get(QUEUE)

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == sorted([flagged, pending], key=lambda post: post.created_at)
    assert "Quiet approved words" not in response.text
    assert "Spam; Other: Names a &lt;b&gt;child&lt;/b&gt;" in response.text
    row = next(post for post in shown if post == flagged)
    assert (row.approved_count, row.rejected_count, row.flagged_count) == (1, 1, 1)
    assert "1 approved, 1 rejected, 1 flagged" in response.text
    assert flagged.author.get_stakeholder_group_display() in response.text


def test_the_log_is_read_only_even_for_a_superuser(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    post = PostFactory(status=PostStatus.PENDING)
    decide(client, "approve", [post], reason="")
    entry = ModerationLogEntry.objects.get()
    change = reverse("admin:audit_moderationlogentry_change", args=[entry.pk])

    assert client.get(LOG).status_code == 200
    assert "delete_selected" not in client.get(LOG).text
    assert client.get(reverse("admin:audit_moderationlogentry_add")).status_code == 403
    assert 'name="_save"' not in client.get(change).text
    assert client.post(change, {"reason": "rewritten"}).status_code == 403
    delete = reverse("admin:audit_moderationlogentry_delete", args=[entry.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403

    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.update(reason="rewritten")
    assert ModerationLogEntry.objects.get().reason == ""


def test_moderators_read_the_log(client, moderator):
    assert client.get(LOG).status_code == 200


def test_a_forum_moderator_sees_and_acts_on_their_forum_only(client):
    mine, other = ForumFactory(), ForumFactory()
    user = UserFactory(is_staff=True)
    mine.moderators.add(user)
    client.force_login(user)
    own = PostFactory(thread=ThreadFactory(forum=mine), status=PostStatus.PENDING)
    foreign = PostFactory(thread=ThreadFactory(forum=other), status=PostStatus.PENDING)

    listed = list(client.get(QUEUE).context["cl"].result_list)
    assert listed == [own]
    foreign_url = reverse("admin:forums_post_change", args=[foreign.pk])
    assert client.get(foreign_url).status_code in (403, 404)
    assert client.get(reverse("admin:forums_post_change", args=[own.pk])).status_code == 200

    assert decide(client, "approve", [own, foreign], reason="").status_code == 403
    assert statuses([own, foreign]) == [PostStatus.PENDING] * 2

    assert decide(client, "approve", [own], reason="").status_code == 302
    assert statuses([own, foreign]) == [PostStatus.APPROVED, PostStatus.PENDING]

    threads = client.get(reverse("admin:forums_thread_changelist")).context["cl"].result_list
    assert {thread.forum for thread in threads} == {mine}
    assert client.get(reverse("admin:forums_suspension_changelist")).status_code == 403
    from forums import moderation

    boss = UserFactory(groups=["Moderators"], is_staff=True)
    moderation.post_decide(moderator=boss, post=foreign, decision="approve")
    log = client.get(LOG)
    assert log.status_code == 200
    assert [entry.forum_id for entry in log.context["cl"].result_list] == [mine.pk]


def test_thread_actions_go_through_the_service(client, moderator):
    thread = ThreadFactory()

    client.post(
        reverse("admin:forums_thread_changelist"),
        {"action": "lock", "_selected_action": [str(thread.pk)], "index": "0"},
    )

    assert Thread.objects.get(pk=thread.pk).is_locked
    assert ModerationLogEntry.objects.filter(action=Action.LOCK, target_id=thread.pk).exists()


def test_moving_threads_asks_where_then_moves_and_logs(client, moderator):
    thread = ThreadFactory(forum=ForumFactory(slug="from-here"))
    target = ForumFactory(slug="to-there")
    selected = {"action": "move", "_selected_action": [str(thread.pk)], "index": "0"}
    url = reverse("admin:forums_thread_changelist")

    page = client.post(url, selected)
    assert "To the forum" in page.text
    client.post(url, {**selected, "to_forum": str(target.pk), "reason": "Belongs there"})

    assert Thread.objects.get(pk=thread.pk).forum == target
    entry = ModerationLogEntry.objects.get(action=Action.MOVE)
    assert (entry.before, entry.after) == ({"forum": "from-here"}, {"forum": "to-there"})


def test_suspending_and_lifting_in_the_admin_is_logged(client, moderator):
    member = UserFactory()

    response = client.post(
        reverse("admin:forums_suspension_add"), {"user": str(member.pk), "reason": "Insults"}
    )
    assert response.status_code == 302
    suspension = Suspension.objects.get(user=member)
    assert suspension.created_by == moderator
    assert ModerationLogEntry.objects.filter(action=Action.SUSPEND).exists()

    client.post(
        reverse("admin:forums_suspension_changelist"),
        {"action": "lift", "_selected_action": [str(suspension.pk)], "index": "0"},
    )
    assert Suspension.objects.get().lifted_at is not None
    assert ModerationLogEntry.objects.filter(action=Action.LIFT).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"reason": "Insults", "until_0": "2020-01-01", "until_1": "10:00"},
            "until",
            "The end of a suspension must be in the future.",
        ),
        ({"reason": "   "}, "reason", "This field is required."),
    ],
)
def test_a_suspension_the_service_refuses_is_a_form_error_and_nothing_is_saved(
    client, moderator, mailoutbox, data, field, message
):
    member = UserFactory()

    response = client.post(reverse("admin:forums_suspension_add"), {"user": member.pk, **data})

    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not Suspension.objects.exists()
    assert not ModerationLogEntry.objects.exists()
    assert mailoutbox == []


def test_no_moderator_suspends_themselves_in_the_admin(client, moderator):
    response = client.post(
        reverse("admin:forums_suspension_add"), {"user": moderator.pk, "reason": "Testing"}
    )

    assert response.status_code == 200
    assert "You may not suspend this person" in str(
        response.context["adminform"].form.errors["user"]
    )
    assert not Suspension.objects.exists()
    refused = ModerationLogEntry.objects.get()  # the attempt, refused, is in the log
    assert (refused.action, refused.actor, refused.subject_user_id) == (
        Action.ATTEMPT_REFUSED,
        moderator,
        moderator.pk,
    )


@pytest.mark.parametrize(
    "name",
    [
        "forums_post",
        "forums_thread",
        "forums_flag",
        "forums_suspension",
        "audit_moderationlogentry",
    ],
)
def test_editors_see_no_moderation_page(client, name):
    client.force_login(UserFactory(groups=["Editors"], is_staff=True))

    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403


def test_the_index_counts_what_waits(client, moderator):
    PostFactory.create_batch(2, status=PostStatus.PENDING)
    flagged = PostFactory()
    Flag.objects.create(post=flagged, user=UserFactory(), reason=FlagReason.SPAM)
    PostFactory()

    response = client.get(reverse("admin:index"))

    assert response.context["waiting_count"] == 3
    assert "3 posts wait for a decision" in response.text


def test_editors_get_no_count_on_the_index(client):
    client.force_login(UserFactory(groups=["Editors"], is_staff=True))
    PostFactory(status=PostStatus.PENDING)

    response = client.get(reverse("admin:index"))

    assert response.context["waiting_count"] is None
    assert "wait for a decision" not in response.text


def add_waiting(thread, authors, count):
    posts = Post.objects.bulk_create(
        Post(thread=thread, author=authors[n % len(authors)], body=f"Waiting {n}", body_html="")
        for n in range(count)
    )
    flagger = UserFactory()
    Flag.objects.bulk_create(
        Flag(post=post, user=flagger, reason=FlagReason.OFF_TOPIC) for post in posts[::2]
    )


def test_the_queue_costs_the_same_however_long_it_grows(client, moderator):
    thread = ThreadFactory()
    authors = UserFactory.create_batch(3)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    add_waiting(thread, authors, 5)
    queries()  # the moderator's account is read once, then kept (accounts.backends)
    few = queries()
    add_waiting(thread, authors, 495)
    assert Post.objects.filter(status=PostStatus.PENDING).count() == 500

    assert queries() == few


def test_nobody_deletes_threads_posts_or_flags_in_the_admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    post = PostFactory()
    flag = Flag.objects.create(post=post, user=UserFactory(), reason=FlagReason.SPAM)

    for name, obj in (("thread", post.thread), ("post", post), ("flag", flag)):
        assert client.get(reverse(f"admin:forums_{name}_delete", args=[obj.pk])).status_code == 403
        changelist = client.get(reverse(f"admin:forums_{name}_changelist"))
        assert "delete_selected" not in changelist.text
    assert Post.objects.filter(pk=post.pk).exists()


def test_closing_consultations_needs_an_outcome_then_closes_and_logs(client, moderator):
    consultation = ThreadFactory(kind="consultation")
    discussion = ThreadFactory()
    url = reverse("admin:forums_thread_changelist")
    selected = {"action": "close", "_selected_action": [consultation.pk, discussion.pk]}

    page = client.post(url, {**selected, "outcome": "  "})
    assert page.status_code == 200
    assert "This field is required" in page.text
    assert Thread.objects.get(pk=consultation.pk).closed_at is None

    done = client.post(url, {**selected, "outcome": "Miners and rangers agreed on **two** routes."})
    assert done.status_code == 302
    closed = Thread.objects.get(pk=consultation.pk)
    assert closed.closed_by == moderator
    assert "<strong>two</strong>" in closed.outcome_html
    assert Thread.objects.get(pk=discussion.pk).closed_at is None
    entry = ModerationLogEntry.objects.get(action=Action.CLOSE)
    assert (entry.target_id, entry.actor) == (consultation.pk, moderator)
    assert "two** routes" in entry.reason
    messages = [str(m) for m in client.get(url).context["messages"]]
    assert any("not a consultation" in m for m in messages)
    assert any("1 consultation closed" in m for m in messages)


def test_a_forum_moderator_cannot_close_another_forums_consultation(client):
    mine, theirs = ForumFactory(), ForumFactory()
    facilitator = UserFactory(is_staff=True)
    mine.moderators.add(facilitator)
    consultation = ThreadFactory(forum=theirs, kind="consultation")
    client.force_login(facilitator)

    response = client.post(
        reverse("admin:forums_thread_changelist"),
        {"action": "close", "_selected_action": [consultation.pk], "outcome": "Closed."},
    )

    assert response.status_code == 403
    assert Thread.objects.get(pk=consultation.pk).closed_at is None
    assert not ModerationLogEntry.objects.exists()


def test_the_forum_filter_offers_a_forum_moderator_their_forums_alone(client):
    mine = ForumFactory(name="Itombwe dialogue")
    other = ForumFactory(name="Secret working group")
    user = UserFactory(is_staff=True)
    mine.moderators.add(user)
    client.force_login(user)
    PostFactory(thread=ThreadFactory(forum=mine), status=PostStatus.PENDING)

    for url in (QUEUE, reverse("admin:forums_thread_changelist")):
        page = client.get(url)
        assert "Itombwe dialogue" in page.text
        assert "Secret working group" not in page.text
    assert client.get(QUEUE + f"&forum={other.pk}").context["cl"].result_list.count() == 0


def test_the_forum_filter_narrows_the_queue_for_moderators(client, moderator):
    here, there = ForumFactory(), ForumFactory()
    wanted = PostFactory(thread=ThreadFactory(forum=here), status=PostStatus.PENDING)
    PostFactory(thread=ThreadFactory(forum=there), status=PostStatus.PENDING)
    flagged = PostFactory(thread=ThreadFactory(forum=here))
    Flag.objects.create(post=flagged, user=UserFactory(), reason=FlagReason.SPAM)
    resolved = PostFactory(thread=ThreadFactory(forum=here))
    Flag.objects.create(
        post=resolved, user=UserFactory(), reason=FlagReason.SPAM, resolved_at=timezone.now()
    )

    shown = list(client.get(QUEUE + f"&forum={here.pk}").context["cl"].result_list)

    assert shown == [wanted, flagged]


def test_a_forum_moderator_cannot_move_a_thread_into_a_forum_they_do_not_moderate(client):
    mine, theirs = ForumFactory(name="Mine"), ForumFactory(name="Theirs")
    facilitator = UserFactory(is_staff=True)
    mine.moderators.add(facilitator)
    thread = ThreadFactory(forum=mine)
    client.force_login(facilitator)
    selected = {"action": "move", "_selected_action": [thread.pk]}

    page = client.post(
        reverse("admin:forums_thread_changelist"),
        {**selected, "to_forum": str(theirs.pk), "reason": "Belongs there"},
    )

    assert page.status_code == 200
    assert "Select a valid choice" in page.text
    assert "Theirs" not in page.text
    assert Thread.objects.get(pk=thread.pk).forum == mine
    assert not ModerationLogEntry.objects.exists()
