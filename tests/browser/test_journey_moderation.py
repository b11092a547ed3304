"""Moderating the dialogue in a real browser, at phone and desktop sizes: a stakeholder flags an
abusive post, a moderator hides it with a reason in the admin, the author is told in French,
the action is in the moderation log, and the suspended author can no longer post."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import StakeholderGroup
from audit.models import Action, ModerationLogEntry
from core.addresses import in_language
from forums.models import Forum, PostStatus
from tests.factories import PostFactory, ThreadFactory, UserFactory

from .conftest import DESKTOP, PHONE
from .journeys import (
    admin_action,
    assert_french,
    french_date,
    load_programme_content,
    mail_to,
    moderator_signs_in,
    shot,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

ABUSE = "Les écologistes sont des menteurs et des voleurs : qu'ils dégagent de Mwenga !"
REASON = "Insulter les autres participants enfreint le code de conduite."
SUSPENSION = "Insultes répétées envers d'autres participants."


@pytest.fixture
def content():
    load_programme_content()


@pytest.fixture
def abusive_post():
    thread = ThreadFactory(
        forum=Forum.objects.get(slug="itombwe"),
        author=UserFactory(name="Amani Bulonza", stakeholder_group=StakeholderGroup.NGO),
        title="Les limites de la réserve sont-elles connues des creuseurs ?",
        opening__body="Les limites de la zone centrale ne sont marquées nulle part.",
    )
    author = UserFactory(
        name="Jean-Pierre Lunanga",
        stakeholder_group=StakeholderGroup.COMPANY,
        organisation="Comptoir de Kamituga",
        preferred_language="fr",
    )
    return PostFactory(thread=thread, author=author, body=ABUSE, language="fr")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_flagged_post_is_hidden_with_a_reason_and_its_author_suspended(
    visitor, content, abusive_post, viewport
):
    thread, author = abusive_post.thread, abusive_post.author

    # A stakeholder flags the post, in French.
    reader = visitor(viewport, locale="fr-FR")
    page = reader.page
    sign_in(reader, UserFactory(name="Espérance Mwamini", preferred_language="fr").email)
    reader.goto(in_language(thread.get_absolute_url(), "fr"))
    page.locator(f"#post-{abusive_post.pk}").get_by_role("link", name="Signaler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler un message")
    page.get_by_label("Injurieux ou menaçant").check()
    page.get_by_label("Note pour les modérateurs").fill("Il insulte les ONG de Mwenga.")
    assert_french(reader)
    shot(reader, "moderate", "flag-form", viewport)
    page.get_by_role("button", name="Signaler ce message").click()
    expect(page.locator(".messages")).to_contain_text("Merci : les modérateurs vont l'examiner.")

    # A moderator hides it from the review queue, with a reason.
    moderator = moderator_signs_in(visitor, viewport)
    admin = moderator.page
    admin.get_by_role("link", name="1 post waits for a decision").click()
    row = admin.locator("#result_list tbody tr", has_text=author.name)
    expect(row).to_contain_text("Abusive or threatening")
    shot(moderator, "moderate", "review-queue", viewport)
    reason = admin_action(moderator, rows=[row], action="Hide the selected posts")
    confirm = admin.locator("input[type=submit][value=Confirm]")
    confirm.click()  # without a reason: refused
    expect(admin.locator(".errorlist")).to_contain_text("Give a reason")
    reason.fill(REASON)
    admin.wait_for_load_state("load")  # its stylesheets too: without them a textarea is wider
    box = reason.bounding_box()
    assert box["x"] + box["width"] <= viewport["width"], "the reason is wider than the screen"
    shot(moderator, "moderate", "hide-reason", viewport)
    confirm.click()
    expect(admin.locator(".messagelist")).to_contain_text("1 post decided.")
    abusive_post.refresh_from_db()
    assert abusive_post.status == PostStatus.HIDDEN

    # The author is told why, in their language.
    (told,) = mail_to(author.email, subject="Votre message a été masqué")
    assert "Le motif du modérateur :" in told.body
    assert REASON in told.body

    # The decision is in the moderation log.
    moderator.goto("/admin/audit/moderationlogentry/")
    entry = admin.locator("#result_list tbody tr", has_text="Hid a post")
    expect(entry).to_contain_text(REASON)
    expect(entry).to_contain_text("Grace Moderator")
    shot(moderator, "moderate", "log", viewport)

    # The moderator suspends the author for a month.
    until = (timezone.now() + timedelta(days=30)).replace(hour=12, minute=0)
    moderator.goto("/admin/forums/suspension/add/")
    admin.locator(".field-user .select2-selection").click()
    admin.locator(".select2-search__field").fill("Lunanga")
    admin.locator(".select2-results__option", has_text=author.name).click()
    admin.locator("textarea[name=reason]").fill(SUSPENSION)
    admin.locator("input[name=until_0]").fill(until.strftime("%Y-%m-%d"))
    admin.locator("input[name=until_1]").fill("12:00:00")
    shot(moderator, "moderate", "suspension", viewport)
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    assert ModerationLogEntry.objects.filter(action=Action.SUSPEND, subject_user_id=author.pk)
    mail_to(author.email, subject="Votre compte est suspendu du dialogue")

    # The author can still read, sees why they cannot post, and cannot.
    suspended = visitor(viewport, locale="fr-FR")
    sign_in(suspended, author.email)
    suspended.goto(in_language(thread.get_absolute_url(), "fr"))
    notice = suspended.page.locator(".alert", has_text="Votre compte est suspendu jusqu")
    expect(notice).to_contain_text(french_date(until))
    expect(notice).to_contain_text(SUSPENSION)
    reply = suspended.page.locator("#reply")
    expect(reply).to_contain_text("Votre compte est suspendu.")
    expect(reply.locator("textarea, button")).to_have_count(0)
    hidden = suspended.page.locator(f"#post-{abusive_post.pk}")
    expect(hidden.locator(".badge", has_text="Masqué")).to_be_visible()
    expect(hidden).to_contain_text(f"Motif du modérateur : {REASON}")
    assert_french(suspended)
    shot(suspended, "moderate", "suspended-author", viewport)
    refused = suspended.page.request.get(
        suspended.server_url + f"/fr/forums/itombwe/{thread.pk}/reply/"
    )
    assert refused.status == 403
    expect(suspended.page.get_by_role("link", name=re.compile("^Lancer une"))).to_have_count(0)
    for visit in (reader, moderator, suspended):
        visit.assert_clean()
