"""The visitors' page cache (core/pagecache.py): what it serves, to whom, what it never keeps."""

import gzip

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import translation

from core.pagecache import HIT_HEADER
from tests.factories import PageFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    return ThreadFactory(title="Mercury in the Itombwe rivers")


def hit(response):
    return response.headers.get(HIT_HEADER) == "hit"


def test_a_second_visitor_gets_the_first_visitors_bytes(client, thread):
    first = client.get(thread.get_absolute_url())
    second = Client().get(thread.get_absolute_url())

    assert not hit(first)
    assert hit(second)
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Mercury in the Itombwe rivers" in second.content.decode()


def test_the_cached_page_says_what_it_varies_on(client, thread):
    client.get(thread.get_absolute_url())
    response = client.get(thread.get_absolute_url())

    assert hit(response)
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Encoding", "Cookie"} <= vary
    # The address says the language (/en/…): Accept-Language changes nothing.
    assert "Accept-Language" not in vary
    assert response["Content-Language"] == "en"


def test_french_and_english_are_cached_apart(thread):
    """Each language has its own address (/en/…, /fr/…), which alone decides the page's."""
    url = thread.get_absolute_url()
    with translation.override("fr"):
        french_url = thread.get_absolute_url()
    english = Client().get(url)
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get(french_url)
    french_again = Client(HTTP_ACCEPT_LANGUAGE="en").get(french_url)
    by_cookie = Client()
    by_cookie.cookies["django_language"] = "fr"

    assert french_url != url
    assert '<html lang="en">' in english.content.decode()
    assert not hit(french)
    assert '<html lang="fr">' in french.content.decode()
    assert hit(french_again)
    assert '<html lang="fr">' in french_again.content.decode()
    assert '<html lang="fr">' in by_cookie.get(french_url).content.decode()
    assert '<html lang="en">' in by_cookie.get(url).content.decode()
    assert '<html lang="en">' in Client(HTTP_ACCEPT_LANGUAGE="fr").get(url).content.decode()


def test_gzip_and_plain_answers_are_cached_apart(thread):
    url = thread.get_absolute_url()
    Client().get(url)
    Client(HTTP_ACCEPT_ENCODING="gzip").get(url)

    plain = Client().get(url)
    zipped = Client(HTTP_ACCEPT_ENCODING="gzip, deflate").get(url)

    assert hit(plain)
    assert hit(zipped)
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content


def test_a_signed_in_reader_never_gets_nor_leaves_a_cached_page(client, thread):
    url = thread.get_absolute_url()
    Client().get(url)
    client.force_login(UserFactory(name="Signed In Reader"))

    signed_in = client.get(url)
    visitor = Client().get(url)

    assert not hit(signed_in)
    assert "Sign out" in signed_in.content.decode()
    assert 'name="csrfmiddlewaretoken"' in signed_in.content.decode()
    assert hit(visitor)
    page = visitor.content.decode()
    assert "Sign out" not in page
    assert "Signed In Reader" not in page
    assert "csrfmiddlewaretoken" not in page


def test_no_cached_page_holds_a_csrf_token_or_sets_a_cookie(client, thread):
    client.get(thread.get_absolute_url())
    response = client.get(thread.get_absolute_url())

    assert hit(response)
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


def test_a_page_that_sets_a_cookie_is_not_stored(client):
    """The sign-in page's form holds a CSRF token, which sets the CSRF cookie."""
    client.get("/en/accounts/login/")
    response = Client().get("/en/accounts/login/")

    assert not hit(response)
    assert "csrftoken" in response.cookies


def test_a_page_with_a_nonce_is_never_stored(client, thread, monkeypatch):
    from forums.views import dialogue

    original = dialogue.ThreadDetailView.get_context_data

    def with_nonce(view, **kwargs):
        str(view.request.csp_nonce)  # as a template with an inline script would
        return original(view, **kwargs)

    monkeypatch.setattr(dialogue.ThreadDetailView, "get_context_data", with_nonce)
    first = client.get(thread.get_absolute_url())
    second = client.get(thread.get_absolute_url())

    assert "nonce-" in first["Content-Security-Policy"]
    assert not hit(second)
    assert second["Content-Security-Policy"] != first["Content-Security-Policy"]


def test_a_visitor_with_a_session_or_a_message_is_not_served_from_the_cache(thread):
    url = thread.get_absolute_url()
    Client().get(url)
    with_session, with_messages = Client(), Client()
    with_session.cookies["sessionid"] = "whatever"
    with_messages.cookies["messages"] = "whatever"

    assert hit(Client().get(url))
    assert not hit(with_session.get(url))
    assert not hit(with_messages.get(url))


def test_not_found_and_search_pages_are_not_stored(client, thread):
    searches = ("/forums/search/?q=mercury", "/search/?q=mercury", "/publications/?q=mercury")
    for url in (f"/en{path}" for path in ("/forums/no-such-forum/", *searches)):
        client.get(url)
        assert not hit(client.get(url)), url


