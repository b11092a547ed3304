"""Following threads and forums: who is emailed about a new post (once, in their language, never
its author, never about what they may not see, only once it is committed), the daily digest,
the one-click unsubscribe link, and the subscribe form."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.sites.models import Site
from django.core import mail, signing
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import StakeholderGroup, User
from forums import notifications, services
from forums.models import Delivery, PostStatus, Subscription, Visibility
from forums.tasks import notify_subscribers, send_daily_digests
from forums.views.subscriptions import subscription_form
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def portal_domain(settings):
    """Links in emails name the Sites domain, over HTTPS in production."""
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
    Site.objects.update_or_create(pk=1, defaults={"domain": "portal.example.org"})
    Site.objects.clear_cache()
    yield "https://portal.example.org"
    Site.objects.clear_cache()


@pytest.fixture
def forum():
    return ForumFactory(name="Itombwe Nature Reserve", name_fr="Réserve naturelle d'Itombwe")


@pytest.fixture
def thread(forum):
    return ThreadFactory(forum=forum, title="Mercury & gold at Mwenga")


def person(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return UserFactory(**kwargs)


def follow(user, target, delivery=Delivery.IMMEDIATE):
    return services.subscription_set(user=user, target=target, delivery=delivery)


def reply(thread, author, body="Retorts cut our mercury use by half."):
    return services.post_reply(author=author, thread=thread, body=body, language="en")


def emails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def unsubscribe_path(message):
    """The path of the one-click link in the List-Unsubscribe header."""
    url = re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"])[1]
    return urlsplit(url).path


# Immediate emails


def test_a_new_post_emails_each_subscriber_once_in_their_language_but_not_its_author(
    committed, forum, thread, portal_domain
):
    french = person(name="Aline Mukendi", preferred_language="fr")
    english = person(name="Grace Osei", preferred_language="en")
    author = person(name="Amani Bisimwa", stakeholder_group=StakeholderGroup.NGO)
    follow(french, thread)
    follow(french, forum)
    follow(english, forum)
    follow(author, thread)

    with committed():
        post = reply(thread, author)
        assert mail.outbox == []

    assert sorted(message.to[0] for message in mail.outbox) == sorted([french.email, english.email])
    (to_french,) = emails_to(french)
    (to_english,) = emails_to(english)
    assert to_french.subject == "[ASM-PACE] Nouveau message dans « Mercury & gold at Mwenga »"
    assert to_english.subject == "[ASM-PACE] New post in “Mercury & gold at Mwenga”"
    assert "Réserve naturelle d'Itombwe" in to_french.body
    assert "ONG, société civile" in to_french.body
    assert "Itombwe Nature Reserve" in to_english.body
    assert "Réserve" not in to_english.body
    for message, language in ((to_french, "fr"), (to_english, "en")):
        assert "Mercury & gold at Mwenga" in message.body
        assert "Amani Bisimwa" in message.body
        assert post.body in message.body
        # Its links lead to the pages in the reader's language.
        assert f"{portal_domain}/{language}/forums/posts/{post.pk}/" in message.body
        assert message.extra_headers["List-Unsubscribe"].startswith(
            f"<{portal_domain}/{language}/forums/unsubscribe/"
        )
        assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
        (html, mimetype) = message.alternatives[0]
        assert mimetype == "text/html"
        assert "<p>Retorts cut our mercury use by half.</p>" in html
    assert "NGO, civil society or conservation organisation" in to_english.body


def test_nothing_is_sent_when_the_transaction_rolls_back(committed, thread):
    reader = person()
    follow(reader, thread)

    def reply_then_fail():
        with transaction.atomic():
            reply(thread, person())
            raise RuntimeError("the page failed after saving")

    with committed(), pytest.raises(RuntimeError):
        reply_then_fail()

    assert mail.outbox == []
    assert thread.posts.count() == 1


def test_a_post_waiting_for_moderation_is_announced_only_once_approved(committed, forum, thread):
    forum.pre_moderated = True
    forum.save()
    reader = person()
    follow(reader, forum)

    with committed():
        post = reply(thread, person())
    assert post.status == PostStatus.PENDING
    assert mail.outbox == []

    with committed():
        post.status = PostStatus.APPROVED
        post.save()
        services.post_status_changed(post=post)
    assert [message.to for message in mail.outbox] == [[reader.email]]


def test_a_post_restored_after_hiding_is_not_announced_again(committed, thread):
    reader = person()
    follow(reader, thread)
    with committed():
        post = reply(thread, person())

    for status in (PostStatus.HIDDEN, PostStatus.APPROVED):
        with committed():
            post.status = status
            post.save()
            services.post_status_changed(post=post)

    assert len(emails_to(reader)) == 1
    assert post.approved_at is not None


def test_a_post_hidden_before_the_task_runs_is_not_announced(committed, thread):
    reader = person()
    follow(reader, thread)
    post = PostFactory(thread=thread, status=PostStatus.HIDDEN)

    with committed():
        assert notify_subscribers(post_id=post.pk) == 0
    assert mail.outbox == []


def test_no_email_about_a_restricted_forum_the_reader_has_left(committed):
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO])
    author = person(stakeholder_group=StakeholderGroup.NGO)
    thread = ThreadFactory(forum=forum, author=author)
    stays = person(stakeholder_group=StakeholderGroup.NGO)
    leaves = person(stakeholder_group=StakeholderGroup.NGO)
    invited = person(stakeholder_group=StakeholderGroup.MINER)
    forum.members.add(invited)
    for reader in (stays, leaves, invited):
        follow(reader, thread)
    follow(leaves, forum, Delivery.DAILY)
    leaves.stakeholder_group = StakeholderGroup.COMPANY
    leaves.save()
    forum.members.remove(invited)

    with committed():
        reply(thread, person(stakeholder_group=StakeholderGroup.NGO))
        send_daily_digests()

    assert [message.to for message in mail.outbox] == [[stays.email]]


def test_no_email_to_inactive_deleted_or_unconfirmed_accounts(committed, thread):
    active = person()
    inactive = person()
    deleted = person()
    unconfirmed = person()
    for reader in (active, inactive, deleted, unconfirmed):
        follow(reader, thread)
    inactive.is_active = False
    inactive.save()
    deleted.deleted_at = timezone.now()
    deleted.save()
    unconfirmed.emailaddress_set.update(verified=False)

    with committed():
        reply(thread, person())

    assert [message.to for message in mail.outbox] == [[active.email]]


def test_daily_subscribers_get_no_email_for_each_post(committed, forum, thread):
    daily = person()
    immediate = person()
    follow(daily, forum, Delivery.DAILY)
    follow(immediate, thread)

    with committed():
        reply(thread, person())

    assert [message.to for message in mail.outbox] == [[immediate.email]]


def test_notify_subscribers_costs_the_same_queries_for_3_or_50_subscribers(committed):
    Site.objects.get_current()  # cached from then on, as in a worker

    def queries(count):
        forum = ForumFactory(
            visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO]
        )
        thread = ThreadFactory(forum=forum)
        readers = [
            person(
                stakeholder_group=StakeholderGroup.NGO if n % 3 else StakeholderGroup.OTHER,
                preferred_language="fr" if n % 2 else "en",
                groups=["Moderators"] if n == 1 else None,
            )
            for n in range(count)
        ]
        forum.members.add(*readers[::3])
        forum.moderators.add(readers[2])
        for n, reader in enumerate(readers):
            follow(reader, thread if n % 2 else forum)
            if n % 5 == 0:
                follow(reader, thread)
        post = PostFactory(thread=thread)
        with CaptureQueriesContext(connection) as captured:
            assert notify_subscribers(post_id=post.pk) == count
        return len(captured.captured_queries)

    assert queries(3) == queries(50)


# The daily digest


def test_the_daily_digest_groups_new_posts_once_and_moves_on(committed, forum, portal_domain):
    elsewhere = ForumFactory(name="Gold supply chains", name_fr="Filières de l'or")
    followed_thread = ThreadFactory(forum=forum, title="Retorts")
    mailed_thread = ThreadFactory(forum=forum, title="Sluices")
    other_thread = ThreadFactory(forum=elsewhere, title="Traceability")
    reader = person(preferred_language="fr")
    author = person(name="Grace Osei", stakeholder_group=StakeholderGroup.RESEARCH)
    daily = [
        follow(reader, forum, Delivery.DAILY),
        follow(reader, followed_thread, Delivery.DAILY),
        follow(reader, other_thread, Delivery.DAILY),
    ]
    immediate = follow(reader, mailed_thread)
    old = PostFactory(
        thread=followed_thread,
        body="Written before the digest began.",
        created_at=timezone.now() - datetime.timedelta(days=2),
    )
    new = PostFactory(thread=followed_thread, author=author, body="Retorts came by boat.")
    mailed = PostFactory(thread=mailed_thread, body="Already mailed on its own.")
    own = PostFactory(thread=followed_thread, author=reader, body="The reader's own words.")
    pending = PostFactory(
        thread=followed_thread, body="Not approved yet.", status=PostStatus.PENDING
    )
    far = PostFactory(thread=other_thread, author=author, body="Traced from **pit** to export.")

    with committed():
        assert send_daily_digests() == 1

    (digest,) = mail.outbox
    assert digest.to == [reader.email]
    assert digest.subject == "[ASM-PACE] Votre résumé du jour : 2 nouveaux messages"
    assert digest.body.count(new.body) == 1
    assert "Traced from pit to export." in digest.body  # its text, not its Markdown
    assert "**" not in digest.body
    for left_out in (old, mailed, own, pending):
        assert left_out.body not in digest.body
    assert "Filières de l'or" in digest.body
    assert "Grace Osei · Recherche" in digest.body
    assert f"{portal_domain}/fr/forums/posts/{new.pk}/" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    for subscription in daily:
        subscription.refresh_from_db()
        assert subscription.digested_until > far.created_at

    with committed():
        assert send_daily_digests() == 0
    assert len(mail.outbox) == 1

    # The digest's one-click link stops the digest, and only the digest.
    response = Client(enforce_csrf_checks=True).post(unsubscribe_path(digest))
    assert response.status_code == 200
    assert list(Subscription.objects.filter(user=reader)) == [immediate]


def test_two_beats_sending_the_digest_the_same_day_send_it_once(committed, forum, thread):
    reader = person()
    subscription = follow(reader, forum, Delivery.DAILY)
    reply(thread, person())

    with committed():
        assert send_daily_digests.apply(throw=True).result == 1  # beat A's, run by a worker
    subscription.refresh_from_db()
    digested = subscription.digested_until
    reply(thread, person(), body="Written between the two beats' runs.")
    with committed():
        assert send_daily_digests.apply(throw=True).result is None  # beat B's: skipped

    assert [message.to for message in mail.outbox] == [[reader.email]]
    subscription.refresh_from_db()
    assert subscription.digested_until == digested  # tomorrow's digest has the new post


def test_the_beat_schedule_names_the_digest_task(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert send_daily_digests.name in tasks


# Unsubscribing from an email


@pytest.fixture
def subscription(thread):
    return follow(person(), thread)


def unsubscribe_url(token):
    return reverse("forums:unsubscribe", kwargs={"token": token})


def test_the_unsubscribe_link_asks_first_and_a_post_unsubscribes(subscription, thread):
    url = unsubscribe_url(notifications.unsubscribe_token([subscription]))
    anonymous = Client(enforce_csrf_checks=True)

    asked = anonymous.get(url)
    assert asked.status_code == 200
    assert escape(thread.title) in asked.text
    assert '<form method="post">' in asked.text
    assert Subscription.objects.filter(pk=subscription.pk).exists()

    done = anonymous.post(url)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    assert not Subscription.objects.filter(pk=subscription.pk).exists()

    again = anonymous.post(url)
    assert again.status_code == 404
    assert "nothing left to unsubscribe" in again.text


def test_the_one_click_link_in_an_email_unsubscribes(committed, subscription, thread):
    with committed():
        reply(thread, person())
    (message,) = mail.outbox

    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(message), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, sub: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        lambda token, sub: signing.dumps({"u": sub.user_id, "s": [sub.pk]}, salt="other"),
        lambda token, sub: signing.dumps({"u": sub.user_id, "s": [sub.pk]}, key="guessed"),
        lambda token, sub: "not-a-token",
    ],
)
def test_a_forged_unsubscribe_link_is_refused_and_tells_nothing(
    client, subscription, thread, forge
):
    token = notifications.unsubscribe_token([subscription])
    url = unsubscribe_url(forge(token, subscription))

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "not valid" in response.text
        assert escape(thread.title) not in response.text
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_token_names_only_its_owners_subscriptions(client, subscription, thread):
    someone_else = follow(person(), thread)
    token = signing.dumps(
        {"u": subscription.user_id, "s": [someone_else.pk]}, salt=notifications.UNSUBSCRIBE_SALT
    )

    response = client.post(unsubscribe_url(token))

    assert response.status_code == 404
    assert Subscription.objects.filter(pk=someone_else.pk).exists()


# Following while signed in


def subscribe(client, target, **data):
    key = "forum" if target.__class__.__name__ == "Forum" else "thread"
    return client.post(reverse("forums:subscribe"), {key: target.pk, **data})


def test_a_stakeholder_follows_a_thread_changes_delivery_and_stops(client, thread):
    reader = person()
    client.force_login(reader)
    back = reverse("forums:index")

    response = subscribe(client, thread, action="subscribe", delivery="daily", next=back)
    assert response.status_code == 302
    assert response["Location"] == back
    subscription = Subscription.objects.get(user=reader, thread=thread)
    assert subscription.delivery == Delivery.DAILY
    assert "daily digest" in client.get(back).text

    subscribe(client, thread, action="subscribe", delivery="immediate", next=back)
    subscription.refresh_from_db()
    assert subscription.delivery == Delivery.IMMEDIATE

    response = subscribe(client, thread, action="unsubscribe", next=back)
    assert response["Location"] == back
    assert not Subscription.objects.filter(user=reader).exists()


def test_following_a_forum_goes_back_only_to_this_site(client, forum):
    client.force_login(person())

    response = subscribe(
        client, forum, action="subscribe", delivery="immediate", next="https://evil.example/"
    )

    assert response["Location"] == forum.get_absolute_url()
    assert Subscription.objects.filter(forum=forum).count() == 1


def test_a_forum_one_may_not_see_cannot_be_followed(client):
    hidden = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO])
    thread = ThreadFactory(forum=hidden)
    client.force_login(person(stakeholder_group=StakeholderGroup.MINER))

    assert subscribe(client, hidden, action="subscribe").status_code == 404
    assert subscribe(client, thread, action="subscribe").status_code == 404
    assert not Subscription.objects.exists()


def test_visitors_and_unconfirmed_accounts_cannot_follow(client, thread):
    response = subscribe(client, thread, action="subscribe")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    client.force_login(person(confirmed=False))
    response = subscribe(client, thread, action="subscribe", next=thread.get_absolute_url())
    assert response.status_code == 302
    assert "Confirm your email address" in client.get(response["Location"]).text
    assert not Subscription.objects.exists()


def test_the_subscription_form_shows_the_readers_choice_in_one_query(
    django_assert_num_queries, thread
):
    reader = person()
    request = RequestFactory().get(thread.get_absolute_url())
    request.user = reader

    with django_assert_num_queries(1):
        html = subscription_form(request, f"thread:{thread.pk}")
    assert f'action="{reverse("forums:subscribe")}"' in html
    assert f'name="thread" value="{thread.pk}"' in html
    assert f'id="delivery-thread-{thread.pk}-immediate" checked' in html
    assert 'value="unsubscribe"' not in html

    follow(reader, thread.forum, Delivery.DAILY)
    request.user = User.objects.get(pk=reader.pk)  # the next request's
    with django_assert_num_queries(1):
        html = subscription_form(request, f"forum:{thread.forum.pk}")
    assert f'name="forum" value="{thread.forum.pk}"' in html
    assert f'id="delivery-forum-{thread.forum.pk}-daily" checked' in html
    assert 'value="unsubscribe"' in html
    # Another reader's choice is theirs: this one follows nothing.
    request.user = person()
    assert 'value="unsubscribe"' not in subscription_form(request, f"forum:{thread.forum.pk}")


def test_the_follow_form_is_made_once_for_readers_who_follow_alike_with_each_ones_token(
    thread, settings
):
    import re

    from forums.views.subscriptions import _follow_form

    def token(form):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    settings.DEBUG = False
    _follow_form.cache_clear()
    forms = []
    for reader in (person(), person()):
        request = RequestFactory().get(thread.get_absolute_url())
        request.user = reader
        forms.append(subscription_form(request, f"thread:{thread.pk}"))
    follower = person()
    follow(follower, thread, Delivery.DAILY)
    request = RequestFactory().get(thread.get_absolute_url())
    request.user = follower
    followed = subscription_form(request, f"thread:{thread.pk}")

    assert _follow_form.cache_info().misses == 2  # one form for the two alike, one for daily
    first, second = forms
    assert len(token(first)) == 64
    assert token(first) != token(second), "each reader's own token"
    assert first.replace(token(first), "") == second.replace(token(second), "")
    assert f'id="delivery-thread-{thread.pk}-daily" checked' in followed


def test_an_unknown_delivery_is_refused_with_a_message_and_nothing_saved(client, thread):
    client.force_login(person())

    response = client.post(
        reverse("forums:subscribe"),
        {"thread": thread.pk, "delivery": "weekly", "action": "subscribe"},
        follow=True,
    )

    assert "Choose how you want to be told." in response.text
    assert not Subscription.objects.exists()
