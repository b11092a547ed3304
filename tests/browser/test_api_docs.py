"""The API's pages in a real browser: the documentation page (Swagger UI from static/vendor,
under the portal's CSP) lists the endpoints, asks no other host and logs no error (a CSP refusal
is one); the profile page's tokens are made, used and revoked."""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_docs_page_lists_the_endpoints_from_this_server_alone(visitor, settings):
    settings.API_RATE_LIMIT = 0
    visit = visitor(DESKTOP)

    response = visit.goto("/api/v1/docs")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = visit.page
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    for path in ("/api/v1/studies", "/api/v1/posts", "/api/v1/threads/{thread_id}/balance"):
        assert any(shown.replace("\u200b", "") == path for shown in paths), paths
    expect(page.get_by_text("ASM-PACE open data API").first).to_be_visible()
    # An endpoint opens and shows its parameters, read from the description.
    page.locator(".opblock-summary-path", has_text="/api/v1/studies").first.click()
    expect(page.get_by_text("cursor").first).to_be_visible()
    visit.screenshot("api-docs")
    visit.assert_clean()


def test_a_stakeholder_makes_reads_with_and_revokes_a_token(visitor, settings):
    """On the profile page, in a real browser: the token shown once, usable at once, revoked."""
    from forums.models import Visibility
    from tests.factories import PASSWORD, ForumFactory, ThreadFactory, UserFactory

    from .axe import FAILING, axe_violations

    settings.API_RATE_LIMIT = 0
    person = UserFactory(email="token.holder@example.org")
    ThreadFactory(forum=ForumFactory(visibility=Visibility.MEMBERS), title="Among members")
    visit = visitor(DESKTOP)
    page = visit.page
    visit.goto("/en/accounts/login/")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("form[action='/en/accounts/logout/']")).to_be_attached()

    visit.goto("/en/accounts/profile/")
    page.get_by_label("What the token is for").fill("My harvester")
    page.get_by_role("button", name="Make a token").click()
    secret = page.locator("[data-api-token]").inner_text().strip()
    serious = [v for v in axe_violations(page) if v["impact"] in FAILING]
    read = page.evaluate(
        """async (secret) => {
            const answer = await fetch('/api/v1/threads', {
                headers: {Authorization: 'Bearer ' + secret}, credentials: 'omit'});
            return (await answer.json()).items.map((thread) => thread.title);
        }""",
        secret,
    )
    page.get_by_role("button", name="Revoke My harvester").click()
    refused = page.evaluate(
        """async (secret) => (await fetch('/api/v1/threads', {
            headers: {Authorization: 'Bearer ' + secret}, credentials: 'omit'})).status""",
        secret,
    )

    assert secret.startswith("asmp_")
    assert serious == []
    assert read == ["Among members"]
    expect(page.get_by_text("The token is revoked")).to_be_visible()
    assert refused == 401
    assert visit.foreign == []
    # The browser logs the refused fetch; nothing else went wrong.
    assert [p for p in visit.problems if "status of 401" not in p] == []
