"""A thread with one reply and a moderator: what the cached-page tests change and read. A test
module that defines a fixture of the same name uses its own."""

import pytest

from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory


@pytest.fixture
def moderator():
    return UserFactory(groups=["Moderators"], is_staff=True, name="Mod Erator")


@pytest.fixture
def thread():
    return ThreadFactory(forum=ForumFactory(slug="itombwe"), title="Gold buyers in Itombwe")


@pytest.fixture
def reply(thread):
    return PostFactory(thread=thread, body="The buyers come on Mondays.", author__name="Amani")
