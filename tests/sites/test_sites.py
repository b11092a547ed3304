"""Case-study sites: the map and list, a site's page, the open data, and who sees what."""

import json
import re

import geojson
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from publications.models import Kind
from sites.models import Site
from sites.views import PROGRAMME_STUDIES_SHOWN
from tests.factories import (
    MineralFactory,
    PublicationFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("sites:list")
# Every language's sitemap of each kind (/sitemap.xml is their index).
SITEMAPS = [
    reverse("sitemap_section", kwargs={"section": f"{language}-{kind}"})
    for language in ("en", "fr")
    for kind in ("pages", "sites")
]
GEOJSON = reverse("sites:geojson")


@pytest.fixture
def gold():
    return MineralFactory(slug="gold", name="Gold", name_fr="Or")


@pytest.fixture
def diamonds():
    return MineralFactory(slug="diamonds", name="Diamonds", name_fr="Diamants")


@pytest.fixture
def gola(gold, diamonds):
    study = PublicationFactory(title="Sierra Leone Case Study", authors=["Cristina Villegas"])
    site = SiteFactory(
        slug="gola-rainforest",
        name="Gola Rainforest National Park",
        fr="Parc national de la forêt tropicale de Gola",
        minerals=[gold, diamonds],
        publications=[study],
        established=2010,
        area_ha=71070,
    )
    return site


@pytest.fixture
def sapo(gold):
    return SiteFactory(
        slug="sapo",
        name="Sapo National Park",
        country="LR",
        latitude="5.41",
        longitude="-8.42",
        wdpa_id=7409,
        minerals=[gold],
    )


@pytest.fixture
def hidden():
    return SiteFactory(slug="draft-site", name="A draft site", is_published=False)


def map_features(response):
    found = re.search(
        r'<script id="site-map-features" type="application/json">(.*?)</script>', response.text
    )
    return json.loads(found[1])


def editor():
    return UserFactory(groups=["Editors"], is_staff=True)


def test_the_list_shows_published_sites_with_their_facts_and_map_data(client, gola, sapo, hidden):
    global_study = PublicationFactory(
        title="ASM-PACE Global Solutions Study", kind=Kind.GLOBAL_STUDY
    )

    response = client.get(LIST)

    text = response.text
    assert response.status_code == 200
    assert "Gola Rainforest National Park" in text
    assert "Sapo National Park" in text
    assert "Liberia" in text
    assert "Diamonds" in text
    assert "A draft site" not in text
    assert "2 sites" in text
    assert f'href="{global_study.get_absolute_url()}"' in text
    assert "Sierra Leone Case Study" not in text  # a case study belongs to its site, not here
    features = map_features(response)["features"]
    assert [f["properties"]["name"] for f in features] == [
        "Gola Rainforest National Park",
        "Sapo National Park",
    ]
    assert features[0]["properties"]["url"] == "/en/sites/gola-rainforest/"
    assert features[0]["properties"]["minerals"] == ["Diamonds", "Gold"]


def test_the_list_in_french(client, gola, sapo):
    with translation.override("fr"):  # the list's French address
        response = client.get(reverse("sites:list"))

    text = response.text
    assert '<html lang="fr">' in text
    assert "Parc national de la forêt tropicale de Gola" in text
    assert "Diamants" in text
    assert "2 sites" in text
    # No French text written yet: the English one, marked as English.
    assert '<article class="site-item border-bottom pb-2 mb-2" lang="en">' in text
    assert "Sapo National Park" in text
    assert map_features(response)["features"][0]["properties"]["minerals"] == ["Diamants", "Or"]


def test_filters_narrow_the_list_and_the_map(client, gola, sapo, diamonds):
    by_country = client.get(LIST, {"country": "LR"})
    by_mineral = client.get(LIST, {"mineral": diamonds.slug})
    stale = client.get(LIST, {"country": "ZZ", "mineral": "unobtainium"})

    assert [f["id"] for f in map_features(by_country)["features"]] == ["sapo"]
    assert "Gola Rainforest" not in by_country.text
    assert [f["id"] for f in map_features(by_mineral)["features"]] == ["gola-rainforest"]
    assert "1 site<" in by_mineral.text
    assert '<option value="diamonds" selected>' in by_mineral.text
    assert len(map_features(stale)["features"]) == 2


def test_filters_offer_only_countries_and_minerals_of_visible_sites(client, gola, hidden):
    MineralFactory(slug="cobalt", name="Cobalt")
    hidden.minerals.add(MineralFactory(slug="sapphire", name="Sapphire"))
    hidden.country = "MG"
    hidden.save()

    text = client.get(LIST).text

    assert '<option value="SL"' in text
    assert '<option value="MG"' not in text
    assert '<option value="gold"' in text
    assert '<option value="sapphire"' not in text
    assert '<option value="cobalt"' not in text


def test_a_site_page_shows_its_facts_studies_and_a_place_for_dialogue(client, gola, sapo):
    unpublished_study = PublicationFactory(title="A draft study", is_published=False)
    gola.publications.add(unpublished_study)

    text = client.get(gola.get_absolute_url()).text

    assert "<h1>Gola Rainforest National Park</h1>" in text
    assert "Protected since 2010." in text
    assert "About 71,070 ha (711 km²)" in text
    assert "7.65° N, 10.9° W" in text
    assert "<strong>in and around</strong>" in text
    assert 'href="/en/sites/?mineral=gold">Gold</a>' in text
    assert "Sierra Leone Case Study" in text
    assert "Cristina Villegas" in text
    assert "A draft study" not in text
    assert 'id="dialogue"' in text
    assert text.count("Not summarised on this page yet") == 4
    assert text.count("Including the effects on vulnerable groups") == 1
    assert "WDPA id" not in text
    assert "WDPA id" in client.get(sapo.get_absolute_url()).text


def test_a_site_page_in_french_uses_french_words_and_numbers(client, gola):
    with translation.override("fr"):  # the page's French address
        text = client.get(gola.get_absolute_url()).text

    assert "<h1>Parc national de la forêt tropicale de Gola</h1>" in text
    assert "Environ 71\xa0070 ha (711 km²)" in text
    assert "7,65° N, 10,9° O" in text
    assert "Protégé depuis 2010." in text
    assert "Impacts environnementaux" in text


def test_a_site_page_describes_the_place_in_schema_org(client, sapo):
    study = PublicationFactory(title="Liberia Case Study Report")
    sapo.publications.add(study)

    response = client.get(sapo.get_absolute_url())

    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text)
    place = json.loads(found[1])
    assert place["@type"] == "Place"
    assert place["name"] == "Sapo National Park"
    assert place["url"] == "http://testserver/en/sites/sapo/"
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 5.41, "longitude": -8.42}
    assert place["address"]["addressCountry"] == "LR"
    assert place["identifier"]["value"] == 7409
    assert place["sameAs"] == "https://www.protectedplanet.net/7409"
    assert place["keywords"] == ["Gold"]
    assert place["subjectOf"][0]["url"] == f"http://testserver{study.get_absolute_url()}"


