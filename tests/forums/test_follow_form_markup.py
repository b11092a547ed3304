"""The follow form is shown as a form on every thread and forum page: on a page shared by an
audience (its hole filled after the page is made) and on a page made for one reader alone (a
moderator's, an author's with a post waiting), where the hole is filled while the page is made."""

import pytest
from django.test import Client

from forums.models import PostStatus
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_of(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    "make",
    [
        lambda thread: UserFactory(),
        lambda thread: UserFactory(groups=["Moderators"], is_staff=True),
        lambda thread: PostFactory(thread=thread, status=PostStatus.PENDING).author,
    ],
    ids=["shared page", "moderator", "author of a post waiting"],
)
@pytest.mark.parametrize("where", ["thread", "forum"])
def test_the_follow_form_is_markup_not_text(thread, make, where):
    reader = make(thread)
    url = (thread if where == "thread" else thread.forum).get_absolute_url()

    page = page_of(reader, url)

    assert page.status_code == 200
    assert '<form method="post" action="/en/forums/subscriptions/"' in page.text
    assert "&lt;form" not in page.text
    assert "csrf-token-of-this-reader" not in page.text
