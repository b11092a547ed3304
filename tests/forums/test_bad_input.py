"""What the testers' fuzzer sent the dialogue and its admin pages (issue 14): each answers the
page, a redirect or a form error, never a 500, and saves nothing half-way."""

import pytest
from django.urls import reverse

from forums.models import Subscription, Suspension
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
