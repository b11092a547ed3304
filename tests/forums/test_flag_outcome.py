"""People who flag a post learn what came of it, once, in their language."""

import pytest
from django.core import mail

from accounts.models import StakeholderGroup
from audit.models import Action
from forums import moderation
from forums.models import FlagReason, PostStatus, Visibility
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return UserFactory(groups=["Moderators"], is_staff=True)


def flag(post, user):
    return moderation.post_flag(user=user, post=post, reason=FlagReason.ABUSIVE)


def told(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_flaggers_learn_that_the_post_was_hidden_but_not_the_reason(moderator, committed):
    post = PostFactory(thread=ThreadFactory(forum=ForumFactory(), title="Mwenga"))
    french, english = UserFactory(preferred_language="fr"), UserFactory(preferred_language="en")
    flag(post, french)
    flag(post, english)

    with committed():
        moderation.post_decide(
            moderator=moderator, post=post, decision=Action.HIDE, reason="Insults NGOs"
        )

    (to_french,) = told(french)
    (to_english,) = told(english)
    assert to_french.subject == "[ASM-PACE] Le message que vous avez signalé a été retiré"
    assert "Mwenga" in to_french.body
    assert to_english.subject == "[ASM-PACE] The post you flagged was taken down"
    assert "A moderator hid the post you flagged in “Mwenga”" in to_english.body
    assert "Insults NGOs" not in to_english.body + to_french.body
    assert "Insults NGOs" in told(post.author)[0].body  # the reason is the author's


def test_a_post_hidden_by_flags_and_restored_tells_its_flaggers_once(
    moderator, committed, settings
):
    settings.FORUM_FLAGS_TO_HIDE = 2
    post = PostFactory(thread=ThreadFactory(forum=ForumFactory()))
    flaggers = [UserFactory(), UserFactory()]
    for user in flaggers:
        flag(post, user)
    post.refresh_from_db()
    assert post.status == PostStatus.HIDDEN

    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision=Action.RESTORE)
        moderation.post_decide(
            moderator=moderator, post=post, decision=Action.HIDE, reason="On second thoughts"
        )

    for user in flaggers:
        (message,) = told(user)  # the flags were resolved by the first decision
        assert message.subject == "[ASM-PACE] The post you flagged was reviewed"
        assert "showed it again" in message.body


def test_a_flagger_who_may_no_longer_see_the_forum_is_not_told(moderator, committed):
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO])
    post = PostFactory(thread=ThreadFactory(forum=forum))
    leaving = UserFactory(stakeholder_group=StakeholderGroup.NGO)
    staying = UserFactory(stakeholder_group=StakeholderGroup.NGO)
    flag(post, leaving)
    flag(post, staying)
    leaving.stakeholder_group = StakeholderGroup.COMPANY
    leaving.save()

    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision=Action.HIDE, reason="x")

    assert told(leaving) == []
    assert len(told(staying)) == 1
