"""The site-wide search at /search/: studies (their PDFs' text too), case-study sites and posts
found together, grouped by kind, only what the reader may see; the box in every page's header."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import trans_real

from accounts.models import StakeholderGroup
from forums.models import Post, PostStatus, Visibility
from tests.factories import (
    ForumFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("portal:search")


def search(client, query, **params):
    """The search page at its address in the active language."""
    response = client.get(reverse("portal:search"), {"q": query, **params})
    assert response.status_code == 200
    return response


def found(response):
    """{kind: [title, ...]} of the sections on the page, in their order."""
    sections = {}
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        for section in response.context["sections"]:
            if section.kind == "studies":
                sections["studies"] = [study.title for study in section.results]
            elif section.kind == "sites":
                sections["sites"] = [site.text.name for site in section.results]
            else:
                sections["dialogue"] = [post.body for post in section.results]
    return sections


def headings(response):
    return re.findall(r'<h2 id="search-\w+"[^>]*>([^<]*)</h2>', response.text)


@pytest.fixture
def forum():
    return ForumFactory(slug="gold", name="Gold mining", name_fr="Orpaillage")


@pytest.fixture
def editor():
    return UserFactory(groups=["Editors"], is_staff=True)


def test_the_header_of_every_page_has_the_search_box(client):
    response = client.get(reverse("portal:home"))

    header = re.search(r'<header class="site-header">.*</header>', response.text, re.S).group()
    form = re.search(
        r'<form role="search" action="/en/search/" method="get"[^>]*>.*?</form>', header, re.S
    )
    assert form, header
    field = re.search(r'<input type="search" name="q" id="([\w-]+)"', form.group())
    assert field
    assert f'<label for="{field.group(1)}" class="visually-hidden">Search</label>' in form.group()
    # A magnifier, named for screen readers.
    assert re.search(
        r'<button type="submit"[^>]*><svg [^>]*aria-hidden="true".*?</svg>'
        r'<span class="visually-hidden">Search</span></button>',
        form.group(),
    )
    assert SEARCH == "/en/search/"


def test_sierra_leone_finds_a_study_by_its_pdf_a_site_and_a_post_together(client, forum):
    study = PublicationFactory(
        title="Mining and conservation",
        abstract="How a park and its miners share a landscape.",
        pdf=["Diamond diggers in Sierra Leone work inside the Gola forest."],
    )
    site = SiteFactory(slug="gola", name="Gola Rainforest National Park", country="SL")
    SiteFactory(slug="sapo", name="Sapo National Park", country="LR")
    thread = ThreadFactory(
        forum=forum,
        title="Alluvial mining",
        opening__body="In Sierra Leone the chiefdoms license the diggers.",
    )
    post = thread.posts.get()
    PublicationFactory(title="Madagascar", pdf=["Sapphires near Ankarafantsika."])

    response = search(client, "sierra leone")

    assert found(response) == {
        "studies": ["Mining and conservation"],
        "sites": ["Gola Rainforest National Park"],
        "dialogue": ["In Sierra Leone the chiefdoms license the diggers."],
    }
    assert headings(response) == ["Studies", "Sites", "Dialogue"]
    text = response.text
    assert f'<a href="{study.get_absolute_url()}">Mining and conservation</a>' in text
    assert f'<a href="{site.get_absolute_url()}">Gola Rainforest National Park</a>' in text
    assert f'<a href="/en/forums/posts/{post.pk}/">Alluvial mining</a>' in text
    assert "1 study found" in text
    assert "1 site found" in text
    assert "1 post found" in text
    assert "<mark>Sierra</mark> <mark>Leone</mark> work inside" in text  # the PDF's words
    assert "in Gold mining" in text
    assert '<meta name="robots" content="noindex, follow">' in text
    assert "<title>Search results for “sierra leone” · ASM-PACE</title>" in text
    assert "Nothing found" not in text


def test_a_study_is_found_by_a_word_that_is_only_inside_its_pdf(client):
    study = PublicationFactory(
        title="Mining rushes", abstract="Rushes and parks.", pdf=["Zircon sands of the coast."]
    )
    assert "zircon" in study.text.lower()
    assert "zircon" not in f"{study.title} {study.abstract}".lower()

    response = search(client, "zircon")

    assert found(response) == {"studies": ["Mining rushes"]}
    assert "<mark>Zircon</mark> sands" in response.text


def test_a_site_is_found_by_its_text_in_the_readers_language_and_its_name_in_any(client):
    SiteFactory(
        slug="gola",
        name="Gola Rainforest National Park",
        fr="Parc national de la forêt tropicale de Gola",
    )
    SiteFactory(slug="sapo", name="Sapo National Park", country="LR")

    assert found(search(client, "rainforest")) == {"sites": ["Gola Rainforest National Park"]}
    # Its French name, for an English reader: found, and shown in English.
    assert found(search(client, "tropicale")) == {"sites": ["Gola Rainforest National Park"]}

    with translation.override("fr"):  # the French search page
        assert found(search(client, "tropicale")) == {
            "sites": ["Parc national de la forêt tropicale de Gola"]
        }
        # Without a French text, a site is searched in the English one that French readers see.
        assert found(search(client, "sapo")) == {"sites": ["Sapo National Park"]}


def test_a_site_is_found_by_its_designation_region_summary_or_country(client):
    site = SiteFactory(slug="itombwe", name="Itombwe", country="CD")
    text = site.texts.get()
    text.designation = "Nature reserve"
    text.region = "South Kivu"
    text.summary = "Gold and *cassiterite* are mined in the reserve."
    text.save()

    for query in ("nature reserve", "kivu", "cassiterite", "congo"):
        assert found(search(client, query)) == {"sites": ["Itombwe"]}, query
    response = search(client, "cassiterite")
    assert "<mark>cassiterite</mark> are mined" in response.text
    assert "*cassiterite*" not in response.text  # the summary as read, not its Markdown


def test_a_site_is_found_whatever_the_case_of_its_accented_letters_and_not_by_a_word_it_lacks(
    client,
):
    site = SiteFactory(slug="itombwe", name="Itombwe", country="CD")
    text = site.texts.get()
    text.summary = "ÉCOSYSTÈME de montagne."
    text.save()

    assert found(search(client, "écosystème montagne")) == {"sites": ["Itombwe"]}
    assert found(search(client, "écosystème -montagne")) == {}
    assert found(search(client, "écosystème forêt")) == {}


def test_a_post_is_found_by_its_body(client, forum):
    thread = ThreadFactory(forum=forum, title="Water", opening__body="Opening words.")
    PostFactory(thread=thread, body="Retorts keep the mercury out of the river.")

    response = search(client, "retorts")

    assert found(response) == {"dialogue": ["Retorts keep the mercury out of the river."]}
    assert "<mark>Retorts</mark> keep" in response.text


def test_unpublished_studies_and_sites_are_found_by_editors_only(client, editor):
    PublicationFactory(title="Draft study", abstract="Tantalum draft.", is_published=False)
    SiteFactory(slug="draft", name="Tantalum hills", is_published=False)
    someone = UserFactory()

    assert found(search(client, "tantalum")) == {}
    client.force_login(someone)
    assert found(search(client, "tantalum")) == {}

    client.force_login(editor)
    response = search(client, "tantalum")
    assert found(response) == {"studies": ["Draft study"], "sites": ["Tantalum hills"]}
    assert response.text.count("Not published") == 2


def test_a_restricted_forum_is_searched_by_its_members_only(client, forum):
    restricted = ForumFactory(
        slug="ngo-only", visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO]
    )
    ThreadFactory(forum=restricted, title="Strategy", opening__body="Confidential beryllium plan.")
    ThreadFactory(forum=forum, title="Open", opening__body="Public beryllium talk.")
    outsider = UserFactory(stakeholder_group=StakeholderGroup.MINER)
    named = UserFactory(stakeholder_group=StakeholderGroup.COMPANY)
    restricted.members.add(named)

    response = search(client, "beryllium")
    assert found(response) == {"dialogue": ["Public beryllium talk."]}
    assert "Strategy" not in response.text
    client.force_login(outsider)
    assert found(search(client, "beryllium")) == {"dialogue": ["Public beryllium talk."]}

    client.force_login(UserFactory(stakeholder_group=StakeholderGroup.NGO))
    assert sorted(found(search(client, "beryllium"))["dialogue"]) == [
        "Confidential beryllium plan.",
        "Public beryllium talk.",
    ]
    client.force_login(named)
    assert "Confidential beryllium plan." in found(search(client, "beryllium"))["dialogue"]


@pytest.mark.parametrize("status", [PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REJECTED])
def test_posts_that_are_not_approved_are_found_by_nobody_until_approved(client, forum, status):
    """As everywhere in search and feeds: only approved posts, whoever reads (README)."""
    author = UserFactory()
    thread = ThreadFactory(forum=forum, title="Open", opening__body="Opening words.")
    post = PostFactory(thread=thread, author=author, status=status, body="Osmium smuggling.")
    moderator = UserFactory(groups=["Moderators"], is_staff=True)

    for reader in (None, author, moderator):
        if reader:
            client.force_login(reader)
        response = search(client, "osmium")
        assert found(response) == {}
        assert "Osmium" not in response.text

    Post.objects.filter(pk=post.pk).update(status=PostStatus.APPROVED, approved_at=post.created_at)
    client.logout()
    assert found(search(client, "osmium")) == {"dialogue": ["Osmium smuggling."]}


def test_an_empty_query_shows_the_hint_and_runs_no_query(client, django_assert_num_queries):
    PublicationFactory(title="Anything")
    client.get(SEARCH)  # the layout's own first-time work: footer pages, cached

    for params in ({}, {"q": ""}, {"q": "   \t "}):
        with django_assert_num_queries(0):
            response = client.get(SEARCH, params)
        assert response.status_code == 200
        assert response.context["sections"] == []
        assert "Type words in the search box at the top of the page" in response.text
        assert "<title>Search the portal · ASM-PACE</title>" in response.text
        assert "Nothing found" not in response.text
    assert 'name="robots"' not in client.get(SEARCH).text


def test_a_query_of_a_thousand_characters_is_refused_with_a_message(
    client, django_assert_num_queries
):
    PublicationFactory(title="Anything", abstract="a" * 50)
    client.get(SEARCH)

    with django_assert_num_queries(0):
        response = client.get(SEARCH, {"q": "a" * 1000})

    assert response.status_code == 200
    assert response.context["sections"] == []
    assert "A search may be at most 200 characters long; this one has 1000." in response.text
    assert 'role="alert"' in response.text
    assert "a" * 201 not in response.text.split("<main", 1)[1]
    assert 'id="site-search-q" class="form-control form-control-sm" value=""' in response.text


def test_a_query_of_two_hundred_characters_is_searched(client):
    PublicationFactory(title="Gold", abstract="gold")
    response = search(client, " ".join(["gold"] * 40))
    assert found(response) == {"studies": ["Gold"]}


@pytest.mark.parametrize("query", ['"', "&", '"&<>', "<script>", "*:& |!", "'", "--"])
def test_odd_characters_find_nothing_and_break_nothing(client, forum, query):
    PublicationFactory(title="A study", abstract="Any words at all.")
    SiteFactory(slug="gola", name="Gola")
    ThreadFactory(forum=forum, title="Open", opening__body="Any words.")

    response = search(client, query)

    assert found(response) == {}
    assert "Nothing found for" in response.text
    assert "<script>" not in response.text.split("<main", 1)[1]


def test_the_query_is_escaped_wherever_the_page_shows_it(client, forum):
    PublicationFactory(title="Script kiddies", abstract="A <script> in the abstract & more.")
    ThreadFactory(forum=forum, title="Tom & Jerry", opening__body='A "script" <b>tag</b>.')

    response = search(client, '<script>alert("x")</script> & "quoted"')

    text = response.text
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quoted&quot;" in text
    assert 'value="&lt;script&gt;alert(&quot;x&quot;)' in text  # the header's box
    assert "<b>tag</b>" not in text


def test_each_section_shows_five_and_links_to_its_full_search(client, forum):
    for n in range(7):
        PublicationFactory(title=f"Cobalt study {n}", abstract="Cobalt.")
        SiteFactory(slug=f"cobalt-{n}", name=f"Cobalt site {n}")
    thread = ThreadFactory(forum=forum, title="Cobalt", opening__body="Cobalt opening.")
    for n in range(6):
        PostFactory(thread=thread, body=f"Cobalt reply {n}.")

    response = search(client, "cobalt")

    assert {kind: len(titles) for kind, titles in found(response).items()} == {
        "studies": 5,
        "sites": 5,
        "dialogue": 5,
    }
    text = html.unescape(response.text)
    assert "7 studies found" in text
    assert "7 sites found" in text
    assert "7 posts found" in text
    assert '<a href="/en/publications/?q=cobalt">More studies in the library</a>' in text
    assert '<a href="/en/forums/search/?q=cobalt">More posts in the dialogue search</a>' in text
    assert '<a href="/en/search/?q=cobalt&kind=sites">All the sites found</a>' in text

    every_site = search(client, "cobalt", kind="sites")
    assert found(every_site) == {"sites": [f"Cobalt site {n}" for n in range(7)]}
    assert "All the sites found" not in every_site.text


def test_the_dialogue_section_ranks_only_the_newest_matching_posts(client, forum, monkeypatch):
    from portal import search as portal_search

    monkeypatch.setattr(portal_search, "POSTS_RANKED", 3)
    thread = ThreadFactory(forum=forum)
    posts = [PostFactory(thread=thread, body=f"Cobalt from pit {n}") for n in range(5)]

    response = search(client, "cobalt")

    (section,) = response.context["sections"]
    assert section.count == 3
    assert section.capped
    assert {post.pk for post in section.results} == {post.pk for post in posts[-3:]}
    assert "The 3 newest matching posts, best first" in response.text


def test_a_section_with_few_results_has_no_more_link(client):
    PublicationFactory(title="Cobalt study", abstract="Cobalt.")
    response = search(client, "cobalt")
    assert "More studies in the library" not in response.text


@pytest.fixture
def french_catalogue():
    """The French catalogue, with a stand-in for each new word it does not translate yet: so
    that the test fails if a heading is not marked for translation, translated or not yet."""
    catalogue = trans_real.translation("fr")._catalog
    stand_ins = {
        "Studies": "Études",
        "Search results for “%(query)s”": "Résultats de la recherche « %(query)s »",
    }
    added = [msgid for msgid in stand_ins if msgid not in catalogue]
    for msgid in added:
        catalogue[msgid] = stand_ins[msgid]
    yield
    for msgid in added:
        del catalogue._catalogs[0][msgid]


def test_the_page_in_french(client, forum, french_catalogue):
    PublicationFactory(title="Étude", abstract="Sierra Leone.")
    SiteFactory(slug="gola", name="Gola", fr="Gola (fr)", country="SL")
    ThreadFactory(forum=forum, title="Sujet", opening__body="Sierra Leone.")
    with translation.override("fr"):  # the French search page
        response = search(client, "sierra leone")

    with translation.override("fr"):
        expected = [translation.gettext(word) for word in ("Studies", "Sites", "Dialogue")]
        title = translation.gettext("Search results for “%(query)s”") % {"query": "sierra leone"}
    assert headings(response) == expected
    assert expected[0] != "Studies"
    assert '<html lang="fr">' in response.text
    assert f"<title>{escape(title)} · ASM-PACE</title>" in response.text
    assert f'<h1 class="mb-4">{escape(title)}</h1>' in response.text
    assert '"visually-hidden">Rechercher</span></button>' in response.text  # the header's box
    assert "dans Orpaillage" in response.text


def grow(forum, restricted, n, start):
    for i in range(start, start + n):
        published = i % 3 != 0  # a third of them for editors only
        PublicationFactory(title=f"Niobium study {i}", abstract="Niobium.", is_published=published)
        SiteFactory(
            slug=f"niobium-{i}", name=f"Niobium site {i}", fr=f"Niobium {i}", is_published=published
        )
        author = UserFactory()
        ThreadFactory(forum=forum, author=author, opening__body=f"Niobium {i}.")
        ThreadFactory(forum=restricted, author=author, opening__body=f"Niobium {i}, members.")


# Measured on SQLite. A visitor's page: for studies, sites and posts each a count, the first
# five and their snippets or texts, and the forums. A signed-in reader's adds the session, the
# user, permissions, forum memberships and the confirmed address; a moderator's, whether they
# are suspended (a suspension takes their moderation powers away). PostgreSQL adds 7 for the
# library's match through its index alone (publications.search.found): the transaction's two
# ends, its settings (three), the query's words and the match.
# With the vocabulary that expands the query (five queries, read at each search without a cache
# to hold its version: thesaurus.vocabulary).
QUERIES = {"visitor": 14, "member": 21, "editor": 20}


def queries(client, language="en"):
    with translation.override(language):  # the search page's address in that language
        url = reverse("portal:search")
    client.get(url, {"q": "niobium"})  # warm: session, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": "niobium"})
    assert response.status_code == 200
    return len(captured), [section.count for section in response.context["sections"]]


# What each reader finds of 3, then 30, of each kind: studies, sites, posts.
FOUND = {
    "visitor": ([2, 2, 3], [20, 20, 30]),
    "member": ([2, 2, 6], [20, 20, 60]),
    "editor": ([3, 3, 6], [30, 30, 60]),
}


@pytest.mark.parametrize("reader", FOUND)
def test_the_page_costs_the_same_queries_however_much_is_found(client, forum, reader):
    restricted = ForumFactory(
        slug="ngo-only", visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO]
    )
    if reader == "member":
        client.force_login(UserFactory(stakeholder_group=StakeholderGroup.NGO))
    elif reader == "editor":
        client.force_login(UserFactory(groups=["Editors", "Moderators"], is_staff=True))
    grow(forum, restricted, 3, start=0)
    small, counts = queries(client)
    assert counts == FOUND[reader][0]

    grow(forum, restricted, 27, start=3)
    large, counts = queries(client)
    french, french_counts = queries(client, language="fr")

    assert counts == french_counts == FOUND[reader][1]
    assert large == small == french, (small, large, french)
    assert large <= QUERIES[reader] + (7 if connection.vendor == "postgresql" else 0), large
