"""People hear back, in a real browser at phone size and in French: a miner starts a thread, an
NGO member answers with an @mention, and the miner finds the count in the header, opens the
notification, lands on the reply, and the count goes; a reader who flagged a post learns what
a moderator decided."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import StakeholderGroup
from audit.models import Action
from core.addresses import in_language
from forums import moderation
from forums.models import Forum, Post
from tests.factories import PostFactory, ThreadFactory, UserFactory

from .conftest import PHONE
from .journeys import assert_french, load_programme_content, shot, sign_in, site_header

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def content():
    load_programme_content()


def header_count(page):
    # On a phone the link is in the menu, unfolded first.
    return site_header(page).get_by_role("link", name=re.compile("^Notifications"))


def test_a_miner_hears_of_a_mention_and_lands_on_the_reply(visitor, content):
    miner = UserFactory(
        name="Aline Mukendi",
        handle="aline",
        stakeholder_group=StakeholderGroup.MINER,
        preferred_language="fr",
    )
    ngo = UserFactory(
        name="Espérance Mwamini", stakeholder_group=StakeholderGroup.NGO, preferred_language="fr"
    )

    # The miner starts a thread.
    asker = visitor(PHONE, locale="fr-FR")
    page = asker.page
    sign_in(asker, miner.email)
    asker.goto(in_language(Forum.objects.get(slug="itombwe").get_absolute_url(), "fr"))
    page.get_by_role("link", name="Lancer une discussion").click()
    page.get_by_label("Titre").fill("Où pouvons-nous creuser ?")
    page.get_by_label("Votre message").fill("Les limites de la zone centrale ne sont pas marquées.")
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Où pouvons-nous creuser ?")
    thread_url = page.url
    expect(header_count(page)).to_have_text("Notifications")

    # An NGO member answers, naming the miner.
    answerer = visitor(PHONE, locale="fr-FR")
    sign_in(answerer, ngo.email)
    answerer.page.goto(thread_url)
    reply = answerer.page.locator("#reply")
    reply.get_by_label("Votre message").fill("@aline : la carte est au bureau du parc à Mwenga.")
    reply.get_by_role("button", name="Publier", exact=True).click()
    answer = Post.objects.get(author=ngo)
    expect(answerer.page.locator(f"#post-{answer.pk} a", has_text="@aline")).to_be_visible()

    # The miner comes back: the count is in the header, the notification leads to the reply.
    asker.goto("/fr/forums/")
    expect(header_count(page)).to_have_text(re.compile(r"^Notifications\s*1\s*non lues$"))
    shot(asker, "notices", "count", PHONE)
    header_count(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    line = page.get_by_role("link", name=re.compile("Espérance Mwamini vous a mentionné"))
    expect(line).to_be_visible()
    assert_french(asker)
    shot(asker, "notices", "list", PHONE)
    line.click()
    expect(page).to_have_url(re.compile(rf"#post-{answer.pk}$"))
    expect(page.locator(f"#post-{answer.pk}")).to_contain_text("la carte est au bureau du parc")
    expect(header_count(page)).to_have_text("Notifications")
    asker.assert_clean()
    answerer.assert_clean()


def test_a_flagger_learns_what_came_of_the_flag(visitor, content):
    thread = ThreadFactory(
        forum=Forum.objects.get(slug="itombwe"), title="Les acheteurs d'or à Kamituga"
    )
    abusive = PostFactory(thread=thread, body="Les ONG sont des voleurs.", language="fr")
    flagger = UserFactory(name="Espérance Mwamini", preferred_language="fr")
    moderator = UserFactory(groups=["Moderators"], is_staff=True)

    reader = visitor(PHONE, locale="fr-FR")
    page = reader.page
    sign_in(reader, flagger.email)
    reader.goto(in_language(thread.get_absolute_url(), "fr"))
    page.locator(f"#post-{abusive.pk}").get_by_role("link", name="Signaler").click()
    page.get_by_label("Injurieux ou menaçant").check()
    page.get_by_role("button", name="Signaler ce message").click()
    expect(page.locator(".messages")).to_contain_text("Merci")

    moderation.post_decide(
        moderator=moderator, post=abusive, decision=Action.HIDE, reason="Insultes."
    )

    reader.goto("/fr/forums/")
    expect(header_count(page)).to_have_text(re.compile(r"1\s*non lues$"))
    header_count(page).click()
    outcome = page.get_by_role("link", name=re.compile("a masqué le message que vous avez signalé"))
    expect(outcome).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Insultes.")  # the author's to read
    assert_french(reader)
    shot(reader, "notices", "flag-outcome", PHONE)
    outcome.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les acheteurs d'or à Kamituga")
    reader.assert_clean()
