"""What every visitor reads: the archive of sent issues, each issue, the Atom feed, and the small
subscribe forms of the footer and the home, all on pages cached for visitors."""

import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.pagecache import HIT_HEADER
from newsletter import sending
from newsletter.models import IssueKind, IssueState
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def sent(**fields):
    return IssueFactory(**{"state": IssueState.SENT, "sent_at": timezone.now(), **fields})


def in_french(name, **kwargs):
    with translation.override("fr"):
        return reverse(name, kwargs=kwargs or None)


@pytest.fixture
def issues():
    """A sent issue, and one of each kind the archive never shows."""
    return {
        "sent": sent(subject="Gold and mercury", subject_fr="L\u2019or et le mercure"),
        "draft": IssueFactory(subject="A draft"),
        "scheduled": IssueFactory(
            subject="Scheduled", state=IssueState.SCHEDULED, send_at=timezone.now()
        ),
        "sending": IssueFactory(subject="On its way", state=IssueState.SENDING),
        "alerts": sent(subject="Alerts of the week", kind=IssueKind.ALERTS),
    }


def test_the_archive_shows_sent_issues_only(issues):
    page = Client().get(reverse("newsletter:archive")).content.decode()

    assert "Gold and mercury" in page
    assert issues["sent"].get_absolute_url() in page
    for hidden in ("A draft", "Scheduled", "On its way", "Alerts of the week"):
        assert hidden not in page


def test_an_issue_not_sent_nor_written_by_editors_has_no_page(issues):
    assert Client().get(issues["sent"].get_absolute_url()).status_code == 200
    for name in ("draft", "scheduled", "sending", "alerts"):
        assert Client().get(issues[name].get_absolute_url()).status_code == 404
    assert Client().get("/en/newsletter/999999/").status_code == 404


def test_an_issue_reads_in_the_pages_language():
    issue = sent(
        subject="Gold and mercury",
        subject_fr="L\u2019or et le mercure",
        body="The **Itombwe** study is out.",
        body_fr="L\u2019étude **Itombwe** est parue.",
    )
    english_only = sent(subject="Only in English", subject_fr="", body="Plain.", body_fr="")

    english = Client().get(issue.get_absolute_url()).content.decode()
    french = Client().get(in_french("newsletter:issue", pk=issue.pk)).content.decode()
    archive = Client().get(in_french("newsletter:archive")).content.decode()

    assert "Gold and mercury" in english
    assert "The <strong>Itombwe</strong> study is out." in english
    assert "L\u2019or et le mercure" in french
    assert "L\u2019étude <strong>Itombwe</strong> est parue." in french
    assert "Gold and mercury" not in french
    assert "L\u2019or et le mercure" in archive
    assert "Only in English" in archive
    assert f'href="/fr/newsletter/{english_only.pk}/"' in archive


def test_the_body_of_an_issue_is_sanitised():
    issue = sent(body='Hello <script>alert("x")</script> <a href="javascript:alert(1)">x</a>')

    page = Client().get(issue.get_absolute_url()).content.decode()

    assert "<script>alert" not in page
    assert "javascript:alert" not in page


def entries(url):
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    return feed.findall(f"{ATOM}entry")


def test_the_feed_is_atom_with_the_sent_issues_in_the_feeds_language(issues):
    [entry] = entries(reverse("newsletter:feed"))
    assert entry.findtext(f"{ATOM}title") == "Gold and mercury"
    assert entry.find(f"{ATOM}link").get("href").endswith(issues["sent"].get_absolute_url())
    assert entry.findtext(f"{ATOM}id")
    assert entry.findtext(f"{ATOM}updated")
    assert "<strong>Itombwe</strong>" in entry.findtext(f"{ATOM}summary")

    [french] = entries(in_french("newsletter:feed"))
    assert french.findtext(f"{ATOM}title") == "L\u2019or et le mercure"
    assert "/fr/newsletter/" in french.find(f"{ATOM}link").get("href")
    assert french.findtext(f"{ATOM}id") == entry.findtext(f"{ATOM}id")


def test_the_archive_links_its_feed(issues):
    page = Client().get(reverse("newsletter:archive")).content.decode()

    feed = reverse("newsletter:feed")
    assert f'type="application/atom+xml" title="ASM-PACE newsletter" href="{feed}"' in page


def queries(url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["newsletter:archive", "newsletter:feed"])
def test_the_archive_and_feed_cost_the_same_queries_for_1_and_25_issues(page_cache_off, name):
    url = reverse(name)
    sent()
    Client().get(url)  # fills what every page keeps (footer pages)
    one = queries(url)

    for days in range(24):
        sent(sent_at=timezone.now() - timedelta(days=days + 1))
    many = queries(url)

    assert one == many
    assert one <= 2  # the archive: its count and its page; the feed: its items


def test_the_archive_has_pages_of_twenty(page_cache_off):
    for days in range(25):
        sent(subject=f"Issue {days:02}", sent_at=timezone.now() - timedelta(days=days))

    first = Client().get(reverse("newsletter:archive")).content.decode()
    second = Client().get(reverse("newsletter:archive"), {"page": 2}).content.decode()

    assert "Issue 00" in first
    assert "Issue 19" in first
    assert "Issue 20" not in first
    assert "Issue 20" in second
    assert "Issue 24" in second
    assert Client().get(reverse("newsletter:archive"), {"page": 9}).status_code == 404


def test_a_newly_sent_issue_is_on_the_cached_archive_at_once():
    sent(subject="The first issue")
    SubscriberFactory()
    issue = IssueFactory(subject="The second issue")
    sending.issue_start(issue=issue)  # its batch is not handed over: the test runs it
    url = reverse("newsletter:archive")
    Client().get(url)
    before = Client().get(url)
    assert before.headers.get(HIT_HEADER) == "hit"
    assert "The second issue" not in before.content.decode()

    sending.send_batch(issue_id=issue.pk, batch=0)  # its last copy: the issue is sent

    after = Client().get(url).content.decode()
    assert "The first issue" in after
    assert "The second issue" in after
    assert Client().get(issue.get_absolute_url()).status_code == 200


# The small forms of every page


def small_forms(page):
    return re.findall(r"<form[^>]*data-newsletter-signup[^>]*>.*?</form>", page, re.S)


def test_the_home_is_served_from_the_cache_with_its_subscribe_forms():
    Client().get("/en/")
    second = Client().get("/en/")

    assert second.headers.get(HIT_HEADER) == "hit"
    page = second.content.decode()
    home, footer = small_forms(page)
    subscribe = reverse("newsletter:subscribe")
    for form in (footer, home):
        assert 'method="get"' in form
        assert f'action="{subscribe}"' in form
        assert 'name="email"' in form
        assert "Subscribe" in form
        assert "csrfmiddlewaretoken" not in form
    assert "csrfmiddlewaretoken" not in page
    footer_html = page[page.index("<footer") :]
    assert small_forms(footer_html)
    assert f'href="{reverse("newsletter:archive")}"' in footer_html


def test_the_footer_form_is_on_cached_pages_in_french():
    url = in_french("newsletter:archive")
    Client().get(url)
    second = Client().get(url)

    assert second.headers.get(HIT_HEADER) == "hit"
    [form] = small_forms(second.content.decode())
    assert 'action="/fr/newsletter/subscribe/"' in form


def test_the_small_form_leads_to_the_whole_form_filled_in():
    response = Client().get(reverse("newsletter:subscribe"), {"email": "aline@example.org"})

    page = response.content.decode()
    assert re.search(r'<input type="email"[^>]*name="email"[^>]*value="aline@example.org"', page)
    assert response.headers.get(HIT_HEADER) is None
