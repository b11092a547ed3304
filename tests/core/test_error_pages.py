"""The portal's own error pages (core.errors): 400, 403, 404 and 500 in its design and the
reader's language, with the right status, a way back, never cached, no traceback; a suspended
reader's 403 says why and until when; the 500 page reads nothing from the database."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core import errors
from core.pagecache import HIT_HEADER
from forums.models import Suspension
from portal.views import HomeView
from tests.factories import PASSWORD, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr"]


@pytest.fixture(autouse=True)
def production(settings):
    """As in production: Django's debug pages are off."""
    settings.DEBUG = False


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z-]+)"', response.text).group(1)


def assert_an_error_page(response, status, language):
    assert response.status_code == status
    assert html_lang(response) == language
    assert response["Content-Language"] == language
    assert "no-store" in response["Cache-Control"]
    assert f'href="/{language}/"' in response.text  # home, in the reader's language
    assert 'class="site-footer' in response.text  # the portal's design: base.html
    assert "Traceback" not in response.text


# 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_page_is_a_404_in_the_addresss_language(client, language):
    response = client.get(f"/{language}/publications/gold-study-2019/")

    assert_an_error_page(response, 404, language)
    assert '<meta name="robots" content="noindex">' in response.text
    # A search for the words of the address, in the same language.
    assert f'action="/{language}/search/"' in response.text
    assert 'value="gold study 2019"' in response.text


def test_the_address_says_the_language_whatever_the_browser_asks(client):
    assert "Page not found" in client.get("/en/nowhere/").text
    assert html_lang(client.get("/fr/nowhere/", HTTP_ACCEPT_LANGUAGE="en")) == "fr"
    assert html_lang(client.get("/en/nowhere/", HTTP_ACCEPT_LANGUAGE="fr")) == "en"


@pytest.mark.parametrize(("accepted", "language"), [("fr-FR,fr;q=0.9", "fr"), ("", "en")])
def test_an_unknown_address_without_a_language_gets_the_readers(client, accepted, language):
    response = client.get("/no-such-thing/", HTTP_ACCEPT_LANGUAGE=accepted)

    assert_an_error_page(response, 404, language)


def test_the_404_page_is_never_kept_by_the_page_cache(client):
    client.get("/en/nowhere/")
    again = client.get("/en/nowhere/")

    assert again.status_code == 404
    assert HIT_HEADER not in again


def test_the_way_back_is_the_page_before_when_it_is_ours(client):
    ours = client.get("/en/nowhere/", HTTP_REFERER="http://testserver/en/forums/?page=2")
    theirs = client.get("/en/nowhere/", HTTP_REFERER="https://elsewhere.example/en/forums/")
    itself = client.get("/en/nowhere/", HTTP_REFERER="http://testserver/en/nowhere/")

    assert 'href="/en/forums/?page=2"' in ours.text
    assert "elsewhere.example" not in theirs.text
    assert "Back to the page you came from" not in theirs.text
    assert "Back to the page you came from" not in itself.text


def test_a_script_in_the_address_is_not_run(client):
    response = client.get("/en/%3Cscript%3Ealert(1)%3C/script%3E/")

    assert response.status_code == 404
    assert "<script>alert" not in response.text


# 400


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_request_is_a_400_page_in_the_addresss_language(client, language):
    response = client.get(f"/{language}/forums/?page=%00")

    assert_an_error_page(response, 400, language)
    assert "A NUL byte" not in response.text  # the exception's words are not shown


def test_a_bad_request_without_a_language_gets_the_readers(client):
    response = client.get("/?%00=1", HTTP_ACCEPT_LANGUAGE="fr")

    assert_an_error_page(response, 400, "fr")


# 403


@pytest.fixture
def suspended(client):
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)
    return user


def suspend(user, *, until):
    return Suspension.objects.create(user=user, reason="Insults in three threads.", until=until)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_suspended_reader_is_told_why_and_until_when(client, suspended, language):
    thread = ThreadFactory()
    until = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    suspend(suspended, until=until)

    response = client.get(f"/{language}/forums/{thread.forum.slug}/{thread.pk}/reply/")

    assert_an_error_page(response, 403, language)
    assert "Insults in three threads." in response.text
    shown = re.search(r'<time datetime="([^"]+)"', response.text).group(1)
    assert datetime.datetime.fromisoformat(shown) == until
    assert "Until a moderator lifts it" not in response.text