def test_studies_link_back_to_their_sites(client, gola, hidden):
    study = gola.publications.get()
    hidden.publications.add(study)

    text = client.get(study.get_absolute_url()).text

    assert f'<a href="{gola.get_absolute_url()}">Gola Rainforest National Park</a>' in text
    assert "A draft site" not in text


def test_unpublished_sites_exist_only_for_editors(client, hidden):
    stakeholder = UserFactory()
    client.force_login(stakeholder)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert "draft-site" not in client.get(GEOJSON).text
    for sitemap in SITEMAPS:
        assert "draft-site" not in client.get(sitemap).text

    client.force_login(editor())
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 200
    assert "Not published: only editors see this site." in response.text
    assert "A draft site" in client.get(LIST).text


def test_the_geojson_is_valid_with_longitude_first_and_only_published_sites(
    client, gola, sapo, hidden
):
    response = client.get(GEOJSON)

    assert response["Content-Type"] == "application/geo+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Disposition"] == 'inline; filename="asm-pace-sites.geojson"'
    collection = geojson.loads(response.content)
    assert collection.is_valid, collection.errors()
    assert collection["type"] == "FeatureCollection"
    by_id = {feature["id"]: feature for feature in collection["features"]}
    assert set(by_id) == {"gola-rainforest", "sapo"}
    assert by_id["sapo"]["geometry"]["coordinates"] == [-8.42, 5.41]
    assert by_id["sapo"]["properties"]["wdpa_id"] == 7409
    assert (
        by_id["gola-rainforest"]["properties"]["url"]
        == "http://testserver/en/sites/gola-rainforest/"
    )


def test_the_sites_intro_page_is_shown_on_the_list_not_on_its_own(client, programme_content):
    response = client.get(reverse("portal:page", kwargs={"slug": "sites"}))
    text = client.get(LIST).text

    assert response.status_code == 301
    assert response["Location"] == LIST
    assert "96 of the 147 protected areas" in text
    for sitemap in SITEMAPS:
        assert "/pages/sites/" not in client.get(sitemap).text
    assert "/pages/sites/" not in client.get("/en/").text


def test_the_map_page_loads_every_asset_from_this_site(client, gola, settings):
    text = client.get(LIST).text

    # What the page loads; its addresses in other languages (rel="alternate") load nothing.
    assets = re.findall(
        r'<(?:script|link|img)\b(?![^>]*rel="alternate")[^>]*?\b(?:src|href)="([^"]+)"', text
    )
    assets += re.findall(r'data-outlines="([^"]+)"', text)
    assert any("leaflet" in url for url in assets)
    assert any("countries-110m.json" in url for url in assets)
    for url in assets:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    assert 'data-tiles=""' in text


