"""Registering, posting and downloading work without JavaScript (DESIGN.md: server-rendered pages
that work without it), in a browser whose JavaScript is off, on a phone."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from core.addresses import in_language
from forums.models import Forum, PostStatus
from tests.factories import ThreadFactory, UserFactory

from .conftest import PHONE
from .journeys import (
    MINER_FR,
    assert_french,
    load_programme_content,
    register_and_confirm,
    shot,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def content():
    load_programme_content()


def test_register_and_confirm_without_javascript(visitor, content):
    visit = visitor(PHONE, javascript=False, locale="fr-FR")
    register_and_confirm(visit, "nojs-register", PHONE, email="esperance@example.org")
    visit.page.get_by_role("link", name="Ma page publique").click()
    expect(visit.page.locator(".profile .stakeholder-badge")).to_have_text(MINER_FR)
    assert User.objects.get(email="esperance@example.org").emailaddress_set.get().verified
    visit.assert_clean()


def test_preview_and_reply_without_javascript(visitor, content):
    thread = ThreadFactory(
        forum=Forum.objects.get(slug="itombwe"),
        title="Qui surveille les rivières en aval des chantiers ?",
    )
    miner = UserFactory(name="Espérance Mwamini", preferred_language="fr")
    visit = visitor(PHONE, javascript=False, locale="fr-FR")
    page = visit.page
    sign_in(visit, miner.email)
    french = in_language(thread.get_absolute_url(), "fr")
    visit.goto(french)
    reply = page.locator("#reply")
    reply.get_by_label("Votre message").fill("Les coopératives mesurent la **turbidité**.")
    reply.get_by_role("button", name="Aperçu").click()
    preview = page.locator(".post-preview")
    expect(preview.locator("strong")).to_have_text("turbidité")
    expect(page.get_by_label("Votre message")).to_have_value(
        "Les coopératives mesurent la **turbidité**."
    )
    assert_french(visit)
    shot(visit, "nojs-reply", "preview", PHONE)
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{french}(\?page=\d+)?#post-\d+$"))
    mine = page.locator("article.forum-post", has_text="Les coopératives mesurent")
    expect(mine.locator(".post-body strong")).to_have_text("turbidité")
    expect(mine.locator(".stakeholder-badge")).to_have_text(MINER_FR)
    assert miner.posts.get().status == PostStatus.APPROVED
    shot(visit, "nojs-reply", "thread", PHONE)
    visit.assert_clean()


def test_download_a_study_without_javascript(visitor, content):
    visit = visitor(PHONE, javascript=False)
    page = visit.page
    visit.goto("/en/publications/")
    page.get_by_role("link", name=re.compile(r"^Sierra Leone Case Study")).first.click()
    with page.expect_download() as downloading:
        page.get_by_role("link", name=re.compile(r"^Download the PDF")).click()
    assert Path(downloading.value.path()).read_bytes().startswith(b"%PDF-")
    visit.assert_clean()
