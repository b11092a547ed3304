"""The sites map in a real browser: drawn from this server alone, by keyboard, and without JS."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import MineralFactory, PublicationFactory, SiteFactory

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

SITES = [
    # slug, name, country, latitude, longitude
    ("gola-rainforest", "Gola Rainforest National Park", "SL", "7.65", "-10.90"),
    ("sapo", "Sapo National Park", "LR", "5.41", "-8.42"),
    ("itombwe", "Itombwe Nature Reserve", "CD", "-3.67", "28.02"),
    ("madagascar", "Madagascar's protected areas", "MG", "-17.70", "48.75"),
]


@pytest.fixture
def sites():
    gold = MineralFactory(slug="gold", name="Gold", name_fr="Or")
    study = PublicationFactory(title="Sierra Leone Case Study")
    return [
        SiteFactory(
            slug=slug,
            name=name,
            country=country,
            latitude=lat,
            longitude=lon,
            minerals=[gold],
            publications=[study] if slug == "gola-rainforest" else [],
        )
        for slug, name, country, lat, lon in SITES
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_map_draws_every_site_from_this_server_alone(visitor, sites, viewport):
    visit = visitor(viewport)
    visit.goto("/en/sites/")

    site_map = visit.page.locator("[data-site-map]")
    expect(site_map).to_have_class(re.compile(r"\bsite-map--ready\b"))
    markers = visit.page.locator(".site-map__marker")
    expect(markers).to_have_count(4)
    expect(visit.page.locator("path.site-map__land").nth(100)).to_be_attached()
    assert site_map.bounding_box()["height"] >= 300
    visit.screenshot(f"sites-map-{viewport['width']}")

    # The full-page screenshot resized the map, which refits: click once it has settled.
    popup = visit.open_marker(
        visit.page.locator('.site-map__marker[aria-label="Itombwe Nature Reserve"]')
    )
    expect(popup).to_contain_text("Congo")
    visit.click_when_still(popup.get_by_role("link", name="Itombwe Nature Reserve"))
    expect(visit.page).to_have_url(re.compile(r"/sites/itombwe/$"))
    expect(visit.page.locator(".site-map__marker")).to_have_count(1)
    visit.screenshot(f"site-page-{viewport['width']}")
    visit.assert_clean()


def test_a_keyboard_reaches_a_marker_and_opens_its_site(visitor, sites):
    visit = visitor(DESKTOP)
    visit.goto("/en/sites/")
    expect(visit.page.locator(".site-map__marker")).to_have_count(4)

    marker = visit.page.locator(".site-map__marker").first
    for _ in range(40):
        visit.page.keyboard.press("Tab")
        if marker.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached a marker")
    visit.page.keyboard.press("Enter")
    link = visit.page.locator(".leaflet-popup-content a")
    expect(link).to_be_focused()
    visit.page.keyboard.press("Enter")
    expect(visit.page).to_have_url(re.compile(r"/sites/[\w-]+/$"))
    visit.assert_clean()


def test_without_javascript_the_list_is_the_map(visitor, sites):
    visit = visitor(PHONE, javascript=False)
    visit.goto("/en/sites/")

    assert visit.page.locator("[data-site-map]").bounding_box()["height"] == 0
    for _slug, name, *_ in SITES:
        expect(visit.page.get_by_role("link", name=name, exact=True)).to_be_visible()
    visit.page.get_by_label("Country").select_option("LR")
    visit.page.get_by_role("button", name="Show").click()
    expect(visit.page.locator(".site-item")).to_have_count(1)
    expect(visit.page.locator(".site-item")).to_contain_text("Sapo National Park")
    visit.assert_clean()


def test_a_site_name_is_shown_as_text_never_as_markup(visitor):
    SiteFactory(slug="odd", name='<img src=x onerror="document.title=1"> & <b>Bold</b>')
    visit = visitor(DESKTOP)
    visit.goto("/en/sites/")

    link = visit.open_marker(visit.page.locator(".site-map__marker")).locator("a")
    expect(link).to_have_text('<img src=x onerror="document.title=1"> & <b>Bold</b>')
    assert visit.page.locator(".leaflet-popup-content img, .leaflet-popup-content b").count() == 0
    visit.assert_clean()
