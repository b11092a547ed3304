"""The moderation log: any app writes to it through log(), nobody changes or deletes an entry,
and an entry outlives the people and things it names."""

import pytest

from audit.models import Action, ModerationLogEntry
from audit.services import log
from tests.factories import ForumFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_entry_copies_who_did_what_to_what_where_and_for_whom():
    moderator = UserFactory(name="Awa")
    person = UserFactory(name="Bienvenu")
    forum = ForumFactory()

    entry = log(
        actor=moderator,
        action=Action.SUSPEND,
        target=person,
        reason="Threats",
        after={"until": None},
        forum=forum,
        user=person,
    )

    entry.refresh_from_db()
    assert (entry.actor, entry.actor_name, entry.action) == (moderator, "Awa", "suspend")
    assert (entry.target_type, entry.target_id, entry.target_repr) == (
        "user",
        person.pk,
        "Bienvenu",
    )
    assert (entry.forum_id, entry.subject_user_id) == (forum.pk, person.pk)
    assert (entry.reason, entry.before, entry.after) == ("Threats", {}, {"until": None})


def test_readers_flags_act_without_an_actor():
    entry = log(actor=None, action=Action.AUTO_HIDE, target=UserFactory())

    assert entry.actor is None
    assert entry.actor_name == "Readers' flags"


def test_nobody_changes_or_deletes_an_entry_and_it_outlives_its_actor():
    moderator = UserFactory(name="Awa")
    entry = log(actor=moderator, action=Action.VERIFY, target=UserFactory(), reason="Checked")

    entry.reason = "Nothing happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.update(reason="")
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().delete()
    moderator.delete()

    kept = ModerationLogEntry.objects.get()
    assert (kept.actor, kept.actor_name, kept.reason) == (None, "Awa", "Checked")


def test_the_latest_entry_about_each_target_in_one_query(django_assert_num_queries):
    moderator, first, second = UserFactory(), UserFactory(), UserFactory()
    log(actor=moderator, action=Action.SUSPEND, target=first, reason="Older")
    latest = log(actor=moderator, action=Action.LIFT, target=first, reason="Newer")
    other = log(actor=moderator, action=Action.VERIFY, target=second)

    with django_assert_num_queries(1):
        found = ModerationLogEntry.objects.latest_about("user", [first.pk, second.pk, 999])

    assert found == {first.pk: latest, second.pk: other}
