"""Times in a real browser (static/js/times.js): relative, with the exact time in the reader's
zone in the title; the UTC time, saying so, without JavaScript."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

from .conftest import DESKTOP, Visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def thread():
    thread = ThreadFactory(forum=ForumFactory(slug="itombwe"), title="Gold buyers in Itombwe")
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2, minutes=5)
    PostFactory(thread=thread, body="The buyers come on Mondays.", created_at=two_hours_ago)
    return thread


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_page(path, *, javascript=True, zone="Asia/Kolkata", locale="en-GB", user=None):
        context = browser.new_context(
            viewport=DESKTOP, java_script_enabled=javascript, timezone_id=zone, locale=locale
        )
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            name = settings.SESSION_COOKIE_NAME
            context.add_cookies([{"name": name, "value": cookie, "url": live_server.url}])
        visit = Visit(context.new_page(), live_server.url, javascript=javascript)
        visit.goto(path)
        return visit

    yield open_page
    for context in contexts:
        context.close()


def first_time(visit):
    element = visit.page.locator("article time[data-when]").first
    return element.text_content().strip(), element.get_attribute("title")


def test_a_visitor_reads_a_relative_time_and_the_exact_time_in_their_browsers_zone(
    open_page, thread
):
    visit = open_page(thread.get_absolute_url())

    text, title = first_time(visit)
    assert text == "2 hours ago"
    assert "GMT+5:30" in title  # the browser's zone: Kolkata
    visit.screenshot("times-thread-en")
    visit.assert_clean()


def test_in_french_the_relative_time_is_french(open_page, thread):
    with translation.override("fr"):
        url = thread.get_absolute_url()
    visit = open_page(url, locale="fr-FR")

    text, _ = first_time(visit)
    assert text == "il y a 2 heures"
    visit.assert_clean()


def test_a_signed_in_reader_sees_the_zone_of_their_profile(open_page, thread):
    reader = UserFactory(time_zone="Asia/Tokyo")

    visit = open_page(thread.get_absolute_url(), user=reader)

    text, title = first_time(visit)
    assert text == "2 hours ago"
    assert "GMT+9" in title
    visit.assert_clean()


def test_without_javascript_the_exact_time_says_utc(open_page, thread):
    visit = open_page(thread.get_absolute_url(), javascript=False)

    text, title = first_time(visit)
    assert text.endswith(" UTC")
    assert title == text
