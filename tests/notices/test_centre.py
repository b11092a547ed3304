"""The notification centre: who is told of a new post and how (on the site, by email, once),
the header's count, the list grouped by thread, opening a notice, marking all read, and
choosing by kind which notices also come by email."""

import datetime
import json
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import account_delete
from audit.models import Action, ModerationLogEntry
from forums import moderation, services
from forums.models import Delivery, PostStatus, Visibility
from forums.tasks import notify_subscribers, tell_decision
from notices.models import Kind, Notice
from notices.services import stop_email_token
from notices.views import COUNT_AT_MOST, unread_count
from tests.factories import ForumFactory, PostFactory, ThreadFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return UserFactory(**kwargs)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def reply(thread, author, body="Retorts cut our mercury use by half.", reply_to=None):
    return services.post_reply(
        author=author, thread=thread, body=body, language="en", reply_to=reply_to
    )


def emails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def notices_of(user):
    return list(Notice.objects.filter(user=user).values_list("kind", "target_id"))


@pytest.fixture
def miner():
    return person(name="Aline Mukendi", preferred_language="fr")


@pytest.fixture
def thread(miner):
    return ThreadFactory(title="Où pouvons-nous creuser ?", author=miner)


def header_count(client):
    page = client.get(reverse("forums:index")).content.decode()
    found = re.search(r'badge[^>]*>(\d+\+?)<span class="visually-hidden"> unread', page)
    return found[1] if found else "0"


def test_a_reply_tells_the_author_of_the_post_it_answers_once_and_never_its_own_author(
    committed, thread, miner
):
    ngo = person(name="Jean NGO")
    opening = thread.posts.get()
    with committed():
        answer = reply(thread, ngo, reply_to=opening)

    assert notices_of(miner) == [(Kind.REPLY, answer.pk)]
    assert notices_of(ngo) == []
    [email] = emails_to(miner)
    assert "a répondu à votre message" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    notify_subscribers(post_id=answer.pk)  # the job again: a second copy of its task

    assert Notice.objects.filter(user=miner).count() == 1


def test_a_quote_is_told_as_a_quote_and_followers_are_told_of_new_posts(committed, thread, miner):
    follower, quoter = person(), person()
    services.subscription_set(user=follower, target=thread, delivery=Delivery.SITE)
    with committed():
        quoting = reply(
            thread, quoter, body="> Où creuser ?\n\nPas dans le parc.", reply_to=thread.posts.get()
        )

    assert notices_of(miner) == [(Kind.QUOTE, quoting.pk)]
    assert notices_of(follower) == [(Kind.FOLLOWED, quoting.pk)]
    assert emails_to(follower) == []  # on the site only, as chosen


def test_nobody_is_told_of_a_post_they_may_not_see(committed):
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=["ngo"])
    insider, outsider = person(stakeholder_group="ngo"), person(stakeholder_group="miner")
    thread = ThreadFactory(forum=forum, author=insider)
    for user in (insider, outsider):
        services.Subscription.objects.create(user=user, forum=forum, delivery=Delivery.SITE)
    writer = person(stakeholder_group="ngo")
    with committed():
        post = reply(thread, writer, reply_to=thread.posts.get())

    assert notices_of(insider) == [(Kind.REPLY, post.pk)]
    assert notices_of(outsider) == []


def test_a_notice_is_checked_when_shown_a_forum_left_since_hides_it_and_uncounts_it(
    committed, thread, miner
):
    with committed():
        reply(thread, person(), reply_to=thread.posts.get())
    client = signed_in(miner)
    assert header_count(client) == "1"
    thread.forum.visibility = Visibility.RESTRICTED
    thread.forum.allowed_groups = ["ngo"]
    thread.forum.save()

    page = client.get(reverse("notices:list")).content.decode()

    assert "Où pouvons-nous creuser" not in page
    assert header_count(client) == "0"


def test_a_hidden_post_takes_its_notices_away_and_its_author_learns_why(committed, thread, miner):
    moderator = person(groups=["Moderators"], is_staff=True)
    troll = person(name="Troll")
    with committed():
        post = reply(thread, troll, reply_to=thread.posts.get())
    assert notices_of(miner) == [(Kind.REPLY, post.pk)]

    with committed():
        moderation.post_decide(
            moderator=moderator, post=post, decision=Action.HIDE, reason="Insults."
        )

    assert notices_of(miner) == []
    [told] = Notice.objects.filter(user=troll)
    assert (told.kind, told.verb, told.reason) == (Kind.DECISION, "hide", "Insults.")
    page = signed_in(troll).get(reverse("notices:list")).content.decode()
    assert "A moderator hid your post" in page
    assert "Insults." in page


