"""The language of a post: detected from its words when its author does not choose it (lingua,
offline), stored, shown with `lang`, and the text-search configuration it is indexed with."""

import contextlib
import datetime
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from forums import languages, services
from forums.models import Post, PostLanguage, Thread
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = (
    "Artisanal miners in the reserve told us that the river has changed since the dredges "
    "arrived. We need a plan that protects the forest and the families who depend on the gold."
)
FRENCH = (
    "Les exploitations minières artisanales ont changé la rivière depuis l'arrivée des dragues. "
    "Il faut un plan qui protège la forêt et les familles qui dépendent de l'or."
)
SWAHILI = (
    "Wachimbaji wadogo katika hifadhi walituambia kwamba mto umebadilika tangu mashine "
    "zilipofika. Tunahitaji mpango unaolinda msitu na maisha ya familia."
)
PORTUGUESE = (
    "Os garimpeiros artesanais na reserva disseram-nos que o rio mudou desde a chegada das "
    "dragas. Precisamos de um plano que proteja a floresta e as famílias."
)
# French words; English ones in what the links point at, which lingua alone takes for English.
FRENCH_WITH_LINKS = (
    "Lisez la carte : <https://example.org/the-map-of-the-mining-sites-and-the-rivers-of-the-park>"
    " et [ici](https://example.org/what-the-miners-said-about-the-gold-buyers-and-the-dredges)"
)


@pytest.fixture
def forum():
    return ForumFactory(slug="itombwe", name="Itombwe Nature Reserve")


@pytest.fixture
def thread(forum):
    return ThreadFactory(forum=forum, title="Gold buyers", opening__body="Who buys the gold?")


