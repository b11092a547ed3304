"""Moderators set up forums in the admin; a restricted forum must say whom it admits."""

import pytest
from django.urls import reverse

from forums.models import Forum
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:forums_forum_add")


def form_data(**fields):
    return {
        "name": "Women in mining",
        "name_fr": "Les femmes dans la mine",
        "slug": "women-in-mining",
        "order": "0",
        "description": "",
        "description_fr": "",
        "visibility": "public",
        **fields,
    }


@pytest.fixture
def moderator(client):
    user = UserFactory(groups=["Moderators"], is_staff=True)
    client.force_login(user)
    return user


def test_a_moderator_creates_a_restricted_forum_for_chosen_groups(client, moderator):
    site = SiteFactory()
    response = client.post(
        ADD,
        form_data(
            visibility="restricted",
            allowed_groups=["miner", "community"],
            site=str(site.pk),
            moderators=[str(moderator.pk)],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].errors
    forum = Forum.objects.get()
    assert forum.allowed_groups == ["miner", "community"]
    assert forum.site == site
    assert list(forum.moderators.all()) == [moderator]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"visibility": "restricted"}, "needs at least one admitted group or named member"),
        ({"allowed_groups": ["pirates"]}, "Select a valid choice."),
        ({"slug": "search"}, "This word is used by the forums"),
    ],
)
def test_bad_forums_are_refused_and_nothing_saved(client, moderator, fields, message):
    response = client.post(ADD, form_data(**fields))

    assert response.status_code == 200
    assert message in response.text
    assert not Forum.objects.exists()


def test_editors_cannot_set_up_forums(client):
    client.force_login(UserFactory(groups=["Editors"], is_staff=True))

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form_data()).status_code == 403
    assert not Forum.objects.exists()
