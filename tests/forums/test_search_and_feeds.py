"""Searching the dialogue and following a forum: only approved posts of visible threads, only
in the forums the reader may see; full text with stemming on PostgreSQL, a plain fallback on
SQLite; an Atom feed for each public forum and none for the others."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import StakeholderGroup
from forums import search, services
from forums.models import Post, PostStatus, Visibility
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("forums:search")
ATOM = "{http://www.w3.org/2005/Atom}"
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming and ranking are PostgreSQL's"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback")


def bodies(response):
    return [post.body for post in response.context["posts"]]


def found(client, query, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return bodies(response)


@pytest.fixture
def forum():
    return ForumFactory(slug="gold", name="Gold mining", name_fr="Orpaillage")


def test_search_finds_approved_posts_with_their_thread_forum_author_and_snippet(client, forum):
    author = UserFactory(name="Amina Kamara")
    thread = ThreadFactory(forum=forum, title="Mercury in the rivers", author=author)
    PostFactory(
        thread=thread,
        author=author,
        body="Retorts cut the mercury that reaches the river by half.",
    )
    PostFactory(thread=thread, body="Nothing to do with the subject.")

    response = client.get(SEARCH, {"q": "retorts"})

    assert bodies(response) == ["Retorts cut the mercury that reaches the river by half."]
    assert "1 post found" in response.text
    assert "Mercury in the rivers" in response.text
    assert "in Gold mining" in response.text
    assert "Amina Kamara" in response.text
    assert "<mark>Retorts</mark> cut the mercury" in response.text
    post = response.context["posts"][0]
    assert f'href="{post.get_absolute_url()}"' in response.text
    assert 'name="robots" content="noindex, follow"' in response.text


def test_snippets_are_escaped_before_the_words_are_marked(client, forum):
    PostFactory(
        thread=ThreadFactory(forum=forum),
        body="Uranium <script>alert(1)</script> and \x02forged\x03 marks.",
    )

    response = client.get(SEARCH, {"q": "uranium"})

    assert "<mark>Uranium</mark>" in response.text
    assert "<script>alert(1)" not in response.text
    assert "<mark>forged" not in response.text


def test_an_empty_query_shows_the_form_only(client, forum):
    ThreadFactory(forum=forum)

    for params in ({}, {"q": "   "}):
        response = client.get(SEARCH, params)

        assert response.status_code == 200
        assert list(response.context["posts"]) == []
        assert 'role="search"' in response.text
        assert "found" not in response.text
        assert "No post matches" not in response.text


def test_a_query_longer_than_200_characters_is_refused_with_a_form_error(client, forum):
    ThreadFactory(forum=forum, opening__body="gold " * 50)

    response = client.get(SEARCH, {"q": "gold " * 41})

    assert response.context["form"].errors["q"]
    assert "is-invalid" in response.text
    assert "at most 200 characters" in response.text
    assert list(response.context["posts"]) == []


def test_no_match_says_so(client, forum):
    ThreadFactory(forum=forum)

    response = client.get(SEARCH, {"q": "zirconium"})

    assert "0 posts found" in response.text
    assert "No post matches" in response.text


def test_results_are_paginated_by_20_with_links_that_keep_the_query(client, forum):
    thread = ThreadFactory(forum=forum, opening__body="Opening words.")
    for n in range(23):
        PostFactory(thread=thread, body=f"Cobalt remark {n}.")

    first = client.get(SEARCH, {"q": "cobalt"})
    second = client.get(SEARCH, {"q": "cobalt", "page": "2"})

    assert len(bodies(first)) == 20
    assert len(bodies(second)) == 3
    assert len(set(bodies(first)) | set(bodies(second))) == 23  # each page its own posts
    assert bodies(client.get(SEARCH, {"q": "cobalt", "page": "last"})) == bodies(second)
    assert 'href="?q=cobalt&amp;page=2"' in first.text
    assert "23 posts found" in first.text
    assert client.get(SEARCH, {"q": "cobalt", "page": "9"}).status_code == 404


@pytest.mark.parametrize(
    "status", [PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REJECTED], ids=str
)
def test_posts_not_approved_are_never_found_even_by_their_author_or_a_moderator(
    client, forum, status
):
    author = UserFactory()
    thread = ThreadFactory(forum=forum, opening__body="Approved opening.")
    PostFactory(thread=thread, author=author, status=status, body="Tantalum secret words.")
    moderator = UserFactory(groups=["Moderators"], is_staff=True)

    assert found(client, "tantalum") == []
    assert found(client, "tantalum", user=author) == []
    assert found(client, "tantalum", user=moderator) == []


def test_approved_replies_in_a_thread_awaiting_moderation_are_not_found(client, forum):
    thread = ThreadFactory(
        forum=forum, opening__status=PostStatus.PENDING, opening__body="Pending opening."
    )
    PostFactory(thread=thread, body="Approved reply about wolfram.")
    thread.refresh_from_db()
    assert not thread.is_visible

    assert found(client, "wolfram") == []


@pytest.fixture
def restricted():
    """A restricted forum for NGOs and a members' forum, each with one approved post."""
    ngo_forum = ForumFactory(
        slug="ngo-only",
        visibility=Visibility.RESTRICTED,
        allowed_groups=[StakeholderGroup.NGO],
    )
    members = ForumFactory(slug="members", visibility=Visibility.MEMBERS)
    ThreadFactory(forum=ngo_forum, title="Strategy", opening__body="Confidential beryllium plan.")
    ThreadFactory(forum=members, title="Members", opening__body="Beryllium for members.")
    return ngo_forum


