"""Two stateless app servers (issue 19): two gunicorn instances of the portal on one PostgreSQL
database (this test's, its data committed), one Redis (a redis-server of the test's own) and one
bucket (moto's S3 server), DEBUG off. A person signs in on A and replies; B knows them (the
session is in the shared Redis and database), shows the reply (to them, and to a visitor whose
page B had cached before), and sends a study to the bucket; a study uploaded through the admin
on A is downloaded from B. Rate limits (the API's, allauth's failed sign-ins) are counted across
both instances in the shared Redis.

PostgreSQL only: SQLite's file would be locked by three processes writing to it.
"""

import re
import subprocess
import sys
from urllib.parse import urlsplit

import boto3
import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from bench.common import ROOT, database_url, gunicorn
from forums.models import Post, PostStatus
from publications.demo import make_pdf
from publications.models import Publication
from tests.engines import redis_server, s3_server
from tests.factories import (
    PASSWORD,
    AuthorFactory,
    PublicationFactory,
    ThreadFactory,
    UserFactory,
)
from tests.publications.test_object_storage import use_bucket

from .conftest import DESKTOP, Visit

pytestmark = pytest.mark.django_db(transaction=True)

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
API_LIMIT = 6
STUDY = make_pdf(["Gold panning in the Itombwe forest, read on the second server."])
UPLOAD = make_pdf(["Uploaded through the admin of the first server."])
REPLY = "Read on the other server: the cooperative in Mwenga measures turbidity weekly."


@pytest.fixture(scope="module")
def engines(django_db_setup, tmp_path_factory):
    """Instances A and B, each gunicorn with 2 sync workers, on the test database, a Redis and
    a bucket: their base URLs, the Redis URL, the bucket's endpoint and name."""
    if connection.vendor != "postgresql":
        pytest.skip("two servers share a PostgreSQL database (DATABASE_URL=postgres://...)")
    folder = tmp_path_factory.mktemp("two-servers")
    with redis_server() as (_redis, redis_url), s3_server() as (_s3, s3_endpoint):
        bucket = "two-servers"
        s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
        s3.create_bucket(Bucket=bucket)
        env = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "asmpace.settings",
            "DJANGO_DEBUG": "0",
            # The one secret both share: each signs what the other checks (sessions, CSRF).
            "DJANGO_SECRET_KEY": "two-servers-share-this-secret-" + "k" * 30,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no redirect to HTTPS. Cookies stay Secure, and Chromium
            # keeps them for 127.0.0.1, a secure context.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": redis_url,
            "MEDIA_STORAGE_URL": f"s3://testing:testing@{bucket}/media?endpoint_url={s3_endpoint}",
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "API_RATE_LIMIT": str(API_LIMIT),
            "API_RATE_WINDOW": "60",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
        )
        log = folder / "gunicorn.log"
        app = "asmpace.wsgi:application"
        with gunicorn(app, env=env, log=log) as a, gunicorn(app, env=env, log=log) as b:
            yield {"a": a, "b": b, "redis": redis_url, "s3": s3_endpoint, "bucket": bucket}


@pytest.fixture
def servers(engines, settings):
    """A and B, with an empty Redis; the test's own storage is their bucket."""
    redis.Redis.from_url(engines["redis"]).flushdb()
    use_bucket(settings, engines["s3"], engines["bucket"])
    return engines["a"], engines["b"]


class TwoServers(Visit):
    """A page that may talk to both instances and to the bucket, nothing else."""

    def __init__(self, page, server_url, *others):
        super().__init__(page, server_url)
        self.origins = {self.origin, *(urlsplit(url).netloc for url in others)}

    def route(self, route):
        if urlsplit(route.request.url).netloc in self.origins:
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()