def test_approval_of_a_pending_post_is_told_on_the_site_and_by_email(committed, thread):
    moderator = person(groups=["Moderators"], is_staff=True)
    newcomer = person()
    post = PostFactory(thread=thread, author=newcomer, status=PostStatus.PENDING)
    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision=Action.APPROVE)

    assert [(n.kind, n.verb) for n in Notice.objects.filter(user=newcomer)] == [
        (Kind.DECISION, "approve")
    ]
    [email] = emails_to(newcomer)
    assert "published your post" in email.body


def test_a_flagger_learns_the_outcome_on_the_site(committed, thread):
    moderator = person(groups=["Moderators"], is_staff=True)
    flagger = person()
    post = PostFactory(thread=thread, author=person())
    moderation.post_flag(user=flagger, post=post, reason="abusive")
    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision=Action.HIDE, reason="x")

    page = signed_in(flagger).get(reverse("notices:list")).content.decode()
    assert "A moderator hid the post you flagged" in page
    assert "x</p>" not in page  # the reason is the author's


def test_those_who_took_part_learn_a_consultation_closed_with_its_outcome(committed):
    moderator = person(groups=["Moderators"], is_staff=True)
    forum = ForumFactory()
    consultation = ThreadFactory(forum=forum, author=moderator, kind="consultation")
    voice, reader = person(), person()
    PostFactory(thread=consultation, author=voice)
    services.subscription_set(user=reader, target=consultation, delivery=Delivery.DAILY)
    with committed():
        moderation.consultation_close(
            facilitator=moderator, thread=consultation, outcome="Buffer zone moved 2 km."
        )

    assert notices_of(voice) == [(Kind.CONSULTATION, consultation.pk)]
    assert notices_of(reader) == []
    assert notices_of(moderator) == []
    [email] = emails_to(voice)
    assert "Buffer zone moved 2 km." in email.body
    page = signed_in(voice).get(reverse("notices:list")).content.decode()
    assert "Buffer zone moved 2 km." in page


def test_several_new_posts_in_one_thread_are_one_line_that_opens_at_the_first(
    committed, thread, miner
):
    services.subscription_set(user=miner, target=thread, delivery=Delivery.SITE)
    posts = []
    for _ in range(3):
        with committed():
            posts.append(reply(thread, person()))
    client = signed_in(miner)

    page = client.get(reverse("notices:list")).content.decode()

    assert page.count("3 new posts in") == 1
    assert header_count(client) == "3"
    oldest = Notice.objects.get(user=miner, target_id=posts[0].pk)
    opened = client.get(reverse("notices:open", args=[oldest.pk]))
    assert opened.url == reverse("forums:post", kwargs={"pk": posts[0].pk})
    assert header_count(client) == "0"


def test_a_notice_is_its_readers_only(committed, thread, miner):
    with committed():
        reply(thread, person(), reply_to=thread.posts.get())
    notice = Notice.objects.get(user=miner)

    assert signed_in(person()).get(reverse("notices:open", args=[notice.pk])).status_code == 404
    assert Client().get(reverse("notices:list")).status_code == 302
    assert Notice.objects.get(pk=notice.pk).read_at is None


def test_mark_all_read_is_a_post_and_empties_the_count(committed, thread, miner):
    with committed():
        reply(thread, person(), reply_to=thread.posts.get())
    client = signed_in(miner)

    assert client.get(reverse("notices:read_all")).status_code == 405
    assert header_count(client) == "1"
    client.post(reverse("notices:read_all"))
    assert header_count(client) == "0"


def test_the_count_is_each_readers_own_on_a_kept_page_and_stops_at_99_plus(thread, miner):
    other = person(stakeholder_group=miner.stakeholder_group)
    Notice.objects.bulk_create(
        Notice(user=miner, kind=Kind.FOLLOWED, cause=f"post:{n}", target_type="post", target_id=n)
        for n in range(COUNT_AT_MOST + 5)
    )
    signed_in(other).get(reverse("forums:index"))  # kept for their audience

    assert header_count(signed_in(miner)) == f"{COUNT_AT_MOST}+"
    assert header_count(signed_in(other)) == "0"