def test_a_suspension_without_an_end_says_a_moderator_lifts_it(client, suspended):
    thread = ThreadFactory()
    suspend(suspended, until=None)

    response = client.get(f"/en/forums/{thread.forum.slug}/{thread.pk}/reply/")

    assert response.status_code == 403
    assert "Insults in three threads." in response.text
    assert "Until a moderator lifts it" in response.text


def test_a_lifted_or_ended_suspension_is_not_shown(client, suspended):
    thread = ThreadFactory(is_locked=True)
    ended = suspend(suspended, until=timezone.now() + datetime.timedelta(days=1))
    Suspension.objects.filter(pk=ended.pk).update(until=timezone.now() - datetime.timedelta(1))

    response = client.get(f"/en/forums/{thread.forum.slug}/{thread.pk}/reply/")

    assert response.status_code == 403  # a locked thread, for everyone but its facilitators
    assert "Insults in three threads." not in response.text
    assert "Your account does not allow you" in response.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_of_someone_not_suspended_is_a_403_page(client, language):
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)
    thread = ThreadFactory(is_locked=True)

    response = client.get(f"/{language}/forums/{thread.forum.slug}/{thread.pk}/reply/")

    assert_an_error_page(response, 403, language)
    assert "alert-warning" not in response.text  # no suspension notice


def test_the_apps_above_are_still_asked_about_a_refusal(client, suspended):
    asked = []

    def record(request):
        asked.append(request.path)

    errors.refused.answer(record)
    try:
        thread = ThreadFactory()
        suspend(suspended, until=None)
        response = client.get(f"/en/forums/{thread.forum.slug}/{thread.pk}/reply/")
    finally:
        errors.refused._answers.remove(record)

    assert response.status_code == 403
    assert asked == [f"/en/forums/{thread.forum.slug}/{thread.pk}/reply/"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_sent_without_its_token_is_a_403_page_saying_to_reload_it(language):
    client = Client(enforce_csrf_checks=True)
    user = UserFactory()

    response = client.post(
        f"/{language}/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        HTTP_REFERER=f"http://testserver/{language}/accounts/login/",
    )

    assert_an_error_page(response, 403, language)
    assert f'href="/{language}/accounts/login/"' in response.text  # back to the form
    assert "CSRF" not in response.text  # Django's words for developers are not shown
    assert "_auth_user_id" not in client.session  # nobody was signed in


# 500


@pytest.fixture
def failing_home(monkeypatch, page_cache_off):
    def get_context_data(self, **kwargs):
        raise KeyError("secret-bug-words")

    monkeypatch.setattr(HomeView, "get_context_data", get_context_data)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_view_that_raises_is_a_500_page(failing_home, language):
    response = Client(raise_request_exception=False).get(f"/{language}/")

    assert_an_error_page(response, 500, language)
    assert "secret-bug-words" not in response.text
    assert "Retry-After" not in response
    # Try again: the same address.
    assert f'class="btn btn-outline-primary" href="/{language}/"' in response.text


def test_the_500_page_of_a_signed_in_reader_has_no_account_links(failing_home):
    client = Client(raise_request_exception=False)
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)

    response = client.get("/en/")

    assert response.status_code == 500
    assert "/accounts/logout/" not in response.text


def test_the_500_page_reads_nothing_from_the_database(django_assert_num_queries):
    """Made with the minimal context Django gives a handler500: a reader whose account would
    need the database to be read is not read."""

    def unreadable():
        raise AssertionError("the reader's account was read")

    request = RequestFactory().get("/fr/forums/", HTTP_REFERER="http://testserver/fr/")
    request.user = SimpleLazyObject(unreadable)
    try:
        raise KeyError("a bug")
    except KeyError:
        with django_assert_num_queries(0):
            response = errors.server_error(request)

    assert response.status_code == 500
    assert html_lang(response) == "fr"
    assert 'href="/fr/"' in response.text
    assert isinstance(request.user, SimpleLazyObject)  # given back, unread


def test_a_page_that_cannot_be_made_still_answers_with_its_status(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a broken template")

    monkeypatch.setattr(errors, "render_to_string", broken)
    request = RequestFactory().get("/fr/nowhere/")
    request.user = AnonymousUser()

    response = errors.page_not_found(request, None)

    assert response.status_code == 404
    assert '<html lang="fr">' in response.text
    assert "a broken template" not in response.text


def test_each_handler_is_the_portals():
    from asmpace import urls

    assert urls.handler400 == "core.errors.bad_request"
    assert urls.handler403 == "core.errors.permission_denied"
    assert urls.handler404 == "core.errors.page_not_found"
    assert urls.handler500 == "core.errors.server_error"
