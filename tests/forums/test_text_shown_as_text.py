"""Text shown as text: a post's Markdown is rendered (sanitised) in its thread and shown as the
words a reader sees everywhere an excerpt is made (the dialogue's search, the site-wide search,
the admin's review queue), never as Markdown's syntax; an image becomes a note saying it is not
shown, on both databases."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import get_language

from core.text import html_to_text, image_note, markdown_to_text, render_markdown
from forums import search
from forums.models import Post, PostStatus
from tests.core.test_sanitising import assert_harmless
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

MARKDOWN = """## Mercury retorts at the river

Retorts cut the **mercury** that reaches the water, says the [cooperative's guide](https://guide.example/retorts).

> Mercury retorts pay for themselves within a season.

![Retort at the Kamituga cooperative](https://photos.example/retort.png)

- mercury kept in the retort
- *less* mercury bought
"""
PLAIN = (
    "Mercury retorts at the river Retorts cut the mercury that reaches the water, says the "
    "cooperative's guide. Mercury retorts pay for themselves within a season. "
    "[Image not shown: Retort at the Kamituga cooperative] mercury kept in the retort "
    "less mercury bought"
)
# What Markdown's syntax leaves when it is shown as it was written.
SYNTAX = re.compile(r"\*\*|(?:^|\s)#+\s|\]\(|!\[|(?:^|\s)(?:>|&gt;)\s|(?:^|\s)- |\bhttps?://")

QUEUE = reverse("admin:forums_post_changelist") + "?waiting=yes"


def assert_no_markdown(excerpt):
    words = strip_tags(str(excerpt))
    assert not SYNTAX.search(words), f"Markdown's syntax in {words!r}"


@pytest.fixture
def forum():
    return ForumFactory(slug="gold", name="Gold mining")


@pytest.fixture
def post(forum):
    thread = ThreadFactory(forum=forum, title="Gold buyers", opening__body="Opening words.")
    return PostFactory(thread=thread, body=MARKDOWN)


def test_a_post_keeps_the_words_a_reader_sees_without_markdown(post):
    assert post.text == PLAIN
    assert html_to_text(post.body_html) == PLAIN
    assert markdown_to_text(MARKDOWN) == PLAIN
    assert_no_markdown(post.text)


def test_the_plain_text_separates_blocks_reads_entities_and_drops_what_is_not_text():
    assert markdown_to_text("# One\n\ntwo\n\n| a | b |\n|---|---|\n| c | d |") == "One two a b c d"
    assert markdown_to_text("Tom &amp; Jerry `<b>` x<br>y") == "Tom & Jerry <b> x y"
    assert markdown_to_text("Hi <script>alert(1)</script> there") == "Hi there"
    assert markdown_to_text("") == ""


def test_an_image_becomes_a_note_in_the_thread_and_is_not_shown(client, post):
    response = client.get(post.thread.get_absolute_url())

    assert response.status_code == 200
    assert "<em>[Image not shown: Retort at the Kamituga cooperative]</em>" in response.text
    assert "photos.example" not in response.text
    assert "<img" not in response.text.split("<main", 1)[-1]


@pytest.mark.parametrize(
    ("markdown", "note"),
    [
        ("![](https://x.example/a.png)", "[Image not shown]"),
        ("![a  map\n of it](https://x.example/a.png)", "[Image not shown: a map of it]"),
        ("![x][r]\n\n[r]: https://x.example/t.gif", "[Image not shown: x]"),
        ("<img src=x onerror=alert(1)>", "[Image not shown]"),
        ("<IMG SRC=x>", "[Image not shown]"),
    ],
)
def test_every_kind_of_image_becomes_the_note(markdown, note):
    html = render_markdown(markdown)

    assert f"<em>{note}</em>" in html
    assert "<img" not in html.lower()
    assert_harmless(html, markdown)


@pytest.mark.parametrize(
    "markdown",
    [
        "![<script>alert(1)</script>](x)",
        '![x" onerror="alert(1)](https://x.example/a.png)',
        "![<img src=x onerror=alert(1)>](y)",
        "[![x](https://x.example/a.png)](javascript:alert(1))",
        "<img src='x>' onerror=alert(1)>",
        "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    ],
)
def test_an_image_s_description_is_text_never_html(markdown):
    html = render_markdown(markdown, link_rel="nofollow ugc noopener")

    assert "[Image not shown" in html
    assert "<script" not in html
    assert_harmless(html, markdown)


def test_the_note_is_in_the_post_s_language(post, monkeypatch):
    seen = []
    monkeypatch.setattr("core.text.gettext", lambda text: seen.append(get_language()) or text)

    PostFactory(thread=post.thread, language="fr", body="![x](y)")
    PostFactory(thread=post.thread, language="en", body="![x](y)")

    assert seen == ["fr", "en"]


def test_the_dialogue_search_shows_the_words_and_no_markdown(client, post):
    response = client.get(reverse("forums:search"), {"q": "retorts"})

    (found,) = response.context["posts"]
    assert found == post
    assert "<mark>" in found.snippet
    assert_no_markdown(found.snippet)
    assert "guide.example" not in response.text
    assert "photos.example" not in response.text


def test_a_post_found_by_its_title_alone_shows_its_words_without_markdown(client, forum):
    thread = ThreadFactory(forum=forum, title="Tantalum prices", opening__body="Opening words.")
    post = PostFactory(
        thread=thread, body="## Heading\n\n**Bold** words and [a link](https://x.example/y)."
    )

    found = search.with_snippets(search.matching(UserFactory(), "tantalum"), "tantalum")

    snippets = {result.pk: result.snippet for result in found}
    assert " ".join(strip_tags(snippets[post.pk]).split()) == "Heading Bold words and a link."


def test_the_site_wide_search_shows_the_words_and_no_markdown(client, post):
    response = client.get(reverse("portal:search"), {"q": "retorts"})

    assert response.status_code == 200
    (dialogue,) = [s for s in response.context["sections"] if s.kind == "dialogue"]
    (found,) = dialogue.results
    assert found == post
    assert "<mark>" in found.snippet
    assert_no_markdown(found.snippet)
    assert "guide.example" not in response.text


def test_markers_typed_in_a_post_forge_no_mark(client, forum):
    PostFactory(thread=ThreadFactory(forum=forum), body="**Uranium** and \x02forged\x03 marks.")

    (found,) = client.get(reverse("forums:search"), {"q": "uranium"}).context["posts"]

    assert "<mark>Uranium</mark>" in found.snippet
    assert "<mark>forged" not in found.snippet
    assert_no_markdown(found.snippet)


def test_the_search_costs_the_same_queries_for_plain_and_markdown_posts(client, forum):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("forums:search"), {"q": "retorts"}).status_code == 200
        return len(captured)

    thread = ThreadFactory(forum=forum)
    PostFactory(thread=thread, body="Retorts, plain.")
    queries()
    few = queries()
    PostFactory.create_batch(15, thread=thread, body=MARKDOWN)
    assert queries() == few


def test_the_review_queue_shows_the_words_and_no_markdown(client, forum):
    moderator = UserFactory(groups=["Moderators"], is_staff=True)
    client.force_login(moderator)
    pending = PostFactory(
        thread=ThreadFactory(forum=forum), body=MARKDOWN, status=PostStatus.PENDING
    )

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [pending]
    row = re.search(r"<strong>[^<]*</strong><br>([^<]*)<", response.text).group(1)
    assert row.startswith("Mercury retorts at the river Retorts cut the mercury")
    assert_no_markdown(row)
    assert "## Mercury" not in response.text
    assert "**mercury**" not in response.text

    confirm = client.post(
        reverse("admin:forums_post_changelist"),
        {"action": "approve", "_selected_action": [str(pending.pk)]},
    )
    assert confirm.status_code == 200
    assert "Mercury retorts at the river Retorts cut" in confirm.text
    assert "**mercury**" not in confirm.text
    assert "## Mercury" not in confirm.text


def test_the_review_queue_shows_nothing_to_a_member(client, forum):
    PostFactory(thread=ThreadFactory(forum=forum), body=MARKDOWN, status=PostStatus.PENDING)
    client.force_login(UserFactory())

    response = client.get(QUEUE)

    assert response.status_code == 302
    assert "Mercury retorts" not in response.text


def test_the_migration_fills_the_text_and_search_entries_of_existing_posts(client, forum):
    thread = ThreadFactory(forum=forum, title="Gold buyers", opening__body="Opening words.")
    post = PostFactory(thread=thread, body=MARKDOWN)
    linked = PostFactory(thread=thread, body="**Retorts** at [the river](https://x.example/r)")
    # As they were before: no plain text, the image dropped, the entries read from the body.
    old_html = post.body_html.replace(image_note("Retort at the Kamituga cooperative"), "")
    Post.objects.filter(pk=post.pk).update(text="", body_html=old_html)
    Post.objects.filter(pk=linked.pk).update(text="")
    migration = importlib.import_module("forums.migrations.0009_post_text")

    migration.fill(django_apps, SimpleNamespace(connection=connection))

    post.refresh_from_db()
    linked.refresh_from_db()
    assert post.text == PLAIN
    assert "[Image not shown: Retort at the Kamituga cooperative]" in post.body_html
    assert linked.text == "Retorts at the river"
    snippets = [
        found.snippet
        for found in client.get(reverse("forums:search"), {"q": "retorts"}).context["posts"]
    ]
    assert len(snippets) == 2
    for snippet in snippets:
        assert_no_markdown(snippet)