def test_the_headers_count_is_one_query(django_assert_num_queries, miner, rf):
    Notice.objects.bulk_create(
        Notice(user=miner, kind=Kind.FOLLOWED, cause=f"post:{n}", target_type="post", target_id=n)
        for n in range(2000)
    )
    request = rf.get("/")
    request.user = miner
    with django_assert_num_queries(1):
        assert "99+" in unread_count(request, "")


def test_replies_by_email_can_be_stopped_in_one_click_and_stay_on_the_site(
    committed, thread, miner
):
    token = stop_email_token(user_id=miner.pk, kind=Kind.REPLY)
    stop = reverse("notices:stop_email", args=[token])
    assert Client().get(stop).status_code == 200  # a mail scanner's visit changes nothing
    assert Client(enforce_csrf_checks=True).post(stop).status_code == 200

    with committed():
        reply(thread, person(), reply_to=thread.posts.get())

    assert emails_to(miner) == []
    assert [kind for kind, _ in notices_of(miner)] == [Kind.REPLY]


def test_a_forged_stop_link_changes_nothing(miner):
    token = stop_email_token(user_id=miner.pk, kind=Kind.REPLY)
    response = Client().post(reverse("notices:stop_email", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert not miner.emails_off.exists()


def test_email_choices_are_saved_per_kind(miner):
    client = signed_in(miner)
    kept = [Kind.MENTION, Kind.DECISION]
    response = client.post(reverse("notices:email"), {"by_email": kept})

    assert response.status_code == 302
    off = set(miner.emails_off.values_list("kind", flat=True))
    assert off == {
        Kind.REPLY,
        Kind.QUOTE,
        Kind.FLAG_OUTCOME,
        Kind.VERIFICATION,
        Kind.CONSULTATION,
        Kind.NEW_STUDY,
        Kind.NEW_SITE,
    }
    page = client.get(reverse("notices:email")).content.decode()
    assert page.count("checked") == 2
    bad = client.post(reverse("notices:email"), {"by_email": ["everything"]})
    assert bad.status_code == 200
    assert set(miner.emails_off.values_list("kind", flat=True)) == off


def test_deleting_an_account_removes_its_notices(committed, thread, miner):
    with committed():
        reply(thread, person(), reply_to=thread.posts.get())
    miner.emails_off.create(kind=Kind.MENTION)

    account_delete(user=miner)

    assert not Notice.objects.filter(user=miner).exists()
    assert not miner.emails_off.exists()


def test_the_list_costs_the_same_queries_from_10_to_10000_notices(
    django_assert_max_num_queries, thread, miner
):
    posts = [PostFactory(thread=thread) for _ in range(3)]
    kinds = [Kind.FOLLOWED, Kind.REPLY, Kind.MENTION]

    def add(start, stop):
        Notice.objects.bulk_create(
            Notice(
                user=miner,
                kind=kinds[n % 3],
                cause=f"n:{n}",
                target_type="post",
                target_id=posts[n % 3].pk,
                topic=f"thread:{thread.pk}",
            )
            for n in range(start, stop)
        )

    client = signed_in(miner)
    client.get(reverse("notices:list"))  # what a process reads once (the navigation)
    seen = []
    for start, stop in ((0, 10), (10, 10_000)):
        add(start, stop)
        with django_assert_max_num_queries(14) as captured:
            assert client.get(reverse("notices:list")).status_code == 200
        seen.append(len(captured))
    assert seen[0] == seen[1]


def test_a_verification_decision_is_told_on_the_site_with_the_reason(committed):
    from accounts.services import verification_decide, verification_request

    moderator = person(groups=["Moderators"], is_staff=True)
    applicant = person()
    request = verification_request(user=applicant, statement="Call the co-operative.")
    with committed():
        verification_decide(
            moderator=moderator, request=request, approve=False, reason="No answer."
        )

    page = signed_in(applicant).get(reverse("notices:list")).content.decode()
    assert "could not verify who you speak for" in page
    assert "No answer." in page
    opened = Notice.objects.get(user=applicant)
    response = signed_in(applicant).get(reverse("notices:open", args=[opened.pk]))
    assert response.url == reverse("accounts:verification")


def test_one_replys_fan_out_costs_the_same_queries_for_3_or_30_followers(thread, miner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen = []
    for count in (3, 3, 30):  # the first round reads what a process keeps (the Site)
        while thread.subscriptions.count() < count:
            services.subscription_set(
                user=person(),
                target=thread,
                delivery=[Delivery.SITE, Delivery.IMMEDIATE][count % 2],
            )
        post = PostFactory(thread=thread, author=miner)
        with CaptureQueriesContext(connection) as captured:
            notify_subscribers(post_id=post.pk)
        seen.append(len(captured))
        assert Notice.objects.filter(cause=f"post:{post.pk}").count() == count
    assert seen[1] == seen[2]


def test_flags_found_unfounded_are_closed_and_their_flaggers_told_not_the_author(committed, thread):
    moderator = person(groups=["Moderators"], is_staff=True)
    author, flagger = person(), person()
    post = PostFactory(thread=thread, author=author)
    with pytest.raises(ValidationError):
        moderation.post_decide(moderator=moderator, post=post, decision=Action.KEEP)
    moderation.post_flag(user=flagger, post=post, reason="off_topic")
    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision=Action.KEEP)

    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert not post.flags.filter(resolved_at__isnull=True).exists()
    assert [(n.kind, n.verb) for n in Notice.objects.filter(user=flagger)] == [
        (Kind.FLAG_OUTCOME, "keep")
    ]
    assert not Notice.objects.filter(user=author).exists()
    [email] = emails_to(flagger)
    assert "kept it" in email.body


def test_a_post_hidden_by_readers_flags_is_told_to_its_author_at_once(committed, settings, thread):
    settings.FORUM_FLAGS_TO_HIDE = 2
    author = person()
    post = PostFactory(thread=thread, author=author)
    for flagger in (person(), person()):
        with committed():
            moderation.post_flag(user=flagger, post=post, reason="abusive")

    [told] = Notice.objects.filter(user=author)
    assert (told.kind, told.verb) == (Kind.DECISION, "auto_hide")
    page = signed_in(author).get(reverse("notices:list")).content.decode()
    assert "flags hid your post" in page
    assert "until a moderator decides" in emails_to(author)[0].body


def test_the_data_export_holds_ones_notices_choices_and_topics_not_others(committed, thread, miner):
    with committed():
        reply(thread, person(), reply_to=thread.posts.get())
    miner.emails_off.create(kind=Kind.MENTION)
    miner.topic_follows.create(topic=TopicFactory(slug="mercury"))
    other = person()
    Notice.objects.create(user=other, kind=Kind.REPLY, cause="x", target_type="post", target_id=1)

    data = json.loads(signed_in(miner).get(reverse("accounts:export")).content)

    assert data["accounts"]["profile"]["handle"] == miner.handle
    assert [n["kind"] for n in data["notices"]["notifications"]] == [Kind.REPLY]
    assert data["notices"]["not_by_email"] == [Kind.MENTION]
    assert data["publications"]["topics_followed"] == ["mercury"]


def test_the_kept_count_follows_new_and_read_notices(committed, thread, miner):
    """The count is kept with the reader's facts: every notice written or read renews it."""
    opening = thread.posts.get()
    client = signed_in(miner)
    assert header_count(client) == "0"  # kept from here
    with committed():
        reply(thread, person(), reply_to=opening)
    assert header_count(client) == "1"
    notice = Notice.objects.get(user=miner)
    client.get(reverse("notices:open", args=[notice.pk]))
    assert header_count(client) == "0"
    with committed():
        reply(thread, person(), reply_to=opening)
    moderation.post_decide(
        moderator=person(groups=["Moderators"], is_staff=True),
        post=Notice.objects.filter(user=miner).latest("pk").target_id and thread.posts.latest("pk"),
        decision=Action.HIDE,
        reason="Off-topic.",
    )
    assert header_count(client) == "0"  # a hidden post's notice is gone, and uncounted


def test_a_decision_job_run_twice_tells_and_mails_once(committed, thread):
    moderator = person(groups=["Moderators"], is_staff=True)
    newcomer = person()
    post = PostFactory(thread=thread, author=newcomer, status=PostStatus.PENDING)
    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision=Action.APPROVE)
    entry = ModerationLogEntry.objects.filter(action=Action.APPROVE).latest("pk")

    with committed():
        tell_decision(log_id=entry.pk, flagger_ids=[])

    assert Notice.objects.filter(user=newcomer).count() == 1
    assert len(emails_to(newcomer)) == 1
