import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import StakeholderGroup, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def profile_url(user):
    return reverse("accounts:profile", kwargs={"pk": user.pk})


def test_public_profile_shows_who_someone_speaks_for_and_never_their_email(client):
    person = UserFactory(
        name="Mariama Kamara",
        email="mariama@example.org",
        stakeholder_group=StakeholderGroup.GOVERNMENT,
        organisation="National Protected Area Authority",
        country="SL",
    )
    other = UserFactory()
    for viewer in (None, other, person):
        if viewer:
            client.force_login(viewer)
        page = client.get(profile_url(person)).content.decode()
        assert "Mariama Kamara" in page
        assert "Government or public authority" in page
        assert "National Protected Area Authority" in page
        assert "Sierra Leone" in page
        assert "mariama@example.org" not in page
        assert "mariama@" not in page


def test_verified_affiliation_carries_a_badge(client):
    from django.utils import timezone

    verified = UserFactory(affiliation_verified_at=timezone.now())
    unverified = UserFactory()

    assert "verified-badge" in client.get(profile_url(verified)).content.decode()
    assert "verified-badge" not in client.get(profile_url(unverified)).content.decode()


@pytest.mark.parametrize("kind", ["unconfirmed", "deleted", "inactive"])
def test_profiles_that_are_not_public_are_not_found(client, kind):
    person = {
        "unconfirmed": lambda: UserFactory(confirmed=False),
        "deleted": lambda: UserFactory(deleted_at="2026-01-01T00:00Z"),
        "inactive": lambda: UserFactory(is_active=False),
    }[kind]()

    assert client.get(profile_url(person)).status_code == 404


def test_profile_page_queries_do_not_grow_with_the_number_of_people(
    client, django_assert_max_num_queries
):
    people = UserFactory.create_batch(30)
    with django_assert_max_num_queries(2):
        client.get(profile_url(people[0]))
    with django_assert_max_num_queries(2):
        client.get(profile_url(people[-1]))


def test_owner_edits_their_profile_and_the_language_follows(client):
    person = UserFactory(preferred_language="en")
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile_edit"),
        {
            "name": "New Name",
            "stakeholder_group": StakeholderGroup.NGO,
            "organisation": "Réseau Ressources Naturelles",
            "country": "CD",
            "preferred_language": "fr",
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.stakeholder_group) == ("New Name", StakeholderGroup.NGO)
    assert response.cookies["django_language"].value == "fr"


def test_bad_profile_input_is_explained_and_saves_nothing(client):
    person = UserFactory(name="Unchanged", country="CD")
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile_edit"),
        {"name": "Changed", "stakeholder_group": "", "country": "ZZ", "preferred_language": "en"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "stakeholder_group" in errors
    assert "country" in errors
    person.refresh_from_db()
    assert person.name == "Unchanged"


def test_visitors_cannot_reach_account_pages(client):
    for name in ("accounts:profile_edit", "accounts:export", "accounts:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_person_can_only_ever_edit_their_own_profile(client):
    owner, intruder = UserFactory(name="Owner"), UserFactory(name="Intruder")
    client.force_login(intruder)

    client.post(
        reverse("accounts:profile_edit"),
        {
            "name": "Hacked",
            "stakeholder_group": StakeholderGroup.OTHER,
            "country": "FR",
            "preferred_language": "en",
            "pk": owner.pk,
            "id": owner.pk,
        },
    )

    owner.refresh_from_db()
    assert owner.name == "Owner"
    assert User.objects.get(pk=intruder.pk).name == "Hacked"


def test_data_export_holds_the_owners_data_and_nobody_elses(client):
    owner = UserFactory(name="Owner Person", email="owner@example.org", organisation="Co-op A")
    other = UserFactory(name="Other Person", email="other@example.org", organisation="Co-op B")
    client.force_login(owner)

    response = client.get(reverse("accounts:export"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["accounts"]["profile"]["name"] == "Owner Person"
    assert data["accounts"]["profile"]["organisation"] == "Co-op A"
    assert data["accounts"]["email_addresses"] == [
        {"email": "owner@example.org", "verified": True, "primary": True}
    ]
    text = response.content.decode()
    for leaked in (other.name, other.email, other.organisation):
        assert leaked not in text


def test_deleting_an_account_needs_the_password_and_keeps_everything_when_wrong(client):
    person = UserFactory(name="Still Here")
    client.force_login(person)

    response = client.post(
        reverse("accounts:delete"), {"password": "not my password", "confirm": "on"}
    )

    assert response.status_code == 200
    assert "This is not your current password." in response.content.decode()
    person.refresh_from_db()
    assert person.name == "Still Here"
    assert person.is_active


def test_deleting_an_account_removes_personal_data_and_ends_the_session(client):
    person = UserFactory(
        name="Leaving Person", email="leaving@example.org", organisation="Co-op", country="CD"
    )
    client.force_login(person)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email is None
    assert (person.name, person.organisation, str(person.country)) == ("", "", "")
    assert person.stakeholder_group == ""
    assert not person.is_active
    assert not person.has_usable_password()
    assert person.display_name == "Deleted user"
    assert not EmailAddress.objects.filter(user=person).exists()
    assert "_auth_user_id" not in client.session
    assert client.get(profile_url(person)).status_code == 404
    login = client.post(
        reverse("account_login"), {"login": "leaving@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert login.status_code == 200
