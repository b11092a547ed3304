"""What the thesaurus and the new search give readers: queries read as people write them, the
admin's concepts, named things, suggestions, outcomes and authors found, bad input survived."""

import pytest
from django.urls import reverse

from core.query import parse
from forums import moderation
from forums.models import Visibility
from forums.services import post_edit
from publications.models import Author, Authorship
from publications.search import index_publication
from tests.factories import (
    ForumFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    TopicFactory,
    UserFactory,
)
from thesaurus.models import Concept, Label

pytestmark = pytest.mark.django_db

LIBRARY, DIALOGUE, PORTAL = "publications:list", "forums:search", "portal:search"


def test_french_or_is_a_word_and_or_in_capitals_a_choice():
    assert [u.words for u in parse("mines d'or").units] == [("mines",), ("or",)]
    assert len(parse("gold OR diamonds").groups) == 2
    assert len(parse("gold or diamonds").groups) == 1


def test_a_query_is_read_as_people_write_it():
    hyphenated, elided, quoted = parse('Sud-Kivu l\u2019orpaillage "buffer zone').units
    assert (hyphenated.words, hyphenated.phrase) == (("Sud", "Kivu"), True)
    assert (elided.words, elided.phrase) == (("orpaillage",), False)
    assert (quoted.words, quoted.phrase) == (("buffer", "zone"), True)  # quote left open
    assert parse("-mercury").asks is False
    assert parse("&& || ! ()").units == []
    assert len(parse("mercury " * 300).units) == 10  # at most ten units, of 200 characters


def titles(response, name):
    return sorted(item.title for item in response.context[name])


def test_a_concept_an_editor_adds_in_the_admin_bridges_searches_at_once(client):
    PublicationFactory(title="Coltan traders in South Kivu", abstract="Traders and prices.")
    editor = UserFactory(groups=["Editors"], is_staff=True)
    client.force_login(editor)
    assert titles(client.get(reverse(LIBRARY), {"q": "colombo-tantalite"}), "publications") == []

    response = client.post(
        reverse("admin:thesaurus_concept_add"),
        {
            "note": "The ore of tantalum.",
            "labels-TOTAL_FORMS": "2",
            "labels-INITIAL_FORMS": "0",
            "labels-MIN_NUM_FORMS": "2",
            "labels-MAX_NUM_FORMS": "1000",
            "labels-0-language": "en",
            "labels-0-text": "coltan",
            "labels-1-language": "fr",
            "labels-1-text": "colombo-tantalite",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    found = client.get(reverse(LIBRARY), {"q": "colombo-tantalite"})
    assert titles(found, "publications") == ["Coltan traders in South Kivu"]


def test_a_label_of_no_word_or_a_sentence_is_refused_and_nothing_is_saved(client):
    client.force_login(UserFactory(groups=["Editors"], is_staff=True))
    forms = {
        "labels-TOTAL_FORMS": "2",
        "labels-INITIAL_FORMS": "0",
        "labels-MIN_NUM_FORMS": "2",
        "labels-MAX_NUM_FORMS": "1000",
        "labels-0-language": "en",
        "labels-0-text": "« » !",
        "labels-1-language": "fr",
        "labels-1-text": "un deux trois quatre cinq six",
    }

    response = client.post(reverse("admin:thesaurus_concept_add"), forms)

    assert response.status_code == 200
    assert "A label needs at least one word." in response.text
    assert "A label has at most 5 words." in response.text
    assert not Concept.objects.exists()
    assert not Label.objects.exists()


def test_only_editors_manage_the_thesaurus(client):
    client.force_login(UserFactory(groups=["Moderators"], is_staff=True))

    assert client.get(reverse("admin:thesaurus_concept_add")).status_code == 403


def test_the_portal_names_topics_and_forums_in_either_language_but_not_hidden_ones(client):
    TopicFactory(slug="mercury", name="Mercury", name_fr="Mercure")
    ForumFactory(slug="health", name="Mercury and health", name_fr="Mercure et santé")
    ForumFactory(
        slug="board", name="Mercury board", name_fr="Bureau", visibility=Visibility.RESTRICTED
    )

    page = client.get(reverse(PORTAL), {"q": "mercure"}).content.decode()

    assert 'href="/en/publications/?topic=mercury">Mercury</a>' in page
    assert 'href="/en/forums/health/">Mercury and health</a>' in page
    assert "Mercury board" not in page


def test_an_empty_result_suggests_the_topic_and_a_spelling(client):
    TopicFactory(slug="mercury", name="Mercury", name_fr="Mercure")
    SiteFactory(slug="madagascar", name="Ankarafantsika, Madagascar")

    topic = client.get(reverse(LIBRARY), {"q": "mercure"}).content.decode()
    spelt = client.get(reverse(DIALOGUE), {"q": "madagscar"}).content.decode()

    assert "Did you mean:" in topic
    assert 'the topic <a href="/en/publications/?topic=mercury">Mercury</a>' in topic
    assert 'Did you mean <a href="?q=Madagascar">Madagascar</a>?' in spelt


def test_a_consultations_outcome_is_found_with_it(client):
    moderator = UserFactory(groups=["Moderators"], is_staff=True)
    consultation = ThreadFactory(
        author=moderator, kind="consultation", title="Where should the buffer zone run?"
    )
    assert titles(client.get(reverse(DIALOGUE), {"q": "cooperative"}), "posts") == []

    moderation.consultation_close(
        facilitator=moderator, thread=consultation, outcome="A cooperative will map the river."
    )

    found = client.get(reverse(DIALOGUE), {"q": "cooperative"}).context["posts"]
    assert [post.thread_id for post in found] == [consultation.pk]


def test_an_author_is_found_under_every_name_printed(client):
    author = Author.objects.create(name="Nellie Mutemeri", slug="mutemeri")
    first = PublicationFactory(title="Early study")
    second = PublicationFactory(title="Later study")
    Authorship.objects.create(
        publication=first, author=author, given_names="N.", family_name="Chigumira"
    )
    Authorship.objects.create(
        publication=second, author=author, given_names="Nellie", family_name="Mutemeri"
    )
    index_publication(second.pk)  # as the admin does after saving the study's authors

    assert titles(client.get(reverse(LIBRARY), {"q": "Chigumira"}), "publications") == [
        "Early study",
        "Later study",
    ]


def test_an_edited_post_is_found_by_its_new_words_only(client):
    post = PostFactory(body="Alluvial gold near the river.")

    post_edit(editor=post.author, post=post, body="Cassava fields near the river.", language="en")

    assert titles(client.get(reverse(DIALOGUE), {"q": "alluvial"}), "posts") == []
    assert len(client.get(reverse(DIALOGUE), {"q": "cassava"}).context["posts"]) == 1


@pytest.mark.parametrize("page", [LIBRARY, DIALOGUE, PORTAL])
@pytest.mark.parametrize(
    "query",
    ["mercury " * 150, '" " " - - OR OR ! & | ( ) :* <->', "éèàçù", '"buffer zone', "'", "\\"],
    ids=["very long", "operators only", "accents only", "quote left open", "apostrophe", "slash"],
)
def test_bad_queries_get_a_page_never_an_error(client, page, query):
    PublicationFactory(title="Buffer zone study")
    PostFactory(body="The buffer zone of the park.")

    response = client.get(reverse(page), {"q": query})

    assert response.status_code == 200