@contextlib.contextmanager
def reading_in(client, language):
    """The pages in this language: by their addresses where these carry it, and the cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        yield


def person(client, **kwargs):
    """A stakeholder of some standing (no new account's limits), signed in."""
    user = UserFactory(date_joined=timezone.now() - datetime.timedelta(days=30), **kwargs)
    client.force_login(user)
    return user


def reply(client, thread, body, language=""):
    """A reply written through the real form by a new person; the post saved, or None."""
    author = person(client)
    url = reverse("forums:reply", kwargs={"forum": thread.forum.slug, "pk": thread.pk})
    response = client.post(url, {"body": body, "language": language})
    assert response.status_code in (200, 302)
    return Post.objects.filter(author=author).first()


def body_lang(page, post):
    """The lang attribute of a post's body on a page (None when it has none)."""
    found = re.search(
        rf'id="post-{post.pk}".*?<div class="post-body"( lang="([^"]*)")?>', page, re.DOTALL
    )
    assert found, f"post {post.pk} is not on the page"
    return found.group(2)


def selected_language(page):
    select = re.search(r'<select name="language".*?</select>', page, re.DOTALL).group()
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def test_english_and_french_posts_with_no_language_chosen_are_stored_and_shown_as_such(
    client, forum
):
    person(client)
    url = reverse("forums:thread_new", kwargs={"slug": forum.slug})
    response = client.post(url, {"title": "The river", "body": ENGLISH, "language": ""})
    assert response.status_code == 302
    thread = Thread.objects.get()
    english = thread.posts.get()

    french = reply(client, thread, FRENCH)

    assert (english.language, french.language) == (PostLanguage.ENGLISH, PostLanguage.FRENCH)
    client.logout()
    for page_language in ("en", "fr"):
        with reading_in(client, page_language):
            page = client.get(thread.get_absolute_url()).text
        assert body_lang(page, english) == "en"
        assert body_lang(page, french) == "fr"


def test_the_forms_offer_detection_first_and_editing_starts_from_the_stored_language(
    client, thread
):
    author = person(client, preferred_language="fr")
    post = PostFactory(thread=thread, author=author, body=ENGLISH, language="other")
    with reading_in(client, "fr"):
        new_thread = client.get(reverse("forums:thread_new", kwargs={"slug": thread.forum.slug}))
        new_reply = client.get(
            reverse("forums:reply", kwargs={"forum": thread.forum.slug, "pk": thread.pk})
        )
        edit = client.get(reverse("forums:post_edit", kwargs={"pk": post.pk}))

    for form in (new_thread.text, new_reply.text):
        assert selected_language(form) == ""
    assert selected_language(edit.text) == "other"
    with reading_in(client, "en"):
        page = client.get(reverse("forums:thread_new", kwargs={"slug": thread.forum.slug})).text
    assert '<option value="" selected>Detect from the text</option>' in page


def test_a_chosen_language_is_kept_whatever_the_text_says(client, thread):
    chosen = reply(client, thread, ENGLISH, language="fr")

    assert chosen.language == PostLanguage.FRENCH
    url = reverse("forums:post_edit", kwargs={"pk": chosen.pk})
    client.post(url, {"body": FRENCH, "language": "en"})
    chosen.refresh_from_db()
    assert (chosen.body, chosen.language) == (FRENCH, PostLanguage.ENGLISH)
    # Left to detection, an edit takes the new text's language.
    client.post(url, {"body": SWAHILI, "language": ""})
    chosen.refresh_from_db()
    assert chosen.language == PostLanguage.OTHER
    assert list(chosen.revisions.values_list("language", flat=True)) == ["en", "fr"]


@pytest.mark.parametrize("text", [SWAHILI, PORTUGUESE], ids=["swahili", "portuguese"])
def test_a_post_in_neither_english_nor_french_is_another_language_of_unknown_lang(
    client, thread, text
):
    post = reply(client, thread, text)

    assert post.language == PostLanguage.OTHER
    client.logout()
    page = client.get(thread.get_absolute_url()).text
    # lang="" says the language is unknown, rather than inheriting the page's English.
    assert body_lang(page, post) == ""


def test_a_one_word_post_is_in_the_language_of_the_page_it_was_written_on(client, thread):
    with reading_in(client, "en"):
        on_english_page = reply(client, thread, "Merci !")
    with reading_in(client, "fr"):
        on_french_page = reply(client, thread, "Thanks!")

    assert on_english_page.language == PostLanguage.ENGLISH
    assert on_french_page.language == PostLanguage.FRENCH
    with translation.override("sw"):  # a language the portal does not speak: English
        assert languages.detected("Asante") == PostLanguage.ENGLISH


def test_a_thread_is_detected_from_its_title_and_context_with_its_opening_post(client, forum):
    person(client, groups=["Moderators"])
    url = reverse("forums:thread_new", kwargs={"slug": forum.slug})
    client.post(
        url,
        {
            "title": "Les orpailleurs de la réserve et les acheteurs d'or",
            "kind": "consultation",
            "context": "Dites-nous qui achète l'or extrait dans la réserve, et à quel prix.",
            "body": "OK",
            "language": "",
        },
    )

    assert Thread.objects.get().posts.get().language == PostLanguage.FRENCH


def test_links_code_and_handles_do_not_sway_detection(client, thread):
    assert languages.detector().detect_language_of(FRENCH_WITH_LINKS).name == "ENGLISH"

    post = reply(client, thread, FRENCH_WITH_LINKS)

    assert post.language == PostLanguage.FRENCH
    written = (
        "Voir [the report](https://example.org/report) et `print('the gold and the river')`,"
        " comme le dit @the_miner_of_the_river : les acheteurs ne viennent plus.\n\n"
        "```\nthe code of the map of the forest\n```\n\n[1]: https://example.org/the-long-way"
    )
    words = languages.words_of(written)
    assert "example" not in words
    assert "print" not in words
    assert "the_miner" not in words
    assert "code of the map" not in words
    assert "the report" in words  # a link's text is written words
    assert languages.detected(written) == PostLanguage.FRENCH


def test_a_quoted_post_does_not_decide_the_language_of_the_reply(client, thread):
    quoted = f"> **Amani:**\n>\n> {FRENCH}\n\nI agree: the dredges must go, and soon."

    post = reply(client, thread, quoted)

    assert post.language == PostLanguage.ENGLISH
    # Nothing but a quote: the quote is what there is to go by.
    assert languages.detected(f"> {FRENCH}") == PostLanguage.FRENCH


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_the_search_configuration_follows_the_detected_language(client, thread):
    text = "Les exploitations minières artisanales progressent dans la réserve."
    detected = reply(client, thread, text)
    chosen_french = reply(client, thread, text, language="fr")
    chosen_english = reply(client, thread, text, language="en")
    client.logout()

    response = client.get(reverse("forums:search"), {"q": "minier"})

    assert detected.language == PostLanguage.FRENCH
    # Found by another form of the word (stemmed), and indexed as if French had been chosen.
    assert detected.pk in [post.pk for post in response.context["posts"]]
    vectors = dict(
        Post.objects.filter(thread=thread).values_list("pk", "search_vector").order_by("pk")
    )
    assert vectors[detected.pk] == vectors[chosen_french.pk]
    assert vectors[detected.pk] != vectors[chosen_english.pk]


@pytest.mark.parametrize("value", ["de", "english", "FR", "other "])
def test_a_language_not_offered_is_a_form_error_and_saves_nothing(client, thread, value):
    before = Post.objects.count()

    author = person(client)
    url = reverse("forums:reply", kwargs={"forum": thread.forum.slug, "pk": thread.pk})
    response = client.post(url, {"body": ENGLISH, "language": value})
    new_thread = client.post(
        reverse("forums:thread_new", kwargs={"slug": thread.forum.slug}),
        {"title": "A title", "body": ENGLISH, "language": value},
    )

    for answer in (response, new_thread):
        assert answer.status_code == 200
        assert "Select a valid choice." in answer.text
    assert Post.objects.count() == before
    with pytest.raises(ValidationError) as refused:
        services.post_reply(author=author, thread=thread, body=ENGLISH, language=value)
    assert refused.value.code == "language"
    assert Post.objects.count() == before
