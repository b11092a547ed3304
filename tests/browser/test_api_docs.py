"""The API's documentation page in a real browser: Swagger UI from static/vendor, under the
portal's CSP, lists the endpoints, asks no other host, and logs no error (a CSP refusal is one)."""

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
