"""Taking part: starting threads, replying, quoting, previewing, editing, consultations, the
dialogue balance, and the limits that keep it from being flooded."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StakeholderGroup
from forums.models import Forum, Post, PostRevision, PostStatus, Thread
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum():
    return ForumFactory(slug="itombwe", name="Itombwe Nature Reserve")


@pytest.fixture
def miner(client):
    user = UserFactory(
        name="Amani Bisimwa",
        organisation="Coopérative minière de Mwenga",
        country="CD",
        date_joined=timezone.now() - datetime.timedelta(days=30),
    )
    client.force_login(user)
    return user


def new_thread_url(forum):
    return reverse("forums:thread_new", kwargs={"slug": forum.slug})


def reply_url(thread):
    return reverse("forums:reply", kwargs={"forum": thread.forum.slug, "pk": thread.pk})


def test_a_stakeholder_starts_a_thread_that_everyone_sees_with_who_speaks_for_whom(
    client, forum, miner
):
    data = {
        "title": "Mercury at the Mwenga sites",
        "body": "We use **less** mercury.",
        "language": "fr",
    }

    preview = client.post(new_thread_url(forum), {**data, "preview": "1"})
    assert "<strong>less</strong>" in preview.text
    assert not Thread.objects.exists()

    response = client.post(new_thread_url(forum), data)

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(thread.get_absolute_url())
    client.logout()
    page = client.get(thread.get_absolute_url()).text
    assert "Mercury at the Mwenga sites" in page
    assert '<div class="post-body" lang="fr"><p>We use <strong>less</strong> mercury.</p>' in page
    assert "Amani Bisimwa" in page
    assert "Artisanal miner or mining community" in page
    assert "Coopérative minière de Mwenga, Democratic Republic of the Congo" in page
    forum.refresh_from_db()
    assert (forum.thread_count, forum.post_count) == (1, 1)
    assert "1 thread" in client.get(reverse("forums:index")).text


def test_a_reply_quotes_the_post_it_answers(client, forum, miner):
    thread = ThreadFactory(forum=forum, opening__body="Who buys the gold?\n\nTraders in Bukavu.")
    opening = thread.posts.get()

    form = client.get(reply_url(thread), {"quote": opening.pk}).text
    assert f"&gt; **{thread.author.display_name}:**" in form
    assert "&gt; Who buys the gold?\n&gt;\n&gt; Traders in Bukavu." in form

    client.post(
        reply_url(thread),
        {"body": "> Traders in Bukavu.\n\nAnd in Uvira.", "language": "en", "reply_to": opening.pk},
    )

    reply = Post.objects.get(author=miner)
    assert reply.reply_to == opening
    page = client.get(thread.get_absolute_url()).text
    assert "<blockquote>" in page
    assert f"In reply to {thread.author.display_name}" in page


def test_a_reply_to_a_post_of_another_thread_is_not_linked(client, forum, miner):
    thread = ThreadFactory(forum=forum)
    elsewhere = ThreadFactory(forum=forum).posts.get()

    client.post(reply_url(thread), {"body": "Hello", "language": "en", "reply_to": elsewhere.pk})

    assert Post.objects.get(author=miner).reply_to is None


def test_an_author_edits_and_the_earlier_version_is_kept(client, forum, miner):
    post = PostFactory(thread=ThreadFactory(forum=forum), author=miner, body="First words")
    url = reverse("forums:post_edit", kwargs={"pk": post.pk})

    client.post(url, {"body": "Second words", "language": "en"})
    client.post(url, {"body": "Third words", "language": "fr"})

    post.refresh_from_db()
    assert post.body == "Third words"
    assert post.edited_at is not None
    assert list(PostRevision.objects.values_list("body", flat=True)) == [
        "Second words",
        "First words",
    ]
    page = client.get(post.thread.get_absolute_url()).text
    assert "Edited " in page
    history = client.get(url).text
    assert "2 earlier versions" in history
    assert "First words" in history


def test_limits_refuse_with_a_clear_message_and_save_nothing(client, forum, miner, settings):
    thread = ThreadFactory(forum=forum)
    client.post(reply_url(thread), {"body": "One", "language": "en"})

    too_fast = client.post(reply_url(thread), {"body": "Two", "language": "en"})

    assert "Please wait" in too_fast.text
    assert Post.objects.filter(author=miner).count() == 1
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    duplicate = client.post(reply_url(thread), {"body": "One", "language": "en"})
    assert "You posted exactly this a moment ago." in duplicate.text
    settings.FORUM_POST_MAX_LENGTH = 50
    too_long = client.post(reply_url(thread), {"body": "x" * 51, "language": "en"})
    assert "at most 50 characters" in too_long.text
    assert Post.objects.filter(author=miner).count() == 1


def test_new_accounts_post_less_often_and_with_few_links(client, forum, settings):
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    newcomer = UserFactory()
    client.force_login(newcomer)
    thread = ThreadFactory(forum=forum)

    links = client.post(
        reply_url(thread),
        {"body": "https://a.example https://b.example www.c.example", "language": "en"},
    )
    assert "at most 2 links" in links.text
    for n in range(settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR):
        client.post(reply_url(thread), {"body": f"Post {n}", "language": "en"})
    capped = client.post(reply_url(thread), {"body": "One more", "language": "en"})

    assert "New accounts can post 5 times an hour" in capped.text
    assert Post.objects.filter(author=newcomer).count() == 5


def test_a_pre_moderated_forum_holds_posts_until_approved(client, miner):
    forum = ForumFactory(pre_moderated=True)

    response = client.post(
        new_thread_url(forum),
        {"title": "A question", "body": "Is it safe?", "language": "en"},
        follow=True,
    )

    thread = Thread.objects.get()
    assert "awaiting moderation" in response.text
    assert thread.posts.get().status == PostStatus.PENDING
    assert not thread.is_visible
    forum.refresh_from_db()
    assert forum.thread_count == 0
    client.logout()
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert "A question" not in client.get(forum.get_absolute_url()).text


def test_a_consultation_is_framed_and_closed_with_an_outcome(client, forum, miner, settings):
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    facilitator = UserFactory(groups=["Moderators"], is_staff=True)
    assert 'name="kind"' not in client.get(new_thread_url(forum)).text
    client.force_login(facilitator)

    missing = client.post(
        new_thread_url(forum),
        {"title": "Zoning", "kind": "consultation", "body": "Your views?", "language": "en"},
    )
    assert "A consultation needs its context." in missing.text
    client.post(
        new_thread_url(forum),
        {
            "title": "Zoning the reserve",
            "kind": "consultation",
            "context": "Where may artisanal mining continue?",
            "body": "Your views, please.",
            "language": "en",
        },
    )
    thread = Thread.objects.get()
    close = reverse("forums:close", kwargs={"forum": forum.slug, "pk": thread.pk})
    client.post(close, {"outcome": "Mining continues **outside** the core zone."})

    thread.refresh_from_db()
    assert thread.is_closed
    page = client.get(thread.get_absolute_url()).text
    assert page.index("Outcome") < page.index("Your views, please.")
    assert "<strong>outside</strong>" in page
    client.force_login(miner)
    assert client.get(close).status_code == 403
    refused = client.post(reply_url(thread), {"body": "Too late?", "language": "en"})
    assert refused.status_code == 403


def test_the_dialogue_balance_counts_people_and_approved_posts_by_group(client, forum):
    thread = ThreadFactory(forum=forum)  # one miner, one post
    government = UserFactory(stakeholder_group=StakeholderGroup.GOVERNMENT)
    PostFactory(thread=thread, author=government)
    PostFactory(thread=thread, author=government)
    PostFactory(thread=thread, author=UserFactory())  # a second miner
    PostFactory(thread=thread, author=government, status=PostStatus.HIDDEN)

    balance = {
        share.group: share for share in client.get(thread.get_absolute_url()).context["balance"]
    }

    assert (balance["miner"].people, balance["miner"].posts) == (2, 2)
    assert (balance["government"].people, balance["government"].posts) == (1, 2)
    assert (balance["company"].people, balance["company"].posts) == (0, 0)
    assert balance["government"].percent == 50
    assert len(balance) == len(StakeholderGroup.choices)


def test_a_post_link_leads_to_the_page_that_shows_it(client, forum, settings):
    settings.FORUM_POSTS_PER_PAGE = 3
    thread = ThreadFactory(forum=forum)
    posts = [PostFactory(thread=thread) for _ in range(4)]

    response = client.get(posts[-1].get_absolute_url())

    assert response["Location"] == f"{thread.get_absolute_url()}?page=2#post-{posts[-1].pk}"
    assert f'id="post-{posts[-1].pk}"' in client.get(response["Location"]).text


def test_threads_are_listed_pinned_first_then_by_latest_activity(client, forum):
    old = ThreadFactory(forum=forum, title="Old thread")
    pinned = ThreadFactory(forum=forum, title="Pinned thread", is_pinned=True)
    fresh = ThreadFactory(forum=forum, title="Fresh thread")
    PostFactory(thread=old)  # old becomes the latest active

    threads = list(client.get(forum.get_absolute_url()).context["threads"])

    assert threads == [pinned, old, fresh]


def test_the_forums_load_with_their_sites(django_db_setup):
    from django.core.management import call_command

    call_command("load_content", verbosity=0)
    call_command("load_content", verbosity=0)

    assert Forum.objects.count() == 9
    assert Forum.objects.get(slug="itombwe").site.slug == "itombwe"
    assert Forum.objects.filter(site__isnull=True).count() == 5


def test_a_thread_without_title_or_a_close_without_outcome_is_refused(client, forum, miner):
    facilitator = UserFactory(groups=["Moderators"], is_staff=True)
    consultation = ThreadFactory(forum=forum, kind="consultation", context="Zoning?")

    untitled = client.post(new_thread_url(forum), {"title": " ", "body": "Text", "language": "en"})
    client.force_login(facilitator)
    close = reverse("forums:close", kwargs={"forum": forum.slug, "pk": consultation.pk})
    no_outcome = client.post(close, {"outcome": "  "})

    assert "This field is required." in untitled.text
    assert Thread.objects.count() == 1
    assert "This field is required." in no_outcome.text
    consultation.refresh_from_db()
    assert not consultation.is_closed