def test_a_restricted_forum_is_found_only_by_those_allowed_to_see_it(client, restricted):
    ThreadFactory(title="Open", opening__body="Public beryllium talk.")
    outsider = UserFactory(stakeholder_group=StakeholderGroup.MINER)
    ngo = UserFactory(stakeholder_group=StakeholderGroup.NGO)
    named = UserFactory(stakeholder_group=StakeholderGroup.COMPANY)
    restricted.members.add(named)

    visitor = client.get(SEARCH, {"q": "beryllium"})
    assert bodies(visitor) == ["Public beryllium talk."]
    assert "1 post found" in visitor.text
    assert "ngo-only" not in visitor.text
    assert "Strategy" not in visitor.text

    assert sorted(found(client, "beryllium", user=outsider)) == [
        "Beryllium for members.",
        "Public beryllium talk.",
    ]
    assert "Confidential beryllium plan." in found(client, "beryllium", user=ngo)
    assert "Confidential beryllium plan." in found(client, "beryllium", user=named)


def test_an_edited_post_is_found_by_its_new_words_and_not_its_old_ones(client, forum):
    author = UserFactory()
    thread = ThreadFactory(forum=forum, author=author, opening__body="Diamonds are mined here.")
    post = thread.posts.get()

    services.post_edit(editor=author, post=post, body="Sapphires are mined here.", language="en")

    assert found(client, "sapphires") == ["Sapphires are mined here."]
    assert found(client, "diamonds") == []


def test_posts_written_through_the_services_are_found(client, forum):
    author = UserFactory()
    thread = services.thread_start(
        author=author, forum=forum, title="Lithium rush", body="Opening on bauxite.", language="en"
    )
    services.post_reply(
        author=UserFactory(), thread=thread, body="A reply on coltan.", language="en"
    )

    assert found(client, "bauxite") == ["Opening on bauxite."]
    assert found(client, "coltan") == ["A reply on coltan."]
    # The thread's title is searched with each of its posts.
    assert sorted(found(client, "lithium")) == ["A reply on coltan.", "Opening on bauxite."]


@on_postgres
def test_postgres_stems_french_words(client, forum):
    thread = ThreadFactory(forum=forum, title="Réserve d'Itombwe", opening__body="Bonjour.")
    PostFactory(
        thread=thread,
        language="fr",
        body="L'exploitation minière artisanale progresse dans la réserve.",
    )

    assert found(client, "minier") == [
        "L'exploitation minière artisanale progresse dans la réserve."
    ]
    assert found(client, "exploitations") == found(client, "minier")


