"""The home page shows the portal's life: the latest dialogue and studies, the sites and who takes
part; never what a visitor may not read; from the page cache, never stale; the same number of
queries however much there is."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import StakeholderGroup
from core.memberpages import HIT as MEMBER_HIT
from core.pagecache import HIT_HEADER
from forums import moderation, services
from forums.models import PostStatus, ThreadKind, Visibility
from tests.factories import (
    ForumFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The programme's pages, the threads, their groups, the studies, the sites, the people.
HOME_QUERIES = 6


def home(language="en"):
    """The home page as a new visitor gets it."""
    return Client().get(f"/{language}/")


def section(page, title_id):
    """The HTML of the home's section headed by the element with this id."""
    found = re.search(rf'<section[^>]*aria-labelledby="{title_id}".*?</section>', page, re.S)
    assert found, title_id
    return found[0]


def test_the_latest_threads_show_their_forum_last_activity_and_groups_heard():
    forum = ForumFactory(name="Itombwe", name_fr="Itombwe (fr)")
    thread = ThreadFactory(
        forum=forum, title="Gold buyers near the reserve", author__stakeholder_group="miner"
    )
    PostFactory(thread=thread, author__stakeholder_group=StakeholderGroup.NGO)
    ThreadFactory(forum=forum, title="Buffer zone rules", kind=ThreadKind.CONSULTATION)

    dialogue = section(home().content.decode(), "home-dialogue-title")

    assert f'href="{thread.get_absolute_url()}">Gold buyers near the reserve</a>' in dialogue
    assert f'href="{forum.get_absolute_url()}">Itombwe</a>' in dialogue
    assert "Consultation</span>" in dialogue
    item = re.search(r"Gold buyers near the reserve.*?</li>", dialogue, re.S)[0]
    assert "stakeholder-miner" in item
    assert "stakeholder-ngo" in item
    assert "stakeholder-government" not in item
    # The colours are said in words too.
    assert "Artisanal miner or mining community, NGO, civil society" in item
    thread.refresh_from_db()
    assert f'datetime="{thread.last_post_at.isoformat()}"' in item


def test_the_newest_threads_come_first_and_only_five():
    forum = ForumFactory()
    threads = [ThreadFactory(forum=forum, title=f"Topic number {n:02}") for n in range(7)]
    PostFactory(thread=threads[0])  # the oldest thread has the newest post

    dialogue = section(home().content.decode(), "home-dialogue-title")

    titles = re.findall(r"Topic number \d+", dialogue)
    assert titles == [f"Topic number {n:02}" for n in (0, 6, 5, 4, 3)]


def test_restricted_members_only_and_waiting_threads_and_hidden_posts_never_show():
    insider = UserFactory(stakeholder_group=StakeholderGroup.GOVERNMENT)
    restricted = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=["government"])
    restricted.members.add(insider)
    members = ForumFactory(visibility=Visibility.MEMBERS)
    ThreadFactory(forum=restricted, title="Secret negotiation", author=insider)
    ThreadFactory(forum=members, title="Members only talk")
    ThreadFactory(title="Waiting for a moderator", opening__status=PostStatus.PENDING)
    shown = ThreadFactory(title="An open thread", author__stakeholder_group="miner")
    hidden = PostFactory(thread=shown, author__stakeholder_group=StakeholderGroup.COMPANY)
    moderation.post_decide(
        moderator=UserFactory(groups=["Moderators"], is_staff=True),
        post=hidden,
        decision="hide",
        reason="Off topic",
    )

    visitor = home().content.decode()
    member = Client()
    member.force_login(insider)
    as_insider = member.get("/en/").content.decode()

    for page in (visitor, as_insider):
        dialogue = section(page, "home-dialogue-title")
        assert "An open thread" in dialogue
        for unseen in ("Secret negotiation", "Members only talk", "Waiting for a moderator"):
            assert unseen not in page
        # The hidden post's author is not among those heard.
        assert "stakeholder-company" not in dialogue


def test_the_latest_studies_show_title_kind_year_and_link_and_never_unpublished_ones():
    old = PublicationFactory(title="An older study", year=2011)
    new = PublicationFactory(title="The newest study", year=2015)
    PublicationFactory(title="A draft nobody may read", year=2016, is_published=False)

    studies = section(home().content.decode(), "home-studies-title")

    assert f'href="{new.get_absolute_url()}">The newest study</a>' in studies
    assert studies.index("The newest study") < studies.index("An older study")
    assert f"{old.kind_label} · 2011" in studies
    assert "A draft nobody may read" not in studies


