"""render_email: every email in its reader's language, with the prefix and marked automatic."""

import pytest
from django.contrib.sites.models import Site

from core.emails import absolute_url, render_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def domain():
    Site.objects.update_or_create(pk=1, defaults={"domain": "portal.example.org"})


def test_an_email_is_rendered_in_the_readers_language_with_the_prefix_and_header(settings):
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ASM-PACE] "
    reader = UserFactory(preferred_language="fr", name="Amani")

    message = render_email(
        "forums/email/lifted", {"reason": "Erreur"}, reader=reader, headers={"X-Kind": "test"}
    )

    assert message.to == [reader.email]
    assert message.subject == "[ASM-PACE] Votre compte peut de nouveau prendre part au dialogue"
    assert "Bonjour Amani" in message.body
    assert "http://portal.example.org/fr/pages/code-of-conduct/" in message.body
    assert message.extra_headers == {"X-Kind": "test", "Auto-Submitted": "auto-generated"}
    assert message.alternatives == []


def test_an_html_part_is_added_when_asked(settings):
    reader = UserFactory(preferred_language="en")
    message = render_email(
        "forums/email/digest",
        {"threads": [], "post_count": 0, "followed": []},
        reader=reader,
        html=True,
    )

    (html, mime), *_ = message.alternatives
    assert mime == "text/html"
    assert html.lstrip().startswith("<!doctype html>")
    assert '<html lang="en">' in html


def test_links_in_emails_name_the_portal_by_its_site_domain(settings):
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

    assert absolute_url("/forums/") == "https://portal.example.org/forums/"