def test_each_host_has_its_own_pages(client, thread, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    Client(HTTP_HOST="one.example").get(thread.get_absolute_url())

    assert not hit(Client(HTTP_HOST="two.example").get(thread.get_absolute_url()))
    assert hit(Client(HTTP_HOST="one.example").get(thread.get_absolute_url()))


def test_an_edited_page_is_shown_at_once(client, programme_content):
    page = PageFactory(slug="mercury-notes", title="Mercury notes", body="First words.")
    client.get(page.get_absolute_url())

    page.body = "Second words."
    page.save()
    response = client.get(page.get_absolute_url())

    assert not hit(response)
    assert "Second words." in response.content.decode()


def test_pages_are_made_as_usual_when_the_cache_fails(client, thread, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "get_many", "set", "set_many", "add"):
        monkeypatch.setattr(type(caches["default"]), name, broken)

    first = client.get(thread.get_absolute_url())
    second = client.get(thread.get_absolute_url())

    assert first.status_code == second.status_code == 200
    assert not hit(second)
    assert "Mercury in the Itombwe rivers" in second.content.decode()


def test_a_change_made_while_the_cache_was_down_is_not_missed(client, thread, monkeypatch):
    from forums.models import Post

    url = thread.get_absolute_url()
    client.get(url)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    with monkeypatch.context() as outage:
        outage.setattr(type(caches["default"]), "set_many", broken)
        Post.objects.filter(thread=thread).update(body="Edited while the cache was down.")
        thread.posts.first().save()  # the signal's bump fails, and is kept for the next request

    response = client.get(url)

    assert not hit(response)
    assert "Edited while the cache was down." in response.content.decode()


def wsgi_get(path, **headers):
    """The deployed WSGI application (asmpace.wsgi), called as gunicorn calls it."""
    from django.test.client import RequestFactory

    from asmpace.wsgi import application

    environ = RequestFactory().get(path, **headers).environ
    answered = {}

    def start_response(status, response_headers, exc_info=None):
        names = [name.lower() for name, _value in response_headers]
        assert len(names) == len(set(names)), response_headers
        answered.update(status=status, headers=dict(response_headers))

    # As Django's test client does: closing "old" connections at a request's start and end
    # would close the test's own, inside its transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    return answered["status"], answered["headers"], body


def test_the_wsgi_application_answers_a_cached_page_before_django(thread, monkeypatch):
    from django.core.handlers.base import BaseHandler

    first = wsgi_get(thread.get_absolute_url())
    handled = []
    original = BaseHandler.get_response
    monkeypatch.setattr(
        BaseHandler, "get_response", lambda *args: handled.append(1) or original(*args)
    )
    second = wsgi_get(thread.get_absolute_url())

    assert first[0] == second[0] == "200 OK"
    assert HIT_HEADER not in first[1]
    assert second[1][HIT_HEADER] == "hit"
    assert second[2] == first[2]
    assert int(second[1]["Content-Length"]) == len(second[2])
    assert handled == []  # Django's handler never ran
    # Every header the page was made with, the security headers included.
    assert {name: value for name, value in second[1].items() if name != HIT_HEADER} == first[1]
    assert second[1]["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in second[1]["Permissions-Policy"]


def test_the_wsgi_application_passes_on_what_it_must_not_answer(thread, monkeypatch):
    from asmpace.wsgi import application

    wsgi_get(thread.get_absolute_url())
    keyed = []
    key = application.reader.key
    monkeypatch.setattr(application.reader, "key", lambda r: keyed.append(r.path) or key(r))

    with_session = wsgi_get(thread.get_absolute_url(), HTTP_COOKIE="sessionid=whatever")
    wsgi_get("/static/css/portal.css")
    wsgi_get("/healthz")

    assert HIT_HEADER not in with_session[1]
    assert keyed == [thread.get_absolute_url()]  # not for static files, nor the health check


def test_html_made_from_rows_read_before_a_change_is_never_served_after_it(thread):
    from core import pagecache
    from forums.models import Post

    def shared(post, **kwargs):
        return pagecache.fragments(
            [post],
            template="forums/includes/post_content.html",
            tags=(f"thread:{thread.pk}",),
            context=lambda item: {"post": item},
            **kwargs,
        )[post.pk]

    versions = pagecache.current_versions((f"thread:{thread.pk}",))
    read_before = Post.objects.get(thread=thread)
    changed = Post.objects.get(pk=read_before.pk)
    changed.body = "Written while the page was being made."
    changed.save()
    shared(read_before, versions=versions)  # kept under the versions taken before the change

    assert "Written while the page was being made." in shared(Post.objects.get(pk=changed.pk))


def test_a_deploy_makes_every_page_again(client, thread):
    """A deploy runs `migrate`, even with nothing to apply: pages made by the code before it
    (a new layout since) are not served after it."""
    client.get(thread.get_absolute_url())
    assert hit(Client().get(thread.get_absolute_url()))

    call_command("migrate", verbosity=0)

    assert not hit(Client().get(thread.get_absolute_url()))