def test_the_sites_strip_links_each_published_site_in_the_readers_language():
    SiteFactory(slug="itombwe", name="Itombwe Nature Reserve", fr="Réserve d'Itombwe")
    SiteFactory(slug="gola", name="Gola Rainforest National Park")
    SiteFactory(slug="unready", name="A site in preparation", is_published=False)

    english = section(home().content.decode(), "home-sites-title")
    french = section(home("fr").content.decode(), "home-sites-title")

    assert 'href="/en/sites/itombwe/">Itombwe Nature Reserve</a>' in english
    assert "Gola Rainforest National Park" in english
    assert "A site in preparation" not in english
    assert "Réserve d&#x27;Itombwe" in french
    # A site without French words is named in English, marked as such.
    assert 'lang="en">Gola Rainforest National Park</a>' in french
    assert 'href="/en/sites/"' in english
    assert 'href="/fr/sites/"' in french


def test_people_are_counted_by_group_active_and_confirmed_only():
    UserFactory.create_batch(3, stakeholder_group=StakeholderGroup.MINER)
    UserFactory(stakeholder_group=StakeholderGroup.NGO)
    UserFactory(stakeholder_group="")  # counted as "other"
    UserFactory(stakeholder_group=StakeholderGroup.NGO, is_active=False)
    UserFactory(stakeholder_group=StakeholderGroup.NGO, confirmed=False)

    people = section(home().content.decode(), "home-people-title")

    def count(label):
        return re.search(rf'people-figure">(\d+)</span> {label}', people)[1]

    assert count("Artisanal miner or mining community") == "3"
    assert count("NGO, civil society or conservation organisation") == "1"
    assert count("Other") == "1"
    assert count("Donor or multilateral organisation") == "0"
    assert "5 registered stakeholders" in people


def test_the_home_is_in_the_readers_language():
    ForumFactory(slug="itombwe", name="Itombwe", name_fr="Itombwe en français")
    ThreadFactory(forum__slug="itombwe")
    PublicationFactory(title="A study")

    french = home("fr").content.decode()

    assert '<html lang="fr"' in french
    assert "Itombwe en français" in french
    assert 'href="/fr/forums/itombwe/' in french
    with translation.override("fr"):
        assert reverse("publications:list") in french


def test_a_new_thread_reply_study_and_person_refresh_the_cached_home():
    author = UserFactory(stakeholder_group=StakeholderGroup.RESEARCH)
    forum = ForumFactory()
    home()
    assert home().headers.get(HIT_HEADER) == "hit"

    thread = services.thread_start(
        author=author, forum=forum, title="A brand new question", body="What changed?"
    )
    page = home()
    assert page.headers.get(HIT_HEADER) != "hit"
    assert "A brand new question" in page.content.decode()

    home()
    services.post_reply(
        author=UserFactory(stakeholder_group=StakeholderGroup.DONOR), thread=thread, body="Much."
    )
    item = re.search(r"A brand new question.*?</li>", home().content.decode(), re.S)[0]
    assert "stakeholder-donor" in item

    home()
    PublicationFactory(title="Just published")
    assert "Just published" in home().content.decode()

    home()
    newcomer = UserFactory(stakeholder_group=StakeholderGroup.COMPANY)
    people = section(home().content.decode(), "home-people-title")
    assert 'people-figure">1</span> Company or supply-chain actor' in people

    home()
    newcomer.is_active = False
    newcomer.save()
    people = section(home().content.decode(), "home-people-title")
    assert 'people-figure">0</span> Company or supply-chain actor' in people


def test_a_signed_in_reader_gets_the_shared_home_and_sees_a_new_thread_at_once():
    reader = UserFactory()
    client = Client()
    client.force_login(reader)
    client.get("/en/")
    assert client.get("/en/").headers.get(HIT_HEADER) == MEMBER_HIT

    ThreadFactory(title="Posted while the home was kept")

    assert "Posted while the home was kept" in client.get("/en/").content.decode()


def build(threads, studies, sites, people):
    forum = ForumFactory()
    for _n in range(threads):
        thread = ThreadFactory(forum=forum, author__stakeholder_group="ngo")
        PostFactory(thread=thread, author__stakeholder_group="miner")
    PublicationFactory.create_batch(studies)
    for _n in range(sites):
        SiteFactory(fr="Un site")
    UserFactory.create_batch(people)


def test_the_home_costs_the_same_queries_as_threads_studies_and_people_grow(
    client, programme_content, django_assert_num_queries
):
    client.get("/en/")  # fills the footer caches
    client.get("/fr/")
    with django_assert_num_queries(HOME_QUERIES):
        client.get("/en/")

    build(threads=2, studies=1, sites=1, people=2)
    with django_assert_num_queries(HOME_QUERIES):
        client.get("/en/")

    build(threads=12, studies=8, sites=5, people=20)
    with django_assert_num_queries(HOME_QUERIES):
        page = client.get("/fr/").content.decode()
    assert len(re.findall(r'class="home-thread', page)) == 5
    assert len(re.findall(r'class="home-study', page)) == 4