@on_postgres
def test_postgres_stems_english_words_and_ranks_the_title_first(client, forum):
    in_body = ThreadFactory(forum=forum, title="Water", opening__body="Panning for gold.")
    PostFactory(thread=in_body, body="The river is mined every dry season.")
    ThreadFactory(forum=forum, title="Mining and water", opening__body="An opening.")

    assert found(client, "mining") == ["An opening.", "The river is mined every dry season."]


@on_postgres
def test_postgres_indexes_each_post_in_its_own_language(forum):
    thread = ThreadFactory(forum=forum, title="Titre", opening__body="Opening.")
    french = PostFactory(thread=thread, language="fr", body="Les orpailleurs travaillent.")
    other = PostFactory(thread=thread, language="other", body="Wachimbaji wadogo wanafanya kazi.")

    vectors = dict(
        Post.objects.filter(pk__in=[french.pk, other.pk]).values_list("pk", "search_vector")
    )

    assert "'orpailleur':" in vectors[french.pk]  # French stemmer
    assert "'titr':1A" in vectors[french.pk]  # the thread's title, weighted A
    assert "'wachimbaji':" in vectors[other.pk]  # unstemmed ("simple")
    assert "'titre':1A" in vectors[other.pk]


@on_postgres
def test_postgres_snippets_come_from_ts_headline(client, forum):
    PostFactory(
        thread=ThreadFactory(forum=forum),
        body="Before. " * 60 + "Miners asked for licences. " + "After. " * 60,
    )

    (post,) = client.get(SEARCH, {"q": "licence"}).context["posts"]

    assert "<mark>licences</mark>" in post.snippet
    assert len(post.snippet) < 400


@on_sqlite
def test_sqlite_finds_whole_words_of_the_text_or_title_through_fts5(client, forum):
    thread = ThreadFactory(forum=forum, title="Mercury retorts", opening__body="Opening.")
    PostFactory(thread=thread, body="Cooperatives share the MERCURY-free équipement.")

    assert sorted(found(client, "mercury")) == [
        "Cooperatives share the MERCURY-free équipement.",
        "Opening.",
    ]
    assert found(client, "mercur") == []  # whole words: FTS5 does not stem
    assert found(client, "mercury cooperatives") == [
        "Cooperatives share the MERCURY-free équipement."
    ]
    assert found(client, "equipement") == ["Cooperatives share the MERCURY-free équipement."]
    response = client.get(SEARCH, {"q": "cooperatives"})
    assert "<mark>Cooperatives</mark> share" in response.text
    assert search.count(search.matching(UserFactory(), "!!!")) == 0


def test_a_post_in_another_language_than_the_page_has_its_lang(client, forum):
    thread = ThreadFactory(forum=forum, opening__body="Gold in English.")
    PostFactory(thread=thread, language="fr", body="Gold en français.")

    response = client.get(SEARCH, {"q": "gold"})

    assert response.text.count('class="snippet mb-0" lang="fr"') == 1
    assert 'lang="en"' not in response.text.split("<main", 1)[-1]
    with translation.override("fr"):  # the French search page
        french_page = client.get(reverse("forums:search"), {"q": "gold"}).text.split("<main", 1)[-1]
    assert french_page.count('class="snippet mb-0" lang="en"') == 1
    assert 'lang="fr"' not in french_page


def build_dialogue(size):
    forums = [ForumFactory(), ForumFactory(visibility=Visibility.MEMBERS)]
    for n in range(size):
        thread = ThreadFactory(forum=forums[n % 2], opening__body=f"Gold opening {n}.")
        PostFactory(thread=thread, body=f"Gold reply {n}.", language=["en", "fr"][n % 2])


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "stakeholder"])
def test_the_search_page_costs_the_same_queries_for_few_or_many_results(
    client, django_assert_num_queries, signed_in
):
    if signed_in:
        client.force_login(UserFactory())
    build_dialogue(2)
    client.get(SEARCH)  # fills the caches every page shares
    with CaptureQueriesContext(connection) as small:
        response = client.get(SEARCH, {"q": "gold"})
    assert response.context["paginator"].count == (4 if signed_in else 2)
    build_dialogue(20)

    with django_assert_num_queries(len(small)):
        response = client.get(SEARCH, {"q": "gold"})

    assert len(response.context["posts"]) == 20
    # The forums the reader sees, the query as PostgreSQL reads it, the page ranked, its posts
    # and their passages (PostgreSQL); a signed-in reader's unread notices in the header; and
    # without a cache to hold its version, the vocabulary that expands the query (five:
    # thesaurus.vocabulary).
    assert len(small) <= (18 if signed_in else 10)