def sign_in(visit, email):
    visit.goto("/accounts/login/")
    form = visit.page.locator("main form").filter(has=visit.page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").click()
    expect(visit.page.locator("input[name=password]")).to_have_count(0)


def test_signed_in_on_one_server_reading_posting_and_downloading_on_the_other(
    browser, servers, engines
):
    a, b = servers
    s3_endpoint = engines["s3"]
    thread = ThreadFactory(title="Turbidity in the Ulindi river")
    study = PublicationFactory(title="Itombwe case study", pdf=STUDY)
    member = UserFactory(name="Espérance Mwamini", is_superuser=True, is_staff=True)
    member.affiliation_verified_at = member.date_joined  # posts shown at once
    # The servers' hasher (the tests' own is a fast MD5 they do not know).
    hasher = PBKDF2PasswordHasher()
    member.password = hasher.encode(PASSWORD, hasher.salt())
    member.save()
    path = thread.get_absolute_url()

    # A visitor reads the thread on B: B keeps the page in the shared cache.
    visitor = browser.new_context(viewport=DESKTOP)
    seen = TwoServers(visitor.new_page(), b)
    seen.goto(path)
    expect(seen.page.locator("article.forum-post")).to_have_count(1)

    context = browser.new_context(viewport=DESKTOP)
    on_a = TwoServers(context.new_page(), a, b, s3_endpoint)
    sign_in(on_a, member.email)
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert {"sessionid", "csrftoken"} <= cookies.keys()
    assert cookies["sessionid"]["domain"] == "127.0.0.1"  # per host, not per port: B gets it

    on_a.goto(path)
    reply = on_a.page.locator("#reply")
    reply.get_by_label("Your post").fill(REPLY)
    reply.get_by_role("button", name="Post", exact=True).click()
    expect(on_a.page.locator("article.forum-post", has_text="measures turbidity")).to_be_visible()
    assert Post.objects.get(body=REPLY).status == PostStatus.APPROVED

    # B: the same browser, signed in there too (the session is shared), reads the reply.
    on_b = TwoServers(context.new_page(), b, a, s3_endpoint)
    on_b.goto(path)
    expect(on_b.page.locator("article.forum-post", has_text="measures turbidity")).to_be_visible()
    expect(on_b.page.locator(".site-header")).to_contain_text("My account")
    on_b.goto(reverse("accounts:profile_edit"))  # for the signed-in only
    expect(on_b.page.locator("#id_name")).to_have_value("Espérance Mwamini")
    # The visitor's page B had kept was made anew by A's write: no server's page is stale.
    seen.goto(path)
    expect(seen.page.locator("article.forum-post", has_text="measures turbidity")).to_be_visible()

    # B sends the study to the bucket, where its bytes are.
    first = context.request.get(b + study.get_download_url(), max_redirects=0)
    assert first.status == 302
    assert first.headers["location"].startswith(s3_endpoint + "/")
    downloaded = context.request.get(b + study.get_download_url())
    assert downloaded.ok
    assert downloaded.url.startswith(s3_endpoint + "/")
    assert downloaded.body() == STUDY

    # An upload through the admin of A is served by B.
    on_a.goto("/admin/publications/publication/add/")
    token = on_a.page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    author = AuthorFactory(name="Rob Small")
    added = context.request.post(
        a + "/admin/publications/publication/add/",
        headers={"Referer": a + "/admin/publications/publication/add/", "Origin": a},
        multipart={
            "csrfmiddlewaretoken": token,
            "title": "Uploaded on A",
            "slug": "uploaded-on-a",
            "kind": "case_study",
            "language": "en",
            "year": "2026",
            "month": "11",
            "abstract": "Sent to the first server.",
            "publisher": "WWF",
            "rights": "© WWF",
            "file": {"name": "upload.pdf", "mimeType": "application/pdf", "buffer": UPLOAD},
            "is_published": "on",
            "authorships-TOTAL_FORMS": "1",
            "authorships-INITIAL_FORMS": "0",
            "authorships-0-order": "0",
            "authorships-0-author": str(author.pk),
            "authorships-0-given_names": "Rob",
            "authorships-0-family_name": "Small",
            "authorships-0-role": "author",
            "coverage-TOTAL_FORMS": "0",
            "coverage-INITIAL_FORMS": "0",
        },
        max_redirects=0,
    )
    assert added.status == 302, added.text()[:2000]
    uploaded = Publication.objects.get(slug="uploaded-on-a")
    from_b = context.request.get(b + uploaded.get_download_url())
    assert from_b.ok
    assert from_b.url.startswith(s3_endpoint + "/")
    assert from_b.body() == UPLOAD

    for visit in (seen, on_a, on_b):
        visit.assert_clean()
    visitor.close()
    context.close()


def test_the_api_limit_is_counted_across_both_servers(playwright, servers):
    a, b = servers
    api = playwright.request.new_context()
    try:
        answers = [
            api.get(server + "/api/v1/topics").status for server in (a, b) * (API_LIMIT // 2)
        ]
        refused = [api.get(server + "/api/v1/topics") for server in (a, b)]
        assert answers == [200] * API_LIMIT
        assert [answer.status for answer in refused] == [429, 429]
        assert re.fullmatch(r"\d+", refused[1].headers["retry-after"])
    finally:
        api.dispose()


def test_failed_sign_ins_are_counted_across_both_servers(playwright, servers):
    """allauth refuses an address after 5 failed sign-ins in 5 minutes: 3 on A and 2 on B make
    5, so the right password is refused on B (counted per instance, B would have seen 2)."""
    a, b = servers
    person = UserFactory()
    hasher = PBKDF2PasswordHasher()
    person.password = hasher.encode(PASSWORD, hasher.salt())
    person.save()
    browser_like = playwright.request.new_context()

    def sign_in_on(server, password):
        page = browser_like.get(server + "/en/accounts/login/").text()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        answer = browser_like.post(
            server + "/en/accounts/login/",
            form={"csrfmiddlewaretoken": token, "login": person.email, "password": password},
            max_redirects=0,
        )
        return answer.status, answer.text()

    try:
        for server in (a, b, a, b, a):
            status, page = sign_in_on(server, "not the pass phrase")
            assert status == 200
            assert "are not correct" in page
        status, page = sign_in_on(b, PASSWORD)
    finally:
        browser_like.dispose()

    assert status == 200, "signed in despite 5 failures"
    assert "Too many failed login attempts" in page
