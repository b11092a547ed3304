import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:set_language")


def test_the_switcher_remembers_the_choice_in_a_cookie(client):
    response = client.post(SWITCH, {"language": "fr", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_the_switcher_refuses_an_unknown_language(client):
    response = client.post(SWITCH, {"language": "xx", "next": "/"})

    assert "django_language" not in response.cookies


def test_the_switcher_remembers_the_choice_on_the_account(client):
    person = UserFactory(preferred_language="en")
    client.force_login(person)

    client.post(SWITCH, {"language": "fr", "next": "/"})

    person.refresh_from_db()
    assert person.preferred_language == "fr"


def test_signing_in_brings_back_the_preferred_language(client):
    UserFactory(email="francophone@example.org", preferred_language="fr")

    response = client.post(
        reverse("account_login"), {"login": "francophone@example.org", "password": PASSWORD}
    )

    assert response.cookies["django_language"].value == "fr"
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_the_switcher_works_without_javascript(client):
    page = client.get("/").content.decode()

    assert f'action="{SWITCH}"' in page
    assert 'name="language" value="fr"' in page
    assert 'name="language" value="en"' in page