def feed_entries(response):
    root = ET.fromstring(response.content)
    return root, root.findall(f"{ATOM}entry")


def test_a_public_forum_has_a_feed_of_its_approved_posts(client, forum):
    author = UserFactory(name="Jean Mukendi")
    thread = ThreadFactory(forum=forum, title="Gold prices", author=author)
    reply = PostFactory(thread=thread, author=author, body="Prices **rose**.")
    for status in (PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REJECTED):
        PostFactory(thread=thread, status=status, body=f"A {status} post.")
    ThreadFactory(forum=forum, opening__status=PostStatus.PENDING, opening__body="Unseen.")
    ThreadFactory(opening__body="In another forum.")

    response = client.get(reverse("forums:feed", kwargs={"slug": forum.slug}))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root, entries = feed_entries(response)
    assert root.find(f"{ATOM}title").text == "ASM-PACE dialogue: Gold mining"
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [
        "Gold prices — Jean Mukendi"
    ] * 2
    assert [entry.find(f"{ATOM}author/{ATOM}name").text for entry in entries] == [
        "Jean Mukendi"
    ] * 2
    newest = entries[0]
    assert newest.find(f"{ATOM}link").get("href").endswith(reply.get_absolute_url())
    assert newest.find(f"{ATOM}summary").text == "<p>Prices <strong>rose</strong>.</p>"
    assert newest.find(f"{ATOM}published") is not None
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(set(ids)) == 2
    for text in ("pending", "hidden", "rejected", "Unseen", "another forum"):
        assert text not in response.text


def test_the_feed_sanitises_and_keeps_the_latest_30(client, forum):
    thread = ThreadFactory(forum=forum, opening__body="Opening.")
    PostFactory.create_batch(30, thread=thread)
    newest = PostFactory(thread=thread, body="Last <script>alert(1)</script> word.")

    _root, entries = feed_entries(client.get(reverse("forums:feed", args=[forum.slug])))

    assert len(entries) == 30
    assert entries[0].find(f"{ATOM}link").get("href").endswith(newest.get_absolute_url())
    assert "<script>" not in entries[0].find(f"{ATOM}summary").text
    assert "Opening." not in [entry.find(f"{ATOM}summary").text for entry in entries]


@pytest.mark.parametrize("visibility", [Visibility.MEMBERS, Visibility.RESTRICTED])
def test_forums_that_are_not_public_have_no_feed_even_for_their_members(client, visibility):
    forum = ForumFactory(visibility=visibility, allowed_groups=[StakeholderGroup.MINER])
    ThreadFactory(forum=forum, opening__body="Members only.")
    client.force_login(UserFactory(stakeholder_group=StakeholderGroup.MINER))
    assert client.get(forum.get_absolute_url()).status_code == 200

    response = client.get(reverse("forums:feed", args=[forum.slug]))

    assert response.status_code == 404
    assert "Members only." not in response.text


def test_an_unknown_forum_has_no_feed(client):
    assert client.get(reverse("forums:feed", args=["nowhere"])).status_code == 404


def test_a_public_forum_page_links_its_feed(client, forum):
    response = client.get(forum.get_absolute_url())

    feed = reverse("forums:feed", args=[forum.slug])
    assert f'type="application/atom+xml" title="Gold mining" href="{feed}"' in response.text


@on_postgres
def test_a_word_in_very_many_posts_ranks_only_the_newest_matches(client, forum, monkeypatch):
    from forums import search

    monkeypatch.setattr(search, "RANKED_AT_MOST", 3)
    thread = ThreadFactory(forum=forum)
    posts = [PostFactory(thread=thread, body=f"Gold from pit {n}") for n in range(5)]

    response = client.get(SEARCH, {"q": "gold"})

    assert {post.pk for post in response.context["posts"]} == {post.pk for post in posts[-3:]}
    assert "The 3 newest matching posts, best first" in response.text
