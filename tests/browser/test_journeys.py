"""The portal's user journeys in a real browser, at phone and desktop sizes, on the programme's
real content (manage.py load_content): registering, posting, downloading a study, exploring the
sites. Moderation is in test_journey_moderation.py, the journeys without JavaScript in
test_journeys_without_js.py. Screenshots go to test-artifacts/journey-*.png."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import StakeholderGroup, User
from accounts.roles import MODERATORS
from core.addresses import in_language
from forums.models import Forum, Post, PostStatus
from publications.models import Publication
from tests.factories import ThreadFactory, UserFactory

from .conftest import DESKTOP, PHONE
from .journeys import (
    FRENCH_MONTHS,
    MINER_EN,
    MINER_FR,
    admin_action,
    assert_french,
    english_left,
    load_programme_content,
    moderator_signs_in,
    register_and_confirm,
    shot,
    sign_in,
    site_header,
)

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture
def content():
    load_programme_content()


@SIZES
def test_register_as_a_miner_from_the_dr_congo_in_french(visitor, content, viewport):
    visit = visitor(viewport, locale="fr-FR")
    register_and_confirm(visit, "register", viewport, email="esperance@example.org")
    page = visit.page
    assert_french(visit)
    shot(visit, "register", "account", viewport)

    page.get_by_role("link", name="Ma page publique").click()
    expect(page.locator(".profile .stakeholder-badge")).to_have_text(MINER_FR)
    facts = page.locator(".profile dl")
    expect(facts).to_contain_text("Coopérative minière de Mwenga")
    expect(facts).to_contain_text("Congo")
    today = timezone.now()
    expect(facts).to_contain_text(f"{FRENCH_MONTHS[today.month - 1]} {today.year}")
    assert_french(visit)
    shot(visit, "register", "profile", viewport)

    person = User.objects.get(email="esperance@example.org")
    assert (person.stakeholder_group, person.country.code) == (StakeholderGroup.MINER, "CD")
    assert person.preferred_language == "fr"
    assert person.emailaddress_set.get().verified
    visit.assert_clean()


@pytest.fixture
def itombwe_thread():
    """A thread by someone else in the Itombwe forum, for the newcomer to reply to."""
    author = UserFactory(
        name="Amani Bulonza",
        stakeholder_group=StakeholderGroup.NGO,
        organisation="Action pour la forêt d'Itombwe",
        preferred_language="fr",
    )
    return ThreadFactory(
        forum=Forum.objects.get(slug="itombwe"),
        author=author,
        title="Qui surveille les rivières en aval des chantiers ?",
        opening__body="Les rivières en aval des chantiers sont troubles. Qui les surveille ?",
    )


@SIZES
def test_a_newcomer_posts_in_a_dialogue_and_a_moderator_approves(
    visitor, content, itombwe_thread, settings, viewport
):
    # Newcomers' posts wait for a moderator (the live server reads these settings too).
    settings.FORUM_TRUSTED_AFTER_POSTS = 2
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    miner = UserFactory(
        name="Espérance Mwamini",
        organisation="Coopérative minière de Mwenga",
        preferred_language="fr",
    )
    stakeholder = visitor(viewport, locale="fr-FR")
    page = stakeholder.page
    sign_in(stakeholder, miner.email)
    site_header(page).get_by_role("link", name="Dialogue", exact=True).click()
    page.get_by_role("link", name="Réserve naturelle d'Itombwe").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réserve naturelle d'Itombwe")
    assert_french(stakeholder)
    shot(stakeholder, "post", "forum", viewport)

    page.get_by_role("link", name="Lancer une discussion").click()
    page.get_by_label("Titre").fill("Où creuser sans entrer dans la zone centrale ?")
    page.get_by_label("Votre message").fill(
        "Nous voulons **respecter** la réserve : où sont les limites de la zone centrale ?"
    )
    assert_french(stakeholder)
    shot(stakeholder, "post", "new-thread", viewport)
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Où creuser sans entrer dans la zone centrale ?"
    )
    expect(page.locator(".messages")).to_contain_text("Votre message attend la modération")
    opening = page.locator("article.forum-post")
    expect(opening.locator(".badge", has_text="En attente de modération")).to_be_visible()
    assert_french(stakeholder)
    shot(stakeholder, "post", "thread-pending", viewport)

    page.get_by_role("link", name="Réserve naturelle d'Itombwe").first.click()
    page.get_by_role("link", name=itombwe_thread.title).click()
    reply = page.locator("#reply")
    reply.get_by_label("Votre message").fill(
        "À Mwenga, les coopératives pourraient mesurer la turbidité chaque semaine."
    )
    reply.get_by_role("button", name="Publier", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Votre message attend la modération")
    mine = page.locator("article.forum-post", has_text="mesurer la turbidité")
    expect(mine.locator(".badge", has_text="En attente de modération")).to_be_visible()
    assert_french(stakeholder)
    shot(stakeholder, "post", "reply-pending", viewport)
    assert set(Post.objects.filter(author=miner).values_list("status", flat=True)) == {
        PostStatus.PENDING
    }

    moderator = moderator_signs_in(visitor, viewport)
    admin = moderator.page
    admin.get_by_role("link", name="2 posts wait for a decision").click()
    rows = admin.locator("#result_list tbody tr", has_text=miner.name)
    expect(rows).to_have_count(2)
    shot(moderator, "post", "review-queue", viewport)
    admin_action(moderator, rows=[rows.nth(0), rows.nth(1)], action="Approve the selected posts")
    shot(moderator, "post", "approve-confirm", viewport)
    admin.locator("input[type=submit][value=Confirm]").click()
    expect(admin.locator(".messagelist")).to_contain_text("2 posts decided.")
    expect(admin.locator("#result_list tbody tr", has_text=miner.name)).to_have_count(0)

    reader = visitor(viewport)
    reader.goto(itombwe_thread.get_absolute_url())
    post = reader.page.locator("article.forum-post", has_text="mesurer la turbidité")
    expect(post.locator(".stakeholder-badge")).to_have_text(MINER_EN)
    expect(post).to_contain_text("Coopérative minière de Mwenga")
    expect(post.locator(".badge", has_text="Awaiting moderation")).to_have_count(0)
    balance = reader.page.locator(".dialogue-balance .balance-row", has_text=MINER_EN)
    expect(balance).to_contain_text("1 person, 1 post")
    expect(reader.page.locator(".balance-missing", has_text=MINER_EN)).to_have_count(0)
    shot(reader, "post", "thread-approved", viewport)
    reader.goto("/en/forums/itombwe/")
    reader.page.get_by_role("link", name="Où creuser sans entrer dans la zone centrale ?").click()
    expect(reader.page.locator("article.forum-post .stakeholder-badge")).to_have_text(MINER_EN)
    for visit in (stakeholder, moderator, reader):
        visit.assert_clean()


SIERRA_LEONE = "Sierra Leone Case Study: Can Artisanal Mining and Conservation Co-Exist?"


@SIZES
def test_find_the_sierra_leone_case_study_through_search_and_download_it(
    visitor, content, viewport
):
    # The header search and /search/ follow the contract of the site-wide search: a
    # <form role="search" action="/search/"> with an <input type="search" name="q"> labelled
    # "Search", and a results page with sections "Studies", "Sites" and "Dialogue".
    visit = visitor(viewport)
    page = visit.page
    visit.goto("/en/")
    search = site_header(page).get_by_role("search")
    search.get_by_label("Search", exact=True).fill("Sierra Leone")
    search.get_by_label("Search", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Sierra\+Leone$"))
    studies = page.locator("section").filter(
        has=page.get_by_role("heading", name="Studies", exact=True)
    )
    expect(studies.get_by_role("link", name=SIERRA_LEONE)).to_be_visible()
    sites = page.locator("section").filter(
        has=page.get_by_role("heading", name="Sites", exact=True)
    )
    expect(sites.get_by_role("link", name="Gola Rainforest National Park")).to_be_visible()
    shot(visit, "download", "search", viewport)

    studies.get_by_role("link", name=SIERRA_LEONE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SIERRA_LEONE)
    shot(visit, "download", "study", viewport)
    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile(r"^Download the PDF")).click()
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    study = Publication.objects.get(slug="sierra-leone-case-study")
    with study.file.open("rb") as stored:
        assert pdf == stored.read()

    # A broken download resumes where it stopped, if the file has not changed meanwhile.
    url = visit.server_url + study.get_download_url()
    whole = page.request.get(url)
    assert whole.status == 200
    assert whole.body() == pdf
    assert whole.headers["accept-ranges"] == "bytes"
    half = len(pdf) // 2
    rest = page.request.get(
        url, headers={"Range": f"bytes={half}-", "If-Range": whole.headers["etag"]}
    )
    assert rest.status == 206
    assert rest.headers["content-range"] == f"bytes {half}-{len(pdf) - 1}/{len(pdf)}"
    assert pdf[:half] + rest.body() == pdf
    middle = page.request.get(url, headers={"Range": "bytes=100-199"})
    assert middle.status == 206
    assert middle.headers["content-range"] == f"bytes 100-199/{len(pdf)}"
    assert middle.body() == pdf[100:200]

    # The same page in French, through the language switcher: dates and numbers in French.
    site_header(page).locator(".language-switcher").get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name=re.compile(r"^Télécharger le PDF"))).to_contain_text(
        re.compile(r"\d,\d\s(Kio|Mio|Ko|Mo)")
    )
    expect(page.locator(".publication-facts")).to_contain_text("mai 2013")
    assert_french(visit)
    shot(visit, "download", "study-fr", viewport)
    visit.assert_clean()


@SIZES
def test_explore_the_sites_from_the_map_to_a_study_and_a_forum_in_french(
    visitor, content, viewport
):
    visit = visitor(viewport, locale="fr-FR")
    page = visit.page
    visit.goto("/")
    site_header(page).get_by_role("link", name="Sites des études de cas").click()
    expect(page).to_have_url(re.compile(r"/sites/$"))
    expect(page.locator("[data-site-map]")).to_have_class(re.compile(r"\bsite-map--ready\b"))
    expect(page.locator(".site-map__marker")).to_have_count(4)
    expect(page.locator(".site-item")).to_have_count(4)
    assert_french(visit)
    shot(visit, "explore", "map", viewport)

    itombwe = "Réserve naturelle d'Itombwe"
    # The full-page screenshot resized the map, which refits: click once it has settled.
    popup = visit.open_marker(page.locator(f'.site-map__marker[aria-label="{itombwe}"]'))
    expect(popup).to_contain_text("Congo")
    visit.click_when_still(popup.get_by_role("link", name=itombwe))
    expect(page).to_have_url(re.compile(r"/sites/itombwe/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(itombwe)
    assert_french(visit)
    shot(visit, "explore", "site", viewport)

    studies = page.locator("#studies")
    expect(studies.get_by_role("link")).to_have_count(1)
    studies.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/publications/drc-itombwe-case-study/$"))
    expect(page.locator(".publication-facts")).to_contain_text(itombwe)
    assert_french(visit)
    shot(visit, "explore", "study", viewport)
    page.locator(".publication-facts").get_by_role("link", name=itombwe).click()

    page.locator("#dialogue").get_by_role("link", name="Aller au forum").click()
    expect(page).to_have_url(re.compile(r"/forums/itombwe/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(itombwe)
    expect(page.get_by_role("link", name="Se connecter pour participer")).to_be_visible()
    assert_french(visit)
    shot(visit, "explore", "forum", viewport)
    visit.assert_clean()


def test_the_french_check_sees_english(visitor, content):
    """The check of the French pages is worth something: it finds the English interface."""
    visit = visitor(DESKTOP, locale="en-GB")
    visit.goto("/en/")
    left = english_left(visit, language="en")
    assert {"Join the dialogue", "Register as a stakeholder"} <= set(left), left


# French pages that the journeys above do not check already.
FRENCH_PAGES = [
    "/fr/forums/",
    "/fr/publications/",
    "/fr/search/?q=or",
    "/fr/pages/about/",
    "/fr/pages/code-of-conduct/",
    "/fr/accounts/login/",
    "/fr/accounts/password/reset/",
]
SIGNED_IN_PAGES = [
    "/fr/accounts/verification/",
    "/fr/accounts/email/",
    "/fr/accounts/password/change/",
    "/fr/accounts/2fa/",
    "/fr/accounts/delete/",
    # The moderation console, for a moderator who reads French.
    "/admin/",
    "/admin/forums/post/?waiting=yes",
    "/admin/audit/moderationlogentry/",
    "/admin/forums/suspension/add/",
]


def test_french_pages_have_no_english_left(visitor, content, itombwe_thread):
    visit = visitor(DESKTOP, locale="fr-FR")
    found = {}
    for path in FRENCH_PAGES:
        visit.goto(path)
        expect(visit.page.locator("html")).to_have_attribute("lang", "fr")
        found[path] = english_left(visit)
    sign_in(visit, UserFactory(preferred_language="fr", is_staff=True, groups=[MODERATORS]).email)
    for path in [*SIGNED_IN_PAGES, in_language(itombwe_thread.get_absolute_url(), "fr")]:
        visit.goto(path)
        expect(visit.page.locator("html")).to_have_attribute("lang", "fr")
        found[f"{path} (signed in)"] = english_left(visit)
    assert {path: left for path, left in found.items() if left} == {}
    visit.assert_clean()
