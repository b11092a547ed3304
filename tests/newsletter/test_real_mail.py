"""Through a real SMTP server: what a reader's mail store gets, parsed as a mail client would,
and every link in it followed as that reader."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.sites.models import Site
from django.test import Client

from newsletter import sending
from newsletter.models import DeliveryState, IssueState, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

PREFIX = "[ASM-PACE] "


class Resources(HTMLParser):
    """Every link of an HTML part, and everything in it a mail client would load."""

    def __init__(self):
        super().__init__()
        self.links, self.loads = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("src", "srcset", "background", "poster", "data"):
            if name in attrs:
                self.loads.append((tag, name, attrs[name]))
        if tag in ("img", "link", "script", "iframe", "object", "embed", "image", "video"):
            self.loads.append((tag, "", ""))
        if "url(" in (attrs.get("style") or ""):
            self.loads.append((tag, "style", attrs["style"]))


def parts(message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    return text.get_content(), html.get_content()


def ours(url: str) -> bool:
    split = urlsplit(url)
    return split.scheme in ("http", "https") and split.netloc == Site.objects.get_current().domain


def local(url: str) -> dict:
    """What the test client needs to ask for an absolute address of ours."""
    split = urlsplit(url)
    path = f"{split.path}?{split.query}" if split.query else split.path
    return {"path": path, "secure": split.scheme == "https"}


def test_an_issue_arrives_whole_in_each_language_and_every_link_works(smtp, committed):
    english = SubscriberFactory(language="en", name="Jo Banda")
    french = SubscriberFactory(language="fr", name="Aline Mukendi-Ngoy é")
    issue = IssueFactory()

    with committed():
        assert sending.issue_start(issue=issue) == 2

    issue.refresh_from_db()
    assert issue.state == IssueState.SENT
    assert set(issue.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}
    received = {message["To"].addresses[0].addr_spec: message for message in smtp.parsed()}
    assert len(smtp.messages) == 2
    assert sorted(rcpts for rcpts, _ in smtp.messages) == sorted([[english.email], [french.email]])
    subjects = {english: PREFIX + issue.subject, french: PREFIX + issue.subject_fr}
    for reader, subject in subjects.items():
        message = received[reader.email]
        assert message["Subject"] == subject
        assert message["To"].addresses[0].display_name == reader.name
        assert message["Message-ID"].startswith(f"<newsletter.{issue.pk}.{reader.pk}@")
        assert message["List-Id"].endswith(">")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Auto-Submitted"] == "auto-generated"
        (unsubscribe,) = re.fullmatch(r"<([^>]+)>", message["List-Unsubscribe"].strip()).groups()
        assert ours(unsubscribe)
        assert urlsplit(unsubscribe).path == (
            f"/{reader.language}/newsletter/unsubscribe/{reader.token}/"
        )
        assert urlsplit(unsubscribe).query == f"issue={issue.pk}"

        text, html = parts(message)
        assert len(html.encode()) <= 30 * 1024
        assert f'<html lang="{reader.language}">' in html
        resources = Resources()
        resources.feed(html)
        assert resources.loads == []
        assert "<img" not in html.lower()
        assert "src=" not in html.lower()
        assert "@import" not in html
        assert "url(" not in html
        assert subject.removeprefix(PREFIX) in text
        assert subject.removeprefix(PREFIX) in html

        text_links = [link for link in re.findall(r"https?://\S+", text) if ours(link)]
        html_links = [link for link in resources.links if ours(link)]
        web = f"/{reader.language}/newsletter/{issue.pk}/"
        manage = f"/{reader.language}/newsletter/manage/{reader.token}/"
        for links in (text_links, html_links):
            assert sorted(urlsplit(link).path for link in links) == sorted(
                [web, manage, urlsplit(unsubscribe).path]
            )
            assert unsubscribe in links
            for link in links:
                assert Client().get(**local(link)).status_code == 200, link
    # Each reader's links are their own.
    assert english.token not in received[french.email].as_string()
    assert french.token not in received[english.email].as_string()
    assert issue.body_fr in parts(received[french.email])[0]

    # The mail client's one-click unsubscribe (RFC 8058): a POST with no CSRF token, no cookie.
    header = received[french.email]["List-Unsubscribe"].strip()
    (unsubscribe,) = re.fullmatch(r"<([^>]+)>", header).groups()
    response = Client(enforce_csrf_checks=True).post(
        **local(unsubscribe),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    french.refresh_from_db()
    english.refresh_from_db()
    assert french.unsubscribed_at is not None
    assert french.unsubscribed_from == issue
    assert english.is_active
    sending.issue_counts([issue])
    assert issue.counts == {"sent": 2, "failed": 0, "waiting": 0, "unsubscribed": 1}


def test_a_confirmation_arrives_through_the_server_and_its_link_confirms(smtp, committed):
    with committed():
        response = Client().post(
            "/fr/newsletter/subscribe/",
            {"email": "aline@example.org", "name": "Aline Mukendi-Ngoy é", "language": "fr"},
        )
    assert response.status_code == 302
    (message,) = smtp.parsed()
    assert smtp.messages[0][0] == ["aline@example.org"]
    # Python folds a long encoded subject after "Subject:", which a parser reads as a space.
    assert message["Subject"].strip().startswith(PREFIX + "Confirmez votre abonnement")
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = [link for link in re.findall(r"https?://\S+", body) if ours(link)]
    assert urlsplit(link).path.startswith("/fr/newsletter/confirm/")
    subscriber = Subscriber.objects.get(email="aline@example.org")
    assert subscriber.confirmed_at is None

    assert Client().get(**local(link)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None  # opening the link (a mail scanner) confirms nothing
    assert Client().post(**local(link)).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert Client().post(**local(link)).status_code == 400  # once only
