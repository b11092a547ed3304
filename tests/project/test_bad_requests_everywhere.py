"""Every page of the portal, sent what a fuzzer sends (issue 14): bad bytes, over-long values,
page numbers out of range, repeated parameters, malformed conditional and range headers,
unknown methods. Each answers the page, a redirect or a 4xx, never a 5xx."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from forums.models import PostStatus
from forums.notifications import unsubscribe_token
from forums.services import subscription_set
from notices.models import Kind, Notice
from notices.services import stop_email_token
from tests.factories import (
    PageFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OURS = {"accounts", "notices", "portal", "publications", "sites", "forums"}
QUERIES = [
    "page=-1",
    "page=0",
    "page=99999999999999999999",
    "page=abc",
    "page=1&page=2&q=gold&q=mercury",
    "q=" + "mercury%20" * 600,
    "q=%ff%fe",
    "q=%ED%A0%80",  # a lone surrogate, encoded as UTF-8 would not allow
    "q=%22%22%22&kind=nope&year=-5&country=ZZZ&topic=%F0%9F%99%82",
    "quote=%ff&next=%ED%A0%80",
]
HEADERS = [
    {"HTTP_RANGE": "bytes=abc"},
    {"HTTP_RANGE": "bytes=99999999999999999999-"},
    {"HTTP_RANGE": "bytes=5-1, 2-"},
    {"HTTP_IF_RANGE": "not a date nor an etag", "HTTP_RANGE": "bytes=0-10"},
    {"HTTP_IF_NONE_MATCH": '"'},
    {"HTTP_IF_MODIFIED_SINCE": "yesterday"},
    {"HTTP_ACCEPT_LANGUAGE": "\xff;q=x"},
    {"HTTP_ACCEPT_ENCODING": "gzip;q=nan"},
]


def every_pattern():
    """(namespace:name) of every URL pattern of the portal's own apps."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in OURS:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


@pytest.fixture
def addresses():
    reader = UserFactory()
    thread = ThreadFactory()
    post = PostFactory(thread=thread, author=reader)
    PostFactory(thread=thread, status=PostStatus.PENDING)
    study = PublicationFactory(pdf=["Mercury in the rivers of Itombwe."])
    site = SiteFactory()
    page = PageFactory()
    token = unsubscribe_token([subscription_set(user=reader, target=thread, delivery="daily")])
    forum = thread.forum.slug
    notice = Notice.objects.create(
        user=reader, kind=Kind.REPLY, cause="test", target_type="post", target_id=post.pk
    )
    stop = stop_email_token(user_id=reader.pk, kind=Kind.REPLY)
    # Each page at its English address, and at its old address without a language, whose
    # redirect (core/addresses.py) must hold under the same input.
    old = paths(reader, thread, post, study, site, page, token, forum, notice, stop)
    return reader, [*(f"/en{path}" for path in old), *old]


def paths(reader, thread, post, study, site, page, token, forum, notice, stop):
    """Every page's address, without its language."""
    return [
        "/",
        f"/pages/{page.slug}/",
        "/pages/no-such-page/",
        "/search/",
        f"/people/{reader.pk}/",
        "/people/99999999999999999999/",
        "/accounts/profile/",
        "/accounts/export/",
        "/accounts/verification/",
        "/accounts/delete/",
        "/language/",
        "/publications/",
        "/publications/feed/",
        "/publications/topics/follow/",
        f"/publications/{study.slug}/",
        f"/publications/{study.slug}/download/",
        f"/publications/{study.slug}/cite.bib",
        f"/publications/{study.slug}/cite.ris",
        "/sites/",
        "/sites.geojson",
        f"/sites/{site.slug}/",
        "/forums/",
        f"/forums/posts/{post.pk}/",
        f"/forums/posts/{post.pk}/edit/",
        f"/forums/posts/{post.pk}/flag/",
        "/forums/search/",
        "/forums/subscriptions/",
        f"/forums/unsubscribe/{token}/",
        "/forums/unsubscribe/%ff%00garbage/",
        f"/forums/{forum}/",
        f"/forums/{forum}/new/",
        f"/forums/{forum}/feed/",
        f"/forums/{forum}/{thread.pk}/",
        f"/forums/{forum}/{thread.pk}/reply/",
        f"/forums/{forum}/{thread.pk}/close/",
        f"/forums/{forum}/99999999999999999999/",
        f"/forums/threads/{thread.pk}/unread/",
        "/forums/threads/99999999999999999999/unread/",
        "/notifications/",
        f"/notifications/{notice.pk}/",
        "/notifications/99999999999999999999/",
        "/notifications/read/",
        "/notifications/email/",
        f"/notifications/email/stop/{stop}/",
        "/notifications/email/stop/%ff%00garbage/",
    ]


def test_the_addresses_cover_every_pattern(addresses):
    _reader, urls = addresses
    covered = set()
    for url in urls:
        try:
            match = resolve(url)
        except Exception:  # noqa: S112 - an address that is meant not to resolve
            continue
        covered.add(match.view_name)
    assert every_pattern() <= covered, every_pattern() - covered


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_no_address_answers_a_5xx_whatever_it_is_sent(addresses, who):
    reader, urls = addresses
    client = Client(raise_request_exception=False)
    if who == "member":
        client.force_login(reader)
    failures = []
    for url in urls:
        for query in QUERIES:
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append((url, query, response.status_code))
        for headers in HEADERS:
            response = client.get(url, **headers)
            if response.status_code >= 500:
                failures.append((url, headers, response.status_code))
        for method in ("PROPFIND", "BREW", "TRACE"):
            response = client.generic(method, url)
            if response.status_code >= 500:
                failures.append((url, method, response.status_code))
        form = b"next=%00&page=%ED%A0%80&body=" + b"x" * 100_000
        response = client.post(url, form, content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            failures.append((url, "POST", response.status_code))
    assert failures == []
