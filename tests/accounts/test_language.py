import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:set_language")


def test_the_switcher_remembers_the_choice_in_a_cookie(client):
    response = client.post(SWITCH, {"language": "fr", "next": "/en/"})

    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert response.cookies["django_language"].value == "fr"
    # An address without a language now leads to French.
    assert '<html lang="fr">' in client.get("/", follow=True).content.decode()


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
    assert '<html lang="fr">' in client.get("/", follow=True).content.decode()


def test_the_switcher_works_without_javascript(client):
    page = client.get("/en/").content.decode()

    assert f'action="{SWITCH}"' in page
    assert 'name="language" value="fr"' in page
    assert 'name="language" value="en"' in page


def test_the_switcher_works_from_a_visitors_cached_page_without_a_token():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/en/").content.decode()
    response = browser.post(
        SWITCH, {"language": "fr", "next": "/en/"}, HTTP_SEC_FETCH_SITE="same-origin"
    )

    assert "csrfmiddlewaretoken" not in page
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://elsewhere.example"},
    ],
)
def test_another_site_cannot_switch_anyones_language(client, headers):
    person = UserFactory(preferred_language="en")
    client.force_login(person)

    response = client.post(SWITCH, {"language": "fr", "next": "/"}, **headers)

    assert response.status_code == 403
    assert "django_language" not in response.cookies
    person.refresh_from_db()
    assert person.preferred_language == "en"
