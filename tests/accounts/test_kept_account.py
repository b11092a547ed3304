"""A signed-in person's account is read from the cache on each request (accounts.backends), and
never outlives a change: a new password, a deactivation, a deletion or a new group shows at
once, and the password hash never goes to the cache."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import ACCOUNT
from accounts.models import User
from core import memberpages, pagecache
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory()
    assert client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(user.pk)
    return user


def signed_in(client):
    return "Sign out" in client.get("/en/forums/").content.decode()


def account_reads(client, path="/en/forums/"):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in captured if 'FROM "accounts_user"' in q["sql"]]


def test_the_account_is_read_once_then_kept_without_its_password(client, reader):
    client.get("/en/forums/")

    assert account_reads(client) == []
    kept = memberpages.facts_kept(reader.pk, lambda: pytest.fail("not kept"))[ACCOUNT]
    assert kept["fields"]["email"] == reader.email
    assert "password" not in kept["fields"]
    assert reader.password not in repr(kept)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: user.set_password("another long phrase 77"), id="password"),
        pytest.param(lambda user: setattr(user, "is_active", False), id="deactivated"),
    ],
)
def test_a_change_elsewhere_signs_the_person_out_at_once(client, reader, change):
    assert signed_in(client)
    user = User.objects.get(pk=reader.pk)

    change(user)
    user.save()

    assert not signed_in(client)


def test_a_deleted_person_is_signed_out_at_once(client, reader):
    assert signed_in(client)

    User.objects.get(pk=reader.pk).delete()

    assert not signed_in(client)


def test_changing_ones_password_checks_the_old_one_and_keeps_one_signed_in(client, reader):
    assert signed_in(client)
    url = reverse("account_change_password")
    new = "a new long pass phrase 93"

    wrong = client.post(url, {"oldpassword": "not it", "password1": new, "password2": new})
    assert wrong.status_code == 200
    assert "Please type your current password." in wrong.content.decode()

    right = client.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert right.status_code == 302
    assert signed_in(client), "the changer stays signed in"
    assert User.objects.get(pk=reader.pk).check_password(new)


def test_a_new_group_gives_its_powers_at_once(client, reader):
    queue = reverse("admin:forums_post_changelist")
    User.objects.filter(pk=reader.pk).update(is_staff=True)  # bypasses signals: then bump
    pagecache.bump(memberpages.person_tag(reader.pk))
    assert client.get(queue).status_code == 403

    User.objects.get(pk=reader.pk).groups.add(Group.objects.get(name="Moderators"))

    assert client.get(queue).status_code == 200
