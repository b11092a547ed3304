"""The programme's four case-study sites, loaded from portal/content/sites.toml."""

import shutil
from decimal import Decimal

import pytest

from core.content import ContentError
from publications.content import load_catalogue
from sites.content import SITES_TOML, load_sites
from sites.models import Site, SiteText

pytestmark = pytest.mark.django_db

SITES = {
    # slug: (country, latitude, longitude, minerals, study)
    "gola-rainforest": ("SL", "7.65", "-10.90", {"gold", "diamonds"}, "sierra-leone-case-study"),
    "sapo": ("LR", "5.41", "-8.42", {"gold"}, "liberia-case-study"),
    "itombwe": (
        "CD",
        "-3.67",
        "28.02",
        {"gold", "coltan", "cassiterite"},
        "drc-itombwe-case-study",
    ),
    "madagascar": ("MG", "-17.70", "48.75", {"sapphire", "gold"}, "madagascar-case-study"),
}


@pytest.fixture
def library():
    load_catalogue()


def test_the_four_sites_load_with_their_facts_minerals_studies_and_both_languages(library):
    assert load_sites() == "Sites: 4 created, 0 updated, 0 unchanged."

    for slug, (country, lat, lon, minerals, study) in SITES.items():
        site = Site.objects.get(slug=slug)
        assert (site.country.code, site.latitude, site.longitude) == (
            country,
            Decimal(lat),
            Decimal(lon),
        )
        assert {m.slug for m in site.minerals.all()} == minerals
        assert [p.slug for p in site.publications.all()] == [study]
        assert {t.language for t in site.texts.all()} == {"en", "fr"}
        assert site.is_published
        assert site.published_at is not None
    sapo = Site.objects.get(slug="sapo")
    assert (sapo.established, sapo.area_ha, sapo.wdpa_id) == (1983, 180400, 7409)
    assert Site.objects.get(slug="madagascar").iucn_category == "V/VI"
    itombwe = SiteText.objects.get(site__slug="itombwe", language="fr")
    assert itombwe.name == "Réserve naturelle d'Itombwe"
    assert itombwe.region == "Sud-Kivu"


def test_the_sites_claim_nothing_about_impacts_that_editors_have_not_written(library):
    load_sites()

    for text in SiteText.objects.all():
        assert text.summary_html
        assert not text.environmental_impacts
        assert not text.social_impacts
        assert not text.responses
        assert not text.stakeholders


def test_loading_again_keeps_editors_changes_and_overwrite_resets_them(library):
    load_sites()
    SiteText.objects.filter(site__slug="sapo", language="en").update(name="Edited")
    Site.objects.filter(slug="sapo").update(is_published=False)

    assert load_sites() == "Sites: 0 created, 0 updated, 4 unchanged."
    assert SiteText.objects.get(site__slug="sapo", language="en").name == "Edited"

    assert load_sites(overwrite=True) == "Sites: 0 created, 4 updated, 0 unchanged."
    assert SiteText.objects.get(site__slug="sapo", language="en").name == "Sapo National Park"
    # An editor's decision to unpublish is not a fact of the file.
    assert not Site.objects.get(slug="sapo").is_published
    assert SiteText.objects.count() == 8


def test_a_site_naming_a_missing_study_loads_nothing(library, tmp_path):
    shutil.copy(SITES_TOML, tmp_path / "sites.toml")
    text = (tmp_path / "sites.toml").read_text()
    (tmp_path / "sites.toml").write_text(text.replace('"liberia-case-study"', '"no-such-study"'))

    with pytest.raises(ContentError, match="sapo names a study that is not in the library"):
        load_sites(path=tmp_path / "sites.toml")

    assert not Site.objects.exists()
