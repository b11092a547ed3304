"""@mentions: a handle in a post links to its holder's profile and tells them once, only if
they may read the post, only once it is approved, and at most FORUM_MENTIONS_PER_POST people."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import Action
from forums import moderation, services
from forums.mentions import handles_in
from forums.models import PostStatus, Visibility
from forums.tasks import notify_subscribers
from notices.models import Kind, Notice
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return UserFactory(**kwargs)


def write(thread, author, body):
    return services.post_reply(author=author, thread=thread, body=body, language="fr")


def mentions_of(user):
    return list(Notice.objects.filter(user=user, kind=Kind.MENTION).values_list("target_id"))


@pytest.fixture
def thread():
    return ThreadFactory(title="Où creuser ?")


@pytest.fixture
def amelie():
    return person(handle="amélie", name="Amélie Kasongo", preferred_language="fr")


def test_a_mention_links_to_the_profile_and_tells_its_holder_once(committed, thread, amelie):
    writer = person()
    with committed():
        post = write(thread, writer, "Qu'en pense @Amelie ? Voir aussi @nobody-here.")

    # The profile's address without a language: it sends each reader to theirs.
    profile = f"/people/{amelie.pk}/"
    assert f'<a href="{profile}" rel="nofollow ugc noopener">@Amelie</a>' in post.body_html
    assert "@nobody-here" in post.body_html
    assert mentions_of(amelie) == [(post.pk,)]
    [email] = [m for m in mail.outbox if m.to == [amelie.email]]
    assert "vous a mentionné" in email.body

    notify_subscribers(post_id=post.pk)  # a second copy of the task

    assert Notice.objects.filter(user=amelie).count() == 1
    assert len([m for m in mail.outbox if m.to == [amelie.email]]) == 1


def test_a_mention_in_a_pending_post_tells_nobody_until_it_is_approved(committed, thread, amelie):
    moderator = person(groups=["Moderators"], is_staff=True)
    post = PostFactory(thread=thread, body="Bonjour @amélie", status=PostStatus.PENDING)
    with committed():
        services.post_status_changed(post=post)
    assert mentions_of(amelie) == []

    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision=Action.APPROVE)

    assert mentions_of(amelie) == [(post.pk,)]


def test_nobody_is_told_of_a_mention_they_may_not_read(committed, amelie):
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=["ngo"])
    writer = person(stakeholder_group="ngo")
    thread = ThreadFactory(forum=forum, author=person(stakeholder_group="ngo"))
    with committed():
        write(thread, writer, "Ask @amelie about it.")

    assert Notice.objects.filter(user=amelie).count() == 0


def test_at_most_a_handful_of_people_are_told(committed, settings, thread):
    settings.FORUM_MENTIONS_PER_POST = 5
    named = [person(handle=f"voice{n}") for n in range(7)]
    with committed():
        write(thread, person(), " ".join(f"@voice{n}" for n in range(7)))

    told = [bool(mentions_of(user)) for user in named]
    assert told == [True] * 5 + [False] * 2


def test_code_addresses_and_self_mentions_are_not_mentions(committed, thread, amelie):
    writer = person(handle="writer")
    body = "`@amelie` and\n\n    @amelie\n\nmail amelie@example.org or @writer"
    assert handles_in(body) == ["writer"]
    with committed():
        post = write(thread, writer, body)

    assert Notice.objects.filter(kind=Kind.MENTION).count() == 0
    assert 'href="/people/' in post.body_html  # the author's own handle is still a link


def test_a_mention_and_a_reply_to_the_same_person_is_one_notice(committed, thread, amelie):
    own = PostFactory(thread=thread, author=amelie)
    with committed():
        write_reply = services.post_reply(
            author=person(), thread=thread, body="@amelie oui.", language="fr", reply_to=own
        )

    assert list(Notice.objects.filter(user=amelie).values_list("kind", "target_id")) == [
        (Kind.MENTION, write_reply.pk)
    ]


def test_an_edit_that_adds_a_mention_tells_the_new_person_once(committed, thread, amelie):
    writer = person()
    with committed():
        post = write(thread, writer, "Bonjour.")
    for text in ("Bonjour @amelie.", "Bonjour @amelie !"):
        with committed():
            services.post_edit(editor=writer, post=post, body=text, language="fr")

    assert mentions_of(amelie) == [(post.pk,)]
    assert len([m for m in mail.outbox if m.to == [amelie.email]]) == 1


def test_the_mention_notice_leads_to_the_post(committed, thread, amelie, client):
    with committed():
        post = write(thread, person(), "@amelie ?")
    notice = Notice.objects.get(user=amelie)
    client.force_login(amelie)

    page = client.get(reverse("notices:list")).content.decode()
    assert "vous a mentionné" in page or "mentioned you" in page
    assert client.get(reverse("notices:open", args=[notice.pk])).url == post.get_absolute_url()
