"""What the testers found in the dialogue and its admin pages (issue 14): what their fuzzer sent
answers the page, a redirect, a form error or a 400, never a 500, and saves nothing half-way;
and who may suspend whom."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import User
from audit.models import Action, ModerationLogEntry
from forums import moderation, permissions
from forums.models import Post, PostStatus, Subscription, Suspension
from tests.factories import PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(client):
    user = UserFactory(groups=["Moderators"], is_staff=True)
    client.force_login(user)
    return user


def test_a_suspensions_change_page_shows_it(client, moderator):
    suspension = Suspension.objects.create(
        user=UserFactory(), reason="Insults", created_by=moderator
    )

    response = client.get(reverse("admin:forums_suspension_change", args=[suspension.pk]))

    assert response.status_code == 200
    assert "Insults" in response.text


@pytest.mark.parametrize("user", ["abc", "1.5", "\x00", "🙂", ""])
def test_adding_a_suspension_for_no_such_user_is_a_form_error(client, moderator, user):
    response = client.post(
        reverse("admin:forums_suspension_add"), {"user": user, "reason": "Insults"}
    )

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not Suspension.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "status=%00",
        "author__stakeholder_group=%00",
        "created_at__year=99999999999999999999",
        "created_at__month=%00",
        "thread__forum__id__exact=%00",
    ],
)
def test_the_posts_list_refuses_filters_it_cannot_read(client, moderator, query):
    PostFactory()

    response = client.get(reverse("admin:forums_post_changelist") + "?" + query)

    # A NUL byte: 400 (core.bad_requests); a date that cannot be: Django's "?e=1" page.
    assert response.status_code == (400 if "%00" in query else 302)


@pytest.mark.parametrize(
    ("name", "query"),
    [("forums_flag", "reason=%00"), ("audit_moderationlogentry", "action=%00")],
)
def test_other_moderation_lists_refuse_filters_they_cannot_read(client, moderator, name, query):
    response = client.get(reverse(f"admin:{name}_changelist") + "?" + query)

    assert response.status_code == 400


@pytest.mark.parametrize("quote", ["abc", "1.5", "%ff", "-1", "99999999999999999999"])
def test_a_reply_quoting_no_such_post_is_an_empty_reply(client, quote):
    thread = ThreadFactory()
    client.force_login(UserFactory())

    response = client.get(f"{thread.get_absolute_url()}reply/?quote={quote}")

    assert response.status_code == 200
    assert response.context["form"]["body"].value() in ("", None)


def test_a_reply_quoting_twice_quotes_one_post(client):
    thread = ThreadFactory(opening__body="Dredges on the river.")
    post = thread.posts.get()
    client.force_login(UserFactory())

    response = client.get(f"{thread.get_absolute_url()}reply/?quote={post.pk}&quote=abc")

    assert response.status_code == 200


@pytest.mark.parametrize("next_url", ["abc", "forums:index", "//evil.example/", "\x00", ""])
def test_following_with_a_strange_next_goes_back_to_the_thread(client, next_url):
    thread = ThreadFactory()
    client.force_login(UserFactory())

    response = client.post(
        reverse("forums:subscribe"),
        {"thread": thread.pk, "action": "subscribe", "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert Subscription.objects.filter(thread=thread).count() == 1


# Finding 7: who may suspend whom, and what a suspended moderator keeps.


@pytest.mark.parametrize("target", ["staff", "superuser"])
def test_only_a_superuser_suspends_staff_and_superusers(client, moderator, target):
    person = UserFactory(is_staff=True, is_superuser=target == "superuser")

    response = client.post(
        reverse("admin:forums_suspension_add"), {"user": person.pk, "reason": "Insults"}
    )

    assert response.status_code == 200
    assert "only a superuser suspends staff" in str(
        response.context["adminform"].form.errors["user"]
    )
    assert not Suspension.objects.exists()
    refused = ModerationLogEntry.objects.get(action=Action.ATTEMPT_REFUSED)
    assert (refused.actor, refused.subject_user_id) == (moderator, person.pk)
    with pytest.raises(PermissionDenied):  # the service checks again
        moderation.user_suspend(moderator=moderator, user=person, reason="Insults")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    moderation.user_suspend(moderator=superuser, user=person, reason="Insults")
    assert Suspension.objects.filter(user=person).exists()


def test_a_suspended_moderator_loses_every_moderation_power(client, moderator):
    other = UserFactory(is_superuser=True, is_staff=True)
    suspension = moderation.user_suspend(moderator=other, user=moderator, reason="Abuse")
    pending = PostFactory(status=PostStatus.PENDING)
    forum_moderator = UserFactory(is_staff=True)
    pending.thread.forum.moderators.add(forum_moderator)
    moderation.user_suspend(moderator=other, user=forum_moderator, reason="Abuse")

    for user in (moderator, User.objects.get(pk=forum_moderator.pk)):
        user = User.objects.get(pk=user.pk)
        assert not permissions.can_moderate(user, pending.thread.forum)
        with pytest.raises(PermissionDenied):
            moderation.post_decide(moderator=user, post=pending, decision=Action.APPROVE)
    for page in (
        reverse("admin:forums_post_changelist") + "?waiting=yes",
        reverse("admin:forums_post_change", args=[pending.pk]),
        reverse("admin:forums_suspension_changelist"),
        reverse("admin:forums_suspension_change", args=[suspension.pk]),
    ):
        assert client.get(page).status_code in (403, 404), page
    response = client.post(
        reverse("admin:forums_suspension_changelist"),
        {"action": "lift", "_selected_action": [str(suspension.pk)], "index": "0"},
    )
    assert response.status_code == 403
    assert Suspension.objects.get(pk=suspension.pk).lifted_at is None
    assert Post.objects.get(pk=pending.pk).status == PostStatus.PENDING

    moderation.suspension_lift(moderator=other, suspension=suspension)
    assert client.get(reverse("admin:forums_post_changelist")).status_code == 200


def test_the_log_shows_what_a_suspended_moderator_was_refused(client, moderator):
    other = UserFactory(is_superuser=True, is_staff=True)
    suspension = moderation.user_suspend(moderator=other, user=moderator, reason="Abuse")
    lift = reverse("admin:forums_suspension_changelist")
    queue = reverse("admin:forums_post_changelist") + "?waiting=yes"

    assert (
        client.post(lift, {"action": "lift", "_selected_action": [suspension.pk]}).status_code
        == 403
    )
    assert client.get(queue).status_code == 403

    refused = ModerationLogEntry.objects.filter(action=Action.ATTEMPT_REFUSED).order_by("pk")
    assert [(entry.actor_id, entry.reason) for entry in refused] == [
        (moderator.pk, f"POST {lift}"),
        (moderator.pk, "GET /admin/forums/post/"),
    ]
    assert {(entry.target_type, entry.target_id) for entry in refused} == {
        ("suspension", suspension.pk)
    }


def test_a_refusal_of_someone_without_moderation_powers_is_not_logged(client):
    reader = UserFactory(is_staff=True)
    moderation.user_suspend(
        moderator=UserFactory(is_superuser=True, is_staff=True), user=reader, reason="Spam"
    )
    client.force_login(reader)

    assert client.get(reverse("admin:forums_post_changelist")).status_code == 403
    assert not ModerationLogEntry.objects.filter(action=Action.ATTEMPT_REFUSED).exists()


def test_a_suspended_moderator_neither_verifies_nor_manages_people(client, moderator):
    from accounts.models import VerificationRequest
    from accounts.services import verification_decide

    stakeholder = UserFactory()
    request = VerificationRequest.objects.create(user=stakeholder, statement="Registry 42")
    other = UserFactory(is_superuser=True, is_staff=True)
    moderation.user_suspend(moderator=other, user=moderator, reason="Abuse")
    barred = User.objects.get(pk=moderator.pk)

    with pytest.raises(PermissionDenied):
        verification_decide(moderator=barred, request=request, approve=True)
    for page in (
        reverse("admin:accounts_verificationrequest_changelist"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[stakeholder.pk]),
    ):
        assert client.get(page).status_code == 403, page
    assert VerificationRequest.objects.get().status == VerificationRequest.Status.OPEN
