"""The admin, tidied: one section per app under a clear name, the libraries' internal models for
superusers only, action pages headed with what is about to be done to how many, and a
verification that asks before it runs."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import VerificationRequest
from forums.models import PostStatus
from tests.factories import PostFactory, StaffFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
INTERNAL = ("account", "mfa", "sites")


def sections(client):
    return {app["app_label"]: str(app["name"]) for app in client.get(INDEX).context["app_list"]}


def test_a_superuser_sees_each_section_once_under_a_clear_name(client):
    client.force_login(StaffFactory(is_superuser=True))

    names = sections(client)

    assert len(set(names.values())) == len(names)
    assert names["accounts"] == "Accounts"
    assert names["account"] == "Sign-in: email addresses"
    assert names["mfa"] == "Sign-in: two-factor authentication"
    assert names["sites"] == "Web address of the portal"
    assert names["casesites"] == "Case-study sites"


@pytest.mark.parametrize("role", ["Moderators", "Editors"])
def test_internal_models_are_hidden_from_staff_even_with_permissions(client, role):
    # Even a group given every permission on them by hand sees neither section nor page.
    Group.objects.get(name=role).permissions.add(
        *Permission.objects.filter(content_type__app_label__in=INTERNAL)
    )
    staff = StaffFactory(groups=[role])
    client.force_login(staff)

    assert not set(sections(client)) & set(INTERNAL)
    address = EmailAddress.objects.get(user=staff)
    for url in (
        reverse("admin:account_emailaddress_changelist"),
        reverse("admin:account_emailaddress_change", args=[address.pk]),
        reverse("admin:mfa_authenticator_changelist"),
        reverse("admin:sites_site_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert staff.email not in response.text


def test_a_moderator_sees_the_dialogue_and_accounts_sections(client):
    client.force_login(StaffFactory(groups=["Moderators"]))

    assert {"forums", "accounts", "audit"} <= set(sections(client))


@pytest.mark.parametrize(
    ("action", "count", "heading"),
    [
        ("approve", 1, "Approve 1 post"),
        ("approve", 2, "Approve 2 posts"),
        ("reject", 1, "Reject 1 post"),
        ("reject", 3, "Reject 3 posts"),
    ],
)
def test_a_decision_page_is_headed_with_what_it_does_to_how_many(client, action, count, heading):
    posts = PostFactory.create_batch(count, status=PostStatus.PENDING)
    client.force_login(StaffFactory(groups=["Moderators"]))

    page = client.post(
        reverse("admin:forums_post_changelist"),
        {"action": action, "_selected_action": [post.pk for post in posts]},
    ).text

    assert f"<h1>{heading}</h1>" in page
    assert "Approved a post" not in page
    # The way back sits in the row of the button, styled as a button.
    assert 'class="button cancel-link"' in page


@pytest.mark.parametrize(("count", "heading"), [(1, "Move 1 thread"), (2, "Move 2 threads")])
def test_a_threads_action_page_is_headed_in_the_singular_or_plural(client, count, heading):
    threads = ThreadFactory.create_batch(count)
    client.force_login(StaffFactory(groups=["Moderators"]))

    page = client.post(
        reverse("admin:forums_thread_changelist"),
        {"action": "move", "_selected_action": [thread.pk for thread in threads]},
    ).text

    assert f"<h1>{heading}</h1>" in page
    assert 'class="button cancel-link"' in page


def test_verifying_an_affiliation_asks_first_then_verifies(client):
    people = UserFactory.create_batch(2)
    requests = [
        VerificationRequest.objects.create(user=person, statement="Registry 42")
        for person in people
    ]
    client.force_login(StaffFactory(groups=["Moderators"]))
    changelist = reverse("admin:accounts_verificationrequest_changelist")
    selected = {"action": "verify", "_selected_action": [request.pk for request in requests]}

    # Reading the list changes nothing; choosing the action asks.
    assert client.get(changelist).status_code == 200
    page = client.post(changelist, selected)
    assert page.status_code == 200
    assert "<h1>Verify 2 affiliations</h1>" in page.text
    assert 'name="confirm"' in page.text
    for person in people:
        person.refresh_from_db()
        assert not person.is_verified
    assert set(VerificationRequest.objects.values_list("status", flat=True)) == {"open"}

    response = client.post(changelist, {**selected, "confirm": "yes"})

    assert response.status_code == 302
    for person in people:
        person.refresh_from_db()
        assert person.is_verified
    assert set(VerificationRequest.objects.values_list("status", flat=True)) == {"approved"}


def test_an_editor_cannot_verify_even_when_confirming(client):
    person = UserFactory()
    request = VerificationRequest.objects.create(user=person, statement="Registry 42")
    client.force_login(StaffFactory(groups=["Editors"]))

    response = client.post(
        reverse("admin:accounts_verificationrequest_changelist"),
        {"action": "verify", "_selected_action": [request.pk], "confirm": "yes"},
    )

    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.is_verified