def test_an_online_tile_layer_is_opt_in(client, gola, settings):
    from asmpace.settings import tile_hosts

    settings.SITES_MAP_TILES = "https://{s}.tile.example.org/{z}/{x}/{y}.png"

    text = client.get(LIST).text

    assert 'data-tiles="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in text
    assert tile_hosts(settings.SITES_MAP_TILES) == ["https://*.tile.example.org"]
    assert tile_hosts("") == []


def grow_sites(count, *, gold):
    for n in range(count):
        studies = [PublicationFactory(authors=[f"Given{n} Family{n}"]) for _ in range(2)]
        SiteFactory(fr=f"Site {n}", minerals=[gold, MineralFactory()], publications=studies)


@pytest.mark.usefixtures("page_cache_off")
def test_the_list_costs_the_same_queries_however_many_sites(client, gola):
    PublicationFactory(kind=Kind.TOOLKIT, authors=["Jennifer Hinton"])
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    grow_sites(10, gold=gola.minerals.get(slug="gold"))
    PublicationFactory(kind=Kind.GLOBAL_STUDY, authors=["Cristina Villegas", "Ruby Weinberg"])

    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)

    assert len(map_features(response)["features"]) == 11
    assert len(many) == len(few) <= 8


@pytest.mark.usefixtures("page_cache_off")
def test_a_site_page_costs_the_same_queries_however_many_studies(client, gola):
    from tests.factories import ForumFactory, ThreadFactory

    forum = ForumFactory(slug="gola", site=gola)
    ThreadFactory(forum=forum)
    client.get(gola.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(gola.get_absolute_url())
    for n in range(10):
        gola.publications.add(PublicationFactory(authors=[f"Given{n} Family{n}", "Second Author"]))
        gola.minerals.add(MineralFactory())
        ThreadFactory(forum=forum)

    with CaptureQueriesContext(connection) as many:
        response = client.get(gola.get_absolute_url())

    assert response.text.count('<h3 class="h6 mb-1">') == 11
    assert len(many) == len(few) <= 8


@pytest.mark.usefixtures("page_cache_off")
def test_the_geojson_costs_the_same_queries_however_many_sites(client, gola):
    with CaptureQueriesContext(connection) as few:
        client.get(GEOJSON)
    grow_sites(10, gold=gola.minerals.get(slug="gold"))

    with CaptureQueriesContext(connection) as many:
        client.get(GEOJSON)

    assert len(many) == len(few) <= 3


def test_visibility_follows_the_editor_permission():
    site = SiteFactory(is_published=False)

    assert site not in Site.objects.visible_to(AnonymousUser())
    assert site in Site.objects.visible_to(editor())


def test_a_site_page_shows_its_forums_latest_threads(client, gola):
    from forums.models import Visibility
    from tests.factories import ForumFactory, ThreadFactory

    forum = ForumFactory(slug="gola", name="Gola forum", site=gola)
    ThreadFactory(forum=forum, title="Diamonds in the buffer zone")
    ThreadFactory(forum=forum, title="A thread awaiting moderation", opening__status="pending")

    text = client.get(gola.get_absolute_url()).text

    assert f'href="{forum.get_absolute_url()}"' in text
    assert "Diamonds in the buffer zone" in text
    assert "A thread awaiting moderation" not in text
    forum.visibility = Visibility.RESTRICTED
    forum.allowed_groups = ["government"]
    forum.save()
    hidden = client.get(gola.get_absolute_url()).text
    assert "Diamonds in the buffer zone" not in hidden
    assert forum.get_absolute_url() not in hidden


@pytest.mark.usefixtures("page_cache_off")
def test_a_study_page_lists_its_sites_at_the_same_query_cost_however_many(client, gola, hidden):
    """The sites about a study come from this app's answer to the library's hook: the study page
    shows the published ones (never a draft to a visitor), at a cost that does not grow."""
    study = gola.publications.get()
    hidden.publications.add(study)
    client.get(study.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        text = client.get(study.get_absolute_url()).text
    for n in range(10):
        SiteFactory(slug=f"more-{n}", name=f"Reserve {n}", fr=f"Réserve {n}", publications=[study])

    with CaptureQueriesContext(connection) as many:
        more = client.get(study.get_absolute_url()).text

    assert "Gola Rainforest National Park" in text
    assert "A draft site" not in text
    assert hidden.get_absolute_url() not in more
    assert all(f"Reserve {n}</a>" in more for n in range(10))
    assert len(many) == len(few)


def test_the_map_lists_the_newest_programme_wide_studies_and_links_to_the_rest(client, gola):
    for year in range(2010, 2018):
        PublicationFactory(kind=Kind.GLOBAL_STUDY, title=f"Global study {year}", year=year)

    page = client.get(reverse("sites:list")).content.decode()

    assert "Global study 2017" in page
    assert "Global study 2011" not in page
    assert page.count("Global study 20") == PROGRAMME_STUDIES_SHOWN
    assert f'href="{reverse("publications:list")}?kind={Kind.GLOBAL_STUDY.value}"' in page
