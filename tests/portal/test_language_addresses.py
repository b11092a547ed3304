"""Each language has its own addresses (core/addresses.py): /en/… and /fr/…, with hreflang
alternates, a sitemap per language and caches keyed on the address; the old addresses redirect
permanently to the reader's language."""

import re
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.addresses import alternates, in_language, language_of, unprefixed
from core.emails import absolute_url, render_email, site_url
from core.memberpages import HIT
from core.pagecache import HIT_HEADER
from forums.models import Post
from tests.factories import (
    PASSWORD,
    ForumFactory,
    PageFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')


@pytest.fixture
def thread():
    return ThreadFactory(forum=ForumFactory(slug="itombwe"), title="Gold buyers in Itombwe")


def page_language(response):
    return re.search(r'<html lang="([a-z]+)">', response.text).group(1)


def with_cookie(language, **kwargs):
    client = Client(**kwargs)
    client.cookies["django_language"] = language
    return client


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


# The address says the language


def test_a_french_address_is_french_whatever_the_cookie_or_browser_say(thread):
    reader = with_cookie("en", HTTP_ACCEPT_LANGUAGE="en")

    forum = reader.get("/fr/forums/itombwe/")
    home = reader.get("/fr/")

    assert forum.status_code == home.status_code == 200
    assert page_language(forum) == page_language(home) == "fr"
    assert forum["Content-Language"] == "fr"
    assert "Accept-Language" not in forum.get("Vary", "")  # the address alone decides
    assert page_language(with_cookie("fr").get("/en/forums/itombwe/")) == "en"


def test_a_signed_in_french_speaker_reads_an_english_link_in_english(thread):
    reader = signed_in(UserFactory(preferred_language="fr"))
    reader.cookies["django_language"] = "fr"

    response = reader.get(f"/en/forums/itombwe/{thread.pk}/")

    assert page_language(response) == "en"


def test_reverse_gives_the_active_languages_addresses(thread):
    assert reverse("forums:index") == "/en/forums/"
    with translation.override("fr"):
        assert reverse("forums:index") == "/fr/forums/"
        assert thread.get_absolute_url() == f"/fr/forums/itombwe/{thread.pk}/"


def test_the_machines_addresses_have_no_language(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/robots.txt").status_code == 200
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert not admin["Location"].startswith(("/en/admin", "/fr/admin"))
    assert client.get("/en/admin/").status_code == 404


# Old addresses


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        (lambda: Client(), "en"),
        (lambda: Client(HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5"), "fr"),
        (lambda: with_cookie("fr"), "fr"),
        (lambda: with_cookie("fr", HTTP_ACCEPT_LANGUAGE="en"), "fr"),  # the cookie first
        (lambda: with_cookie("en", HTTP_ACCEPT_LANGUAGE="fr"), "en"),
        (lambda: with_cookie("klingon", HTTP_ACCEPT_LANGUAGE="fr"), "fr"),  # garbage: ignored
        (lambda: with_cookie("<script>"), "en"),
    ],
)
def test_an_old_address_redirects_permanently_to_the_readers_language(thread, reader, expected):
    response = reader().get("/forums/itombwe/?page=2&sort=new")

    assert response.status_code == 301
    assert response["Location"] == f"/{expected}/forums/itombwe/?page=2&sort=new"
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert HIT_HEADER not in response


def test_an_old_address_follows_the_accounts_language_when_there_is_no_cookie(thread):
    reader = signed_in(UserFactory(preferred_language="fr"), HTTP_ACCEPT_LANGUAGE="en")

    response = reader.get(f"/forums/itombwe/{thread.pk}/")

    assert response.status_code == 301
    assert response["Location"] == f"/fr/forums/itombwe/{thread.pk}/"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/", "/en/"),
        ("/forums", "/en/forums/"),  # the slash added in the same redirect
        ("/publications/?q=gold&kind=case-study", "/en/publications/?q=gold&kind=case-study"),
        ("/accounts/login/?next=/forums/", "/en/accounts/login/?next=/forums/"),
        ("/sites.geojson", "/en/sites.geojson"),
        ("/publications/feed/", "/en/publications/feed/"),
    ],
)  # fmt: skip
def test_every_old_address_of_a_page_redirects(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_a_study_and_a_site_at_their_old_addresses(client):
    study = PublicationFactory(slug="global-study")
    site = SiteFactory(slug="itombwe")

    assert client.get("/publications/global-study/").status_code == 301
    assert client.get("/sites/itombwe/", follow=True).redirect_chain == [
        (site.get_absolute_url(), 301)
    ]
    assert client.get("/publications/global-study/", follow=True).status_code == 200
    assert study.slug in client.get("/publications/global-study/")["Location"]


def test_the_redirect_of_an_old_address_is_never_kept_by_the_page_cache(thread):
    english = Client().get("/forums/itombwe/")
    english_again = Client().get("/forums/itombwe/")
    french = with_cookie("fr").get("/forums/itombwe/")

    assert english.status_code == english_again.status_code == french.status_code == 301
    assert HIT_HEADER not in english_again
    assert french["Location"] == "/fr/forums/itombwe/"


def test_the_wsgi_application_never_looks_an_old_address_up(thread, monkeypatch):
    from asmpace.wsgi import application
    from tests.core.test_pagecache import wsgi_get

    looked_up = []
    read = application.reader.headers_and_body
    monkeypatch.setattr(
        application.reader, "headers_and_body", lambda key: looked_up.append(key) or read(key)
    )

    first = wsgi_get("/forums/itombwe/")
    second = wsgi_get("/forums/itombwe/", HTTP_COOKIE="django_language=fr")

    assert first[0] == second[0] == "301 Moved Permanently"
    assert first[1]["Location"] == "/en/forums/itombwe/"
    assert second[1]["Location"] == "/fr/forums/itombwe/"
    assert looked_up == []


def test_a_form_posted_to_an_old_address_is_sent_again_to_the_new_one(thread):
    """A page made before addresses had a language may still be open in a browser: its form
    goes to the old address. 308 makes the browser post the same body to the new address."""
    author = UserFactory()
    reader = signed_in(author)
    reader.cookies["django_language"] = "fr"
    data = {"body": "Posted from a page opened before the change.", "language": "en"}

    answer = reader.post(f"/forums/itombwe/{thread.pk}/reply/", data)
    followed = reader.post(f"/forums/itombwe/{thread.pk}/reply/", data, follow=True)

    assert answer.status_code == 308
    assert answer["Location"] == f"/fr/forums/itombwe/{thread.pk}/reply/"
    assert followed.redirect_chain[0] == (f"/fr/forums/itombwe/{thread.pk}/reply/", 308)
    assert Post.objects.filter(thread=thread, body=data["body"], author=author).exists()


# Bad input


@pytest.mark.parametrize(
    "path", ["/xx/forums/", "/de/", "/EN/forums/", "/en/en/forums/", "/nowhere/"]
)
def test_an_address_in_no_language_of_ours_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_french_address_with_a_garbage_cookie_is_french(thread):
    for garbage, old_goes_to in (("xx", "en"), ("", "en"), ("é" * 300, "en"), ("fr-XX-x", "fr")):
        reader = with_cookie(garbage, HTTP_ACCEPT_LANGUAGE="de;q=nonsense,,,")
        response = reader.get("/fr/forums/")
        assert response.status_code == 200
        assert page_language(response) == "fr"
        assert reader.get("/forums/")["Location"] == f"/{old_goes_to}/forums/"


# hreflang alternates


def test_each_page_names_its_addresses_in_every_language(thread):
    for number in range(30):  # two pages of threads
        ThreadFactory(forum=thread.forum, title=f"Thread {number}")

    response = Client().get("/fr/forums/itombwe/?page=2&sort=new&q=gold")

    assert response.status_code == 200
    links = ALTERNATE.findall(response.text)
    assert links == [
        ("en", "http://testserver/en/forums/itombwe/?page=2"),
        ("fr", "http://testserver/fr/forums/itombwe/?page=2"),
        ("x-default", "http://testserver/forums/itombwe/?page=2"),
    ]
    assert response.text.index('hreflang="x-default"') < response.text.index("</head>")


@pytest.mark.parametrize(
    ("query", "kept"),
    [("", ""), ("?page=1", ""), ("?page=3", "?page=3"), ("?page=03", "?page=3"),
     ("?page=last", ""), ("?page=-2", ""), ("?q=mercury", ""), ("?page=2&page=5", "?page=5")],
)  # fmt: skip
def test_the_alternates_keep_the_page_of_a_list_and_nothing_else(query, kept):
    request = RequestFactory().get(f"/en/forums/{query}")

    links = ALTERNATE.findall(alternates(request))

    assert [href for _language, href in links] == [
        f"http://testserver/en/forums/{kept}",
        f"http://testserver/fr/forums/{kept}",
        f"http://testserver/forums/{kept}",
    ]


def test_the_alternates_of_the_home_page_and_an_odd_address():
    home = ALTERNATE.findall(alternates(RequestFactory().get("/fr/")))
    odd = alternates(RequestFactory().get('/en/forums/"<b>é/'))

    assert [href for _code, href in home] == [
        "http://testserver/en/",
        "http://testserver/fr/",
        "http://testserver/",
    ]
    assert "<b>" not in odd
    assert "%22%3Cb%3E%C3%A9/" in odd
    assert alternates(RequestFactory().get("/admin/")) == ""


def test_the_alternates_cost_no_query():
    request = RequestFactory().get("/en/forums/itombwe/?page=2")

    with CaptureQueriesContext(connection) as queries:
        alternates(request)

    assert len(queries) == 0


def test_a_page_costs_no_more_queries_with_its_alternates(thread, page_cache_off, monkeypatch):
    from core.templatetags import addresses

    url = f"/fr/forums/itombwe/{thread.pk}/"
    Client().get(url)
    with CaptureQueriesContext(connection) as with_alternates:
        page = Client().get(url)
    monkeypatch.setattr(addresses, "alternates", lambda request: "")
    with CaptureQueriesContext(connection) as without:
        bare = Client().get(url)

    assert len(ALTERNATE.findall(page.text)) == 3
    assert ALTERNATE.findall(bare.text) == []
    assert len(with_alternates) == len(without)


# Sitemaps


def sitemap_entries(client, path):
    response = client.get(path)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        url.find(f"{SITEMAP}loc").text: {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        for url in root.findall(f"{SITEMAP}url")
    }


def test_the_sitemap_is_an_index_of_a_sitemap_per_language_and_kind(client):
    response = client.get("/sitemap.xml")

    root = ElementTree.fromstring(response.content)
    locations = [element.text for element in root.iter(f"{SITEMAP}loc")]
    assert locations == [
        f"http://example.com/sitemap-{language}-{kind}.xml"
        for language in ("en", "fr")
        for kind in ("pages", "sites", "publications")
    ]


def test_each_languages_sitemap_lists_its_addresses_with_their_alternates(client):
    PageFactory(slug="about", language="en")
    PageFactory(slug="about", language="fr")
    PublicationFactory(slug="global-study")
    SiteFactory(slug="itombwe")

    for kind, path in (
        ("pages", "/pages/about/"),
        ("publications", "/publications/global-study/"),
        ("sites", "/sites/itombwe/"),
    ):
        english = sitemap_entries(client, f"/sitemap-en-{kind}.xml")
        french = sitemap_entries(client, f"/sitemap-fr-{kind}.xml")
        alternates = {
            "en": f"http://example.com/en{path}",
            "fr": f"http://example.com/fr{path}",
            "x-default": f"http://example.com{path}",
        }
        assert english == {f"http://example.com/en{path}": alternates}
        assert french == {f"http://example.com/fr{path}": alternates}


def test_robots_txt_says_where_the_sitemap_is(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.text


# The language switcher and signing in


def test_the_switcher_goes_to_the_same_page_in_the_other_language(thread):
    person = UserFactory(preferred_language="en")
    reader = signed_in(person)
    url = f"/en/forums/itombwe/{thread.pk}/?page=2"

    response = reader.post("/en/language/", {"language": "fr", "next": url})

    assert response.status_code == 302
    assert response["Location"] == f"/fr/forums/itombwe/{thread.pk}/?page=2"
    assert response.cookies["django_language"].value == "fr"
    person.refresh_from_db()
    assert person.preferred_language == "fr"
    assert page_language(reader.get(response["Location"])) == "fr"


def test_the_switcher_is_a_form_on_every_page_that_names_the_page(thread):
    page = Client().get("/fr/forums/itombwe/?sort=new").text

    assert 'action="/fr/language/"' in page
    assert 'name="next" value="/fr/forums/itombwe/?sort=new"' in page


def test_the_switcher_leaves_a_page_not_found_for_the_same_address_in_the_other_language(client):
    response = client.post("/en/language/", {"language": "fr", "next": "/en/no-such-page/"})

    assert response["Location"] == "/fr/no-such-page/"


def test_the_switcher_from_a_page_made_before_addresses_had_a_language(client, thread):
    """An old page's form posts to /language/ with an old `next`: the choice still holds."""
    response = client.post(
        "/language/", {"language": "fr", "next": "/forums/itombwe/"}, follow=True
    )

    assert [status for _url, status in response.redirect_chain] == [308, 302, 301]
    assert response.redirect_chain[-1][0] == "/fr/forums/itombwe/"
    assert page_language(response) == "fr"


def test_signing_in_ends_on_the_pages_of_ones_preferred_language(client):
    UserFactory(email="francophone@example.org", preferred_language="fr")

    response = client.post(
        "/en/accounts/login/?next=/en/forums/",
        {"login": "francophone@example.org", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/fr/forums/"
    assert response.cookies["django_language"].value == "fr"
    landing = client.get(response["Location"])
    assert page_language(landing) == "fr"
    assert "Connexion avec" in landing.text  # allauth's "Successfully signed in", in French


def test_signing_in_without_next_ends_on_the_account_page_in_ones_language(client):
    UserFactory(email="anglophone@example.org", preferred_language="en")

    response = client.post(
        "/fr/accounts/login/", {"login": "anglophone@example.org", "password": PASSWORD}
    )

    assert response["Location"] == "/en/accounts/profile/"


def test_saving_french_in_ones_profile_goes_on_in_french(client):
    person = UserFactory(preferred_language="en")
    client.force_login(person)
    form = client.get("/en/accounts/profile/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(preferred_language="fr", country="CD", handle=person.handle)

    response = client.post("/en/accounts/profile/", data)

    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/fr/accounts/profile/"


# Caches key on the address


def test_the_visitors_cache_keeps_each_language_at_its_own_address(thread):
    english = Client().get("/en/forums/itombwe/")
    french = Client().get("/fr/forums/itombwe/")
    english_with_a_french_cookie = with_cookie("fr").get("/en/forums/itombwe/")
    french_with_an_english_browser = Client(HTTP_ACCEPT_LANGUAGE="en").get("/fr/forums/itombwe/")

    assert HIT_HEADER not in english
    assert HIT_HEADER not in french
    assert english_with_a_french_cookie[HIT_HEADER] == "hit"
    assert french_with_an_english_browser[HIT_HEADER] == "hit"
    assert english_with_a_french_cookie.content == english.content
    assert french_with_an_english_browser.content == french.content
    assert page_language(english_with_a_french_cookie) == "en"
    assert page_language(french_with_an_english_browser) == "fr"
    assert "/fr/forums/" in french.text
    assert "/en/forums/" not in french.text.split("</head>")[1]


def test_members_shared_pages_keep_each_language_at_its_own_address(thread):
    url = thread.get_absolute_url()
    french_url = in_language(url, "fr")
    readers = [UserFactory(preferred_language=language) for language in ("en", "fr", "en", "fr")]

    made = [signed_in(readers[0]).get(url), signed_in(readers[1]).get(french_url)]
    kept = [signed_in(readers[3]).get(url), signed_in(readers[2]).get(french_url)]

    assert [response.headers.get(HIT_HEADER) for response in made] == [None, None]
    assert [response.headers.get(HIT_HEADER) for response in kept] == [HIT, HIT]
    assert [page_language(response) for response in kept] == ["en", "fr"]
    assert f'action="/fr/forums/itombwe/{thread.pk}/reply/"' not in kept[0].text
    assert f'action="/en/forums/itombwe/{thread.pk}/reply/"' not in kept[1].text


def test_a_posts_html_kept_for_one_language_is_not_shown_in_the_other(thread):
    PostFactory(thread=thread, body="A reply by @someone.")
    english = Client().get(f"/en/forums/itombwe/{thread.pk}/", HTTP_ACCEPT_ENCODING="")
    french = signed_in(UserFactory()).get(f"/fr/forums/itombwe/{thread.pk}/")

    assert f'href="/en/forums/posts/{thread.posts.first().pk}/"' in english.text
    assert f'href="/fr/forums/posts/{thread.posts.first().pk}/"' in french.text
    assert f'href="/en/forums/posts/{thread.posts.first().pk}/"' not in french.text


# Emails, feeds and mentions


def test_an_emails_links_are_in_its_readers_language(thread):
    post = thread.posts.first()
    link = absolute_url(post.get_absolute_url())  # reversed in English
    admin_link = absolute_url("/admin/forums/post/")

    for language in ("fr", "en"):
        reader = UserFactory(preferred_language=language)
        message = render_email(
            "forums/email/consultation_closed",
            {"thread": thread, "link": link, "stop_kind_url": link},
            reader=reader,
        )
        assert f"{site_url()}/{language}/forums/posts/{post.pk}/" in message.body
    assert str(admin_link) == f"{site_url()}/admin/forums/post/"


def test_a_followers_email_and_its_unsubscribe_header_are_in_their_language(thread, committed):
    from forums.models import Delivery, Subscription

    francophone = UserFactory(preferred_language="fr")
    Subscription.objects.create(user=francophone, thread=thread, delivery=Delivery.IMMEDIATE)
    author = UserFactory()

    with committed():
        signed_in(author).post(
            f"/en/forums/itombwe/{thread.pk}/reply/",
            {"body": "Buyers now come on Tuesdays.", "language": "en"},
        )

    (message,) = [message for message in mail.outbox if message.to == [francophone.email]]
    assert f"{site_url()}/fr/forums/posts/" in message.body
    assert "/en/" not in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{site_url()}/fr/")


def test_a_feed_links_to_its_languages_pages_and_keeps_ids_without_a_language(client, thread):
    post = thread.posts.first()

    english = client.get("/en/forums/itombwe/feed/").text
    french = client.get("/fr/forums/itombwe/feed/").text

    assert f"<id>http://example.com/forums/posts/{post.pk}/</id>" in english
    assert f"<id>http://example.com/forums/posts/{post.pk}/</id>" in french
    assert f'href="http://example.com/fr/forums/posts/{post.pk}/"' in french
    assert f'href="http://example.com/en/forums/posts/{post.pk}/"' in english


def test_a_mention_links_to_the_profile_without_a_language(thread):
    named = UserFactory(handle="amani")

    post = PostFactory(thread=thread, body="Thank you @amani.")

    assert f'href="/people/{named.pk}/"' in post.body_html


def test_the_path_helpers():
    assert language_of("/fr/forums/") == "fr"
    assert language_of("/fr") == "fr"
    assert language_of("/france/") is None
    assert language_of("/admin/") is None
    assert language_of("") is None
    assert unprefixed("/en/forums/1/?page=2") == "/forums/1/?page=2"
    assert unprefixed("/admin/") == "/admin/"
    assert in_language("/en/forums/#post-3", "fr") == "/fr/forums/#post-3"
    assert in_language("/admin/", "fr") == "/admin/"


def test_signing_out_ends_on_the_home_page_in_the_pages_language(client):
    client.force_login(UserFactory(preferred_language="en"))

    response = client.post("/fr/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/fr/"
