import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import Page
from tests.factories import PageFactory
from tests.portal.test_home import HOME_QUERIES

pytestmark = pytest.mark.django_db


def test_home_presents_the_programme(client, programme_content):
    page = client.get(reverse("portal:home")).content.decode()

    assert "Artisanal and Small-scale Mining" in page or "artisanal" in page.lower()
    # The programme in its own words, shorter: each page's summary and a link to the whole page.
    objectives = re.search(r'id="objectives".*?</div>', page, re.S)[0]
    assert "seven objectives" in objectives
    assert f'href="{reverse("portal:page", args=["objectives"])}"' in objectives
    for principle in ("Conducting research", "technical assistance", "long-lasting community"):
        assert principle.lower() in page.lower()
    for partner in ("WWF", "Levin Sources", "Tiffany", "World Bank"):
        assert partner in page
    assert reverse("account_signup") in page


def test_home_has_landmarks_and_a_skip_link(client, programme_content):
    page = client.get(reverse("portal:home")).content.decode()

    assert '<a class="skip-link" href="#main">' in page
    for landmark in ("<header", '<main id="main"', "<footer", "<nav"):
        assert landmark in page


def test_home_queries_stay_the_same_as_pages_are_added(
    client, programme_content, django_assert_num_queries
):
    client.get(reverse("portal:home"))  # fills the footer cache
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("portal:home"))

    PageFactory.create_batch(25)
    client.get(reverse("portal:home"))
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("portal:home"))


def test_a_page_is_shown_in_the_readers_language(client, programme_content):
    english = client.get(reverse("portal:page", args=["code-of-conduct"])).content.decode()
    with translation.override("fr"):  # the page's French address
        french = client.get(reverse("portal:page", args=["code-of-conduct"])).content.decode()

    assert Page.objects.get(slug="code-of-conduct", language="en").title in english
    assert Page.objects.get(slug="code-of-conduct", language="fr").title in french


def test_a_page_without_a_french_version_is_shown_in_english_and_marked_so(client):
    PageFactory(slug="funding", language="en", title="Funding", body="Only in English.")
    with translation.override("fr"):  # the page's French address
        page = client.get(reverse("portal:page", args=["funding"])).content.decode()

    assert '<html lang="fr">' in page
    assert "Only in English." in page
    assert 'lang="en"' in page


def test_an_unknown_page_is_not_found(client):
    assert client.get(reverse("portal:page", args=["nothing-here"])).status_code == 404


def test_page_detail_queries_are_constant(client, programme_content, django_assert_num_queries):
    url = reverse("portal:page", args=["about"])
    client.get(url)
    with django_assert_num_queries(1):
        client.get(url)


def test_editor_markdown_is_sanitised():
    page = PageFactory(
        body=(
            "Hello <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
            "[click](javascript:alert(1)) [site](https://wwf.org) <b onclick='x()'>b</b>"
        )
    )

    assert "<script" not in page.body_html
    assert "onerror" not in page.body_html
    assert "onclick" not in page.body_html
    assert "javascript:" not in page.body_html
    assert "<img" not in page.body_html
    assert 'href="https://wwf.org"' in page.body_html


def test_footer_links_follow_page_edits(client, programme_content):
    client.get("/en/")
    privacy = Page.objects.get(slug="privacy", language="en")
    privacy.title = "Your privacy"
    privacy.save()

    assert "Your privacy" in client.get("/en/").content.decode()
